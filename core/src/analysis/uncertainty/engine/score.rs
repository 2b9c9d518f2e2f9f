//! One run's scores: the weighted means of every aggregate, and the general path for
//! whole-matrix methods.

use super::*;
use crate::aggregate::Mean;

impl Engine<'_> {
    /// Score one run into its aggregate slots `agg`: every aggregate, or only the root's slot
    /// (the fast path). Returns whether every slot holds its node's scores. With `log_root`,
    /// a dense geometric root may be left as an approximate log-sum (`t.log_root` says so).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn score(
        &self,
        var: &Variant,
        ap: &AggPlan,
        w: &[f64],
        all_nodes: bool,
        pre: Pre,
        agg: &mut [f64],
        t: &mut Temps,
        log_root: bool,
    ) -> Result<bool> {
        let fw = self.fw;
        let n = var.units.len();
        t.log_root = None;
        if pre == Pre::Index {
            return Ok(false);
        }
        if pre == Pre::None && !all_nodes && ap.all_arith && ap.choice.rescale.is_empty() && ap.min_cov == 0.0 && !var.has_nan {
            // index = Σⱼ vⱼ zⱼ with vⱼ the product of sibling shares from indicator j up to the root
            if let Some(v) = self.collapsed_row(w) {
                let idx = &mut agg[self.root_slot * n..(self.root_slot + 1) * n];
                idx.fill(0.0);
                for (j, &vj) in v.iter().enumerate() {
                    if vj != 0.0 {
                        crate::kernels::reduce::axpy(idx, vj, &var.z[j * n..(j + 1) * n]);
                    }
                }
                return Ok(false);
            }
        }
        let Temps {
            num,
            den,
            cnt,
            slot_nan,
            deferred,
            log_root: log_out,
        } = t;
        deferred.fill(None);
        // A geometric root that may be left as a log-sum takes its children's rescaling on the
        // fly (one pass less per child); undone below if the log-sum path is not taken.
        let root = &fw.nodes()[fw.root()];
        let defer = log_root
            && matches!(ap.methods[fw.root()], Aggregator::Geometric(g) if g.shift == 0.0)
            && !ap.choice.rescale.iter().any(|r| r.level == root.level);
        for &a in &self.bottom_up {
            let node = &fw.nodes()[a];
            let method = &ap.methods[a];
            if pre == Pre::L2 && self.is_l2[a] {
                let k = self.slot[a].unwrap_or(0);
                let out = &mut agg[k * n..(k + 1) * n];
                let mut at_level = ap.choice.rescale.iter().filter(|r| r.level == node.level);
                if let (true, Some(r), None) = (defer && root.children.contains(&a), at_level.next(), at_level.next()) {
                    deferred[k] = Some(ValueMap::of(&r.to, out));
                    slot_nan[k] = false; // checked by the log-sum pass, or when the map is applied
                    continue;
                }
                slot_nan[k] = self.rescale(ap, node.level, out);
                continue;
            }
            if method.is_whole() {
                // the general path: a whole-matrix method scores the node as `Pipeline::run` does
                let k = self.slot[a].unwrap_or(0);
                self.score_whole(var, method, w, ap.min_cov, a, agg)?;
                slot_nan[k] = self.rescale(ap, node.level, &mut agg[k * n..(k + 1) * n]);
                continue;
            }
            let (num, den, cnt) = (&mut num[..n], &mut den[..n], &mut cnt[..n]);
            let no_missing = |slot_nan: &[bool]| {
                node.children.iter().all(|&c| {
                    w[c] == 0.0
                        || match (self.ind_col[c], self.slot[c]) {
                            (Some(j), _) => !var.col_nan[j],
                            (None, Some(k)) => !slot_nan[k],
                            (None, None) => false,
                        }
                })
            };
            if a == fw.root() && defer {
                if no_missing(slot_nan) {
                    *log_out = self.approx_log_sum(&node.children, w, ap.min_cov, var, agg, deferred, num);
                    if log_out.is_some() {
                        continue; // the root is the last node
                    }
                }
                // the exact path after all: the children's rescaling first, as usual
                for (k, m) in deferred.iter_mut().enumerate() {
                    if let Some(m) = m.take() {
                        slot_nan[k] = crate::kernels::reduce::map_noting_nan(&mut agg[k * n..(k + 1) * n], |x| m.apply(x));
                    }
                }
            }
            let mean = Mean::of(method).ok_or_else(|| Error::method(method.name(), "internal: not a weighted mean"))?;
            if no_missing(slot_nan) {
                self.mean_dense(var, mean, method.name(), w, ap.min_cov, a, agg, num, den)?;
            } else {
                self.mean_masked(var, mean, method.name(), w, ap.min_cov, a, agg, (num, den, cnt))?;
            }
            let k = self.slot[a].unwrap_or(0);
            slot_nan[k] = self.rescale(ap, node.level, &mut agg[k * n..(k + 1) * n]);
        }
        Ok(true)
    }

    /// Score aggregate `a` by a weighted mean into its slot when no child with a weight has a
    /// missing score: no masks, vectorisable loops (`logs` is scratch for the logarithms).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn mean_dense(
        &self,
        var: &Variant,
        mean: Mean,
        name: &str,
        w: &[f64],
        min_cov: f64,
        a: usize,
        agg: &mut [f64],
        num: &mut [f64],
        logs: &mut [f64],
    ) -> Result<()> {
        let n = var.units.len();
        let (num, logs) = (&mut num[..n], &mut logs[..n]);
        num.fill(0.0);
        let (mut wsum, mut k_children) = (0.0, 0usize);
        for &c in &self.fw.nodes()[a].children {
            let wc = w[c];
            if wc == 0.0 {
                continue;
            }
            wsum += wc;
            k_children += 1;
            let Some(col) = self.child_col(var, c, agg) else { continue };
            if let Mean::Geo(shift) = mean {
                // the domain is checked in the same pass (the log of a value ≤ 0 is −∞ or
                // NaN); a bad value is found again
                if shift == 0.0 {
                    crate::kernels::vmath::ln_into(logs, col);
                } else {
                    logs.iter_mut().zip(col).for_each(|(l, &x)| *l = x + shift);
                    crate::kernels::vmath::ln_in_place(logs);
                }
                if crate::kernels::reduce::axpy_logs(num, wc, logs) {
                    if let Some((i, Err(m))) = col.iter().map(|&x| mean.term(wc, x)).enumerate().find(|(_, t)| t.is_err()) {
                        return Err(self.domain_err(name, m, var, i, a));
                    }
                }
            } else {
                mean.add_dense(num, wc, col).map_err(|(i, m)| self.domain_err(name, m, var, i, a))?;
            }
        }
        let k = self.slot[a].unwrap_or(0);
        let out = &mut agg[k * n..(k + 1) * n];
        if k_children < crate::aggregate::children_needed(min_cov, k_children) || wsum <= 0.0 {
            out.fill(f64::NAN);
            return Ok(());
        }
        match mean {
            Mean::Arith => crate::kernels::reduce::div_into(out, num, wsum),
            Mean::Geo(shift) => {
                crate::kernels::reduce::div_into(out, num, wsum);
                crate::kernels::vmath::exp_in_place(out);
                if shift != 0.0 {
                    out.iter_mut().for_each(|o| *o -= shift);
                }
            }
            _ => out.iter_mut().zip(num.iter()).for_each(|(o, &v)| *o = mean.finish(v, wsum)),
        }
        Ok(())
    }

    /// Score aggregate `a` by a weighted mean into its slot when a child's scores have gaps:
    /// each unit's mean over its present children (NaN below the coverage).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn mean_masked(
        &self,
        var: &Variant,
        mean: Mean,
        name: &str,
        w: &[f64],
        min_cov: f64,
        a: usize,
        agg: &mut [f64],
        (num, den, cnt): (&mut [f64], &mut [f64], &mut [u32]),
    ) -> Result<()> {
        let n = var.units.len();
        let (num, den, cnt) = (&mut num[..n], &mut den[..n], &mut cnt[..n]);
        num.fill(0.0);
        den.fill(0.0);
        cnt.fill(0);
        let mut k_children = 0usize;
        for &c in &self.fw.nodes()[a].children {
            let wc = w[c];
            if wc == 0.0 {
                continue;
            }
            k_children += 1;
            let Some(col) = self.child_col(var, c, agg) else { continue };
            mean.add_masked(num, den, cnt, wc, col)
                .map_err(|(i, m)| self.domain_err(name, m, var, i, a))?;
        }
        let need = crate::aggregate::children_needed(min_cov, k_children) as u32;
        let k = self.slot[a].unwrap_or(0);
        let out = &mut agg[k * n..(k + 1) * n];
        for (i, o) in out.iter_mut().enumerate() {
            *o = if cnt[i] >= need && den[i] > 0.0 {
                mean.finish(num[i], den[i])
            } else {
                f64::NAN
            };
        }
        Ok(())
    }

    /// Score aggregate `a` by a whole-matrix method into its slot: its children's columns
    /// (every child, weights as given, as [`Aggregate::apply`] passes them) gathered into one
    /// units × children matrix.
    pub(super) fn score_whole(&self, var: &Variant, mm: &Aggregator, w: &[f64], min_cov: f64, a: usize, agg: &mut [f64]) -> Result<()> {
        let n = var.units.len();
        let node = &self.fw.nodes()[a];
        let mut x = ndarray::Array2::<f64>::zeros(ndarray::ShapeBuilder::f((n, node.children.len())));
        for (j, &c) in node.children.iter().enumerate() {
            let col = self
                .child_col(var, c, agg)
                .ok_or_else(|| Error::spec("uncertainty analysis", "internal: a child has no scores"))?;
            x.column_mut(j).assign(&ndarray::ArrayView1::from(col));
        }
        let wc: Vec<f64> = node.children.iter().map(|&c| w[c]).collect();
        let out = mm.score_whole(x.view(), &wc, min_cov).map_err(|f| {
            let ids: Vec<String> = node.children.iter().map(|&c| self.fw.nodes()[c].id.clone()).collect();
            f.named(mm, &node.id, |r| var.units.get(r).map(|&u| self.data.unit_ids()[u].clone()), &ids)
        })?;
        let k = self.slot[a].unwrap_or(0);
        agg[k * n..(k + 1) * n].iter_mut().zip(&out).for_each(|(o, &v)| *o = v);
        Ok(())
    }
}
