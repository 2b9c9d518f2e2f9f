//! The Monte Carlo driver: the nominal run, chunks of runs in parallel, ranks and outputs.

use rayon::prelude::*;

use super::*;

/// Per-target rank histograms, the kept runs' index scores and the runs' scalar outputs.
type ChunkOutput = (Vec<Vec<RankHistogram>>, Vec<Vec<f64>>, Vec<f64>);

impl Engine<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_one(
        &self,
        p: &RunPlan,
        opts: &ExecOptions,
        nominal: Option<&[u32]>,
        pre: Pre,
        agg: &mut [f64],
        t: &mut Temps,
        full: &mut [f64],
        rs: &mut RankScratch,
        ranks: &mut [u32],
    ) -> Result<RunOut> {
        let key = (p.impute, p.treat, p.normalise);
        let var = self
            .variants
            .get(&key)
            .ok_or_else(|| Error::spec("uncertainty analysis", "internal: variant not prepared"))?;
        let ap = match p.aggregate {
            Some(a) => &self.aggs[a],
            None => &self.base_agg,
        };
        let all_nodes = opts.targets.iter().any(|&t| t != self.fw.root());
        let excluded;
        let w: &[f64] = match p.exclude {
            Some(e) => {
                let mut v = p.weights.clone();
                v[e] = 0.0;
                excluded = v;
                &excluded
            }
            None => &p.weights,
        };
        let nd = self.data.n_units();
        // the index's ranks alone need no exact index scores
        let log_ok = opts.targets == [self.fw.root()] && !opts.keep_runs && var.units.len() == nd;
        let full_nodes = self.score(var, ap, w, all_nodes, pre, agg, t, log_ok)?;
        if let Some(lr) = t.log_root {
            let cols: Vec<(&[f64], f64, Option<ValueMap>)> = self.fw.nodes()[self.fw.root()]
                .children
                .iter()
                .filter(|&&c| w[c] != 0.0)
                .filter_map(|&c| Some((self.child_col(var, c, agg)?, w[c], self.slot[c].and_then(|k| t.deferred[k]))))
                .collect();
            let exact = |i: usize| self.exact_geometric(&cols, lr.wsum, i);
            rank_into_bounded(&t.num[..nd], lr.eps, &exact, self.pipeline.ties, rs, &mut ranks[..nd]);
            let y = Self::output(opts.output, exact, &ranks[..nd], nominal);
            return Ok(RunOut { scores: None, y });
        }
        let mut scores = None;
        let mut y = f64::NAN;
        for (ti, &node) in opts.targets.iter().enumerate() {
            let col = self.node_col(var, node, full_nodes, agg);
            let sc = Self::over_units(var, col, full);
            rank_into(sc, self.pipeline.ties, rs, &mut ranks[ti * nd..(ti + 1) * nd]);
            if ti == 0 {
                if opts.keep_runs {
                    scores = Some(sc.to_vec());
                }
                y = Self::output(opts.output, |u| sc[u], &ranks[..nd], nominal);
            }
        }
        Ok(RunOut { scores, y })
    }

    /// A run's scalar output from its index scores and ranks.
    pub(super) fn output(output: Option<Output>, score: impl Fn(usize) -> f64, ranks: &[u32], nominal: Option<&[u32]>) -> f64 {
        match output {
            None => f64::NAN,
            Some(Output::Score(u)) => score(u),
            Some(Output::Rank(u)) => match ranks[u] {
                0 => f64::NAN,
                r => f64::from(r),
            },
            Some(Output::MeanAbsRankShift) => {
                let nom = nominal.unwrap_or(&[]);
                let (mut tot, mut k) = (0u64, 0u64);
                for (&r, &q) in ranks.iter().zip(nom) {
                    if r > 0 && q > 0 {
                        tot += u64::from(r.abs_diff(q));
                        k += 1;
                    }
                }
                if k == 0 {
                    f64::NAN
                } else {
                    tot as f64 / k as f64
                }
            }
        }
    }

    /// Run `n_runs` runs described by `plan`, in chunks, in parallel; per-target rank
    /// histograms are integer counts, identical whatever the order, batching or threading.
    pub(crate) fn execute<'p, P>(&self, n_runs: usize, plan: P, opts: &ExecOptions, monitor: &Monitor<'_>) -> Result<ExecOutput>
    where
        P: Fn(usize) -> Result<std::borrow::Cow<'p, RunPlan>> + Sync,
    {
        let nd = self.data.n_units();
        let nt = opts.targets.len();
        // nominal run
        let nominal_plan = RunPlan {
            impute: None,
            treat: None,
            normalise: None,
            aggregate: None,
            weights: self.nominal_weights.clone(),
            exclude: None,
        };
        let Scratch {
            mut agg,
            mut t,
            mut full,
            mut rs,
            ..
        } = self.scratch();
        agg.resize(self.run_len(nd), 0.0);
        let nom_opts = ExecOptions {
            output: None,
            keep_runs: false,
            ..opts.clone()
        };
        let mut nom_ranks = vec![0u32; nd * nt];
        self.run_one(
            &nominal_plan,
            &nom_opts,
            None,
            Pre::None,
            &mut agg,
            &mut t,
            &mut full,
            &mut rs,
            &mut nom_ranks,
        )?;
        let mut nominal_scores = Vec::with_capacity(nt);
        let var0 = &self.variants[&(None, None, None)];
        let full0 = self.score(
            var0,
            &self.base_agg,
            &self.nominal_weights,
            true,
            Pre::None,
            &mut agg,
            &mut t,
            false,
        )?;
        for &node in &opts.targets {
            let col = self.node_col(var0, node, full0, &agg);
            nominal_scores.push(Self::over_units(var0, col, &mut full).to_vec());
        }
        let nominal_ranks: Vec<Vec<u32>> = nom_ranks.chunks_exact(nd).map(<[u32]>::to_vec).collect();

        let (hists, run_scores, y) = if nd < 1 << 16 {
            self.run_chunks::<u16, P>(n_runs, &plan, opts, monitor, &nominal_ranks)?
        } else {
            self.run_chunks::<u32, P>(n_runs, &plan, opts, monitor, &nominal_ranks)?
        };
        Ok(ExecOutput {
            hists,
            nominal_ranks,
            nominal_scores,
            run_scores,
            y,
        })
    }

    /// The Monte Carlo loop of [`Engine::execute`]: runs in chunks, each chunk's ranks kept
    /// in cells of `R` until they are recorded in the histograms.
    pub(super) fn run_chunks<'p, R: RankCell, P>(
        &self,
        n_runs: usize,
        plan: &P,
        opts: &ExecOptions,
        monitor: &Monitor<'_>,
        nominal_ranks: &[Vec<u32>],
    ) -> Result<ChunkOutput>
    where
        P: Fn(usize) -> Result<std::borrow::Cow<'p, RunPlan>> + Sync,
    {
        let nd = self.data.n_units();
        let nt = opts.targets.len();
        let chunk = opts
            .chunk
            .unwrap_or_else(|| default_chunk(nd * nt.max(1) * std::mem::size_of::<R>()))
            .max(1);
        let mut hists: Vec<Vec<RankHistogram>> = vec![vec![RankHistogram::default(); nd]; nt];
        let mut run_scores = Vec::new();
        let mut y = Vec::with_capacity(if opts.output.is_some() { n_runs } else { 0 });
        // read back a block of units' ranks per run, a page or more apart: huge pages keep
        // those reads from missing the TLB
        let mut ranks_all = R::zeros(chunk.min(n_runs) * nd * nt)?;
        // rayon calls `map_init`'s init once per work split: a pool keeps the workers'
        // scratch (megabytes of slots) from being allocated and zeroed again each time
        let pool = std::sync::Mutex::new(Vec::new());
        let mut done = 0usize;
        while done < n_runs {
            if monitor.cancelled() {
                return Err(cancelled(done, n_runs));
            }
            let end = (done + chunk).min(n_runs);
            let plans = (done..end).into_par_iter().map(plan).collect::<Result<Vec<_>>>()?;
            // Runs that share prepared data and aggregation are batched together: each
            // matrix product then covers more runs (packing its data once for all). The
            // histograms do not depend on run order; per-run outputs return to run order.
            let key = |i: usize| {
                let p = &plans[i];
                (p.impute, p.treat, p.normalise, p.aggregate)
            };
            let mut order: Vec<usize> = (0..plans.len()).collect();
            order.sort_by_key(|&i| key(i));
            // at most 16 runs a batch: two cores share a chunk's batches more evenly, and a
            // geometric batch's slots (16 × 114 KB at 2,844 units) stay nearer L2 than 32's.
            // Many units: a product reads all the data from memory for its batch, so batches
            // stay as large as 128 MB of slots allow.
            let sub = (16_000_000 / (nd * (self.l2.len() + 1)).max(1)).clamp(1, 16);
            let batches = batch_bounds(&order, sub, |a, b| key(a) == key(b));
            // every run's ranks: run i of the chunk at i · per_run, target t at + t · nd
            let per_run = nd * nt;
            let mut rest = &mut ranks_all[..(end - done) * per_run];
            let mut parts = Vec::with_capacity(batches.len());
            for &(a, b) in &batches {
                let (part, tail) = std::mem::take(&mut rest).split_at_mut((b - a) * per_run);
                parts.push((a..b, part));
                rest = tail;
            }
            let outs: Vec<Result<Option<Vec<RunOut>>>> = parts
                .into_par_iter()
                .map_init(
                    || Pooled::take(&pool, || self.scratch()),
                    |s, (at, ranks)| {
                        if monitor.cancelled() {
                            return Ok(None);
                        }
                        let ours: Vec<&RunPlan> = order[at].iter().map(|&i| &*plans[i]).collect();
                        self.run_batch(&ours, opts, Some(&nominal_ranks[0]), s.get(), ranks).map(Some)
                    },
                )
                .collect();
            let ranks_buf = &ranks_all[..(end - done) * per_run];
            let mut batch: Vec<Option<RunOut>> = (done..end).map(|_| None).collect();
            let mut at = order.iter();
            for o in outs {
                match o? {
                    Some(o) => o.into_iter().zip(&mut at).for_each(|(o, &i)| batch[i] = Some(o)),
                    None => return Err(cancelled(done, n_runs)),
                }
            }
            for (t, h) in hists.iter_mut().enumerate() {
                let nomr = &nominal_ranks[t];
                // blocks of units: each run's ranks of a block are one cache line (half, in u16)
                h.par_chunks_mut(BLOCK).enumerate().for_each(|(b, hs)| {
                    let u0 = b * BLOCK;
                    record_block(hs, &nomr[u0..u0 + hs.len()], ranks_buf, per_run, t * nd + u0);
                });
            }
            for (i, o) in batch.into_iter().enumerate() {
                let Some(o) = o else { continue };
                if let Some(sc) = o.scores {
                    match monitor.runs {
                        Some(sink) => sink(done + i, &sc)?,
                        None => run_scores.push(sc),
                    }
                }
                if opts.output.is_some() {
                    y.push(o.y);
                }
            }
            done = end;
            if let Some(p) = monitor.progress {
                p(done, n_runs);
            }
        }
        Ok((hists, run_scores, y))
    }
}

