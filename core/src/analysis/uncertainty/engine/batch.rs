//! Batches of runs: the first-level means of many runs as one matrix product each.

use super::*;

impl Engine<'_> {
    /// Run a batch of runs. Runs that share prepared data and whose first-level aggregates
    /// are dense arithmetic (or geometric) means are computed with matrix products — one per
    /// first-level node over its own columns, `W_a · Z_a` (or `W_a · ln Z_a`), or one for the
    /// whole index when every mean is arithmetic — written straight into the runs' aggregate
    /// slots; the rest of each run as usual.
    pub(super) fn run_batch<R: RankCell>(
        &self,
        plans: &[&RunPlan],
        opts: &ExecOptions,
        nominal: Option<&[u32]>,
        s: &mut Scratch,
        ranks: &mut [R],
    ) -> Result<Vec<RunOut>> {
        let fw = self.fw;
        let nd = self.data.n_units();
        let slots = self.bottom_up.len();
        let stride = slots * nd; // floats between two runs' slot areas
        let all_nodes = opts.targets.iter().any(|&t| t != fw.root());
        // Per run: its product group and weight rows (the whole index, or one per l2 node).
        let mut group: Vec<Option<BatchGroup>> = vec![None; plans.len()];
        let mut rows: Vec<Vec<Vec<f64>>> = vec![Vec::new(); plans.len()];
        for (r, p) in plans.iter().enumerate() {
            let key = (p.impute, p.treat, p.normalise);
            let Some(var) = self.variants.get(&key) else { continue };
            let ap = p.aggregate.map_or(&self.base_agg, |a| &self.aggs[a]);
            let mut w = p.weights.clone();
            if let Some(e) = p.exclude {
                w[e] = 0.0;
            }
            if !all_nodes && ap.all_arith && ap.choice.rescale.is_empty() && ap.min_cov == 0.0 && !var.has_nan {
                if let Some(row) = self.collapsed_row(&w) {
                    rows[r].push(row);
                    group[r] = Some((key, Vec::new()));
                    continue;
                }
            }
            let mut geos = Vec::with_capacity(self.l2.len());
            let ok = self.l2.iter().zip(&self.l2_cols).all(|(&a, &(c0, k))| {
                let geo = match ap.methods[a] {
                    Aggregator::Arithmetic => false,
                    Aggregator::Geometric(g) if g.shift == 0.0 && var.lnz.is_some() => true,
                    _ => return false,
                };
                let ch = &fw.nodes()[a].children;
                let used: Vec<usize> = ch.iter().copied().filter(|&c| w[c] != 0.0).collect();
                if used.iter().any(|&c| self.ind_col[c].is_none_or(|j| var.col_nan[j])) {
                    return false;
                }
                let wsum: f64 = used.iter().map(|&c| w[c]).sum();
                if used.len() < crate::aggregate::children_needed(ap.min_cov, used.len()) || wsum <= 0.0 || !wsum.is_finite() {
                    return false;
                }
                debug_assert_eq!(ch.len(), k);
                debug_assert!(ch.iter().enumerate().all(|(i, &c)| self.ind_col[c] == Some(c0 + i)));
                rows[r].push(ch.iter().map(|&c| w[c] / wsum).collect());
                geos.push(geo);
                true
            });
            if ok && !self.l2.is_empty() {
                group[r] = Some((key, geos));
            } else {
                rows[r].clear();
            }
        }
        // Batch positions: the runs of a group next to each other, so that each product's
        // output rows are evenly spaced in `s.agg`.
        let mut order: Vec<usize> = (0..plans.len()).collect();
        order.sort_by(|&a, &b| group[a].cmp(&group[b]));
        let mut pos = vec![0; plans.len()];
        for (p, &r) in order.iter().enumerate() {
            pos[r] = p;
        }
        s.agg.resize(plans.len() * stride, 0.0);
        let mut p0 = 0;
        while p0 < order.len() {
            let g = &group[order[p0]];
            let mut p1 = p0 + 1;
            while p1 < order.len() && &group[order[p1]] == g {
                p1 += 1;
            }
            if let Some((key, geos)) = g {
                let var = &self.variants[key];
                let n = var.units.len();
                let runs = &order[p0..p1];
                // (columns, output slot, geometric?) of each product
                let products: Vec<((usize, usize), usize, bool)> = if geos.is_empty() {
                    vec![((0, self.cols.len()), self.root_slot, false)]
                } else {
                    self.l2
                        .iter()
                        .zip(&self.l2_cols)
                        .zip(geos)
                        .map(|((&a, &c), &geo)| (c, self.slot[a].unwrap_or(0), geo))
                        .collect()
                };
                for (q, &((c0, k), out_slot, geo)) in products.iter().enumerate() {
                    let src = if geo { var.lnz.as_deref().unwrap_or(&var.z) } else { &var.z };
                    let wm: Vec<f64> = runs.iter().flat_map(|&r| rows[r][q].iter().copied()).collect();
                    let start = p0 * stride + out_slot * n;
                    let out = &mut s.agg[start..];
                    crate::kernels::matmul::weighted_sums(&wm, k, &src[c0 * n..(c0 + k) * n], n, out, stride);
                    if geo {
                        for row in out.chunks_mut(stride).take(runs.len()) {
                            crate::kernels::vmath::exp_in_place(&mut row[..n]);
                        }
                    }
                }
            }
            p0 = p1;
        }
        let mut outs = Vec::with_capacity(plans.len());
        let Scratch { agg, t, full, rs, row } = s;
        let per_run = nd * opts.targets.len();
        for ((r, p), ranks) in plans.iter().enumerate().zip(ranks.chunks_exact_mut(per_run)) {
            let pre = match &group[r] {
                None => Pre::None,
                Some((_, geos)) if geos.is_empty() => Pre::Index,
                Some(_) => Pre::L2,
            };
            let area = &mut agg[pos[r] * stride..(pos[r] + 1) * stride];
            outs.push(R::store(ranks, row, |ranks| {
                self.run_one(p, opts, nominal, pre, area, t, full, rs, ranks)
            })?);
        }
        Ok(outs)
    }

    /// One weight per column for the whole index when every mean is arithmetic: the product
    /// of sibling shares from the indicator up to the root. `None` if a sibling group has no
    /// positive finite weight.
    pub(super) fn collapsed_row(&self, w: &[f64]) -> Option<Vec<f64>> {
        let fw = self.fw;
        let mut v = vec![0.0; fw.nodes().len()];
        v[fw.root()] = 1.0;
        for &a in self.bottom_up.iter().rev() {
            let ch = &fw.nodes()[a].children;
            let tot: f64 = ch.iter().map(|&c| w[c]).sum();
            if tot <= 0.0 || !tot.is_finite() {
                return None;
            }
            for &c in ch {
                v[c] = v[a] * w[c] / tot;
            }
        }
        Some(self.cols.iter().map(|&i| v[i]).collect())
    }
}