/// Runs per chunk when a run's ranks take `run_bytes`: 8 MB of ranks (more runs stay in
/// cache between ranking and recording), but at least 64 runs while they fit in 32 MB, so
/// that with many units a chunk still gives each batch's product many runs.
fn default_chunk(run_bytes: usize) -> usize {
    let fit = |bytes: usize| bytes / run_bytes.max(1);
    fit(8_000_000).max(fit(32_000_000).min(64)).clamp(16, 1024)
}

/// Batches `(start, end)` of positions of `order`: each a run of neighbours with `same` key,
/// cut into near-equal parts of at most `sub` (a group of 17 is 9 + 8, not 16 + 1: each part
/// is one matrix product over the data).
fn batch_bounds(order: &[usize], sub: usize, same: impl Fn(usize, usize) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut a = 0;
    while a < order.len() {
        let mut b = a + 1;
        while b < order.len() && same(order[a], order[b]) {
            b += 1;
        }
        let parts = (b - a).div_ceil(sub.max(1));
        for p in 0..parts {
            out.push((a + (b - a) * p / parts, a + (b - a) * (p + 1) / parts));
        }
        a = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups are never mixed and cut into near-equal parts of at most `sub`.
    #[test]
    fn batches_follow_groups() {
        let keys = [0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2];
        let order: Vec<usize> = (0..keys.len()).collect();
        let b = batch_bounds(&order, 16, |a, b| keys[a] == keys[b]);
        assert_eq!(b, [(0, 5), (5, 6), (6, 14), (14, 23)]);
        assert!(batch_bounds(&[], 4, |_, _| true).is_empty());
        assert_eq!(batch_bounds(&order[..5], 2, |_, _| true), [(0, 1), (1, 3), (3, 5)]);
    }

    #[test]
    fn chunks_by_rank_bytes() {
        assert_eq!(default_chunk(2 * 2_844), 1024);
        assert_eq!(default_chunk(4 * 100_000), 64);
        assert_eq!(default_chunk(4 * 1_000_000), 16);
    }
}
