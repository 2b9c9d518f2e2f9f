//! The prepared data of each pipeline variant: its steps, applied once and shared.

use super::*;
use rayon::prelude::*;

impl Engine<'_> {
    /// The preparation steps (all but `aggregate`) of a variant.
    pub(super) fn variant_steps(&self, key: VariantKey) -> Vec<Step> {
        let mut steps: Vec<Step> = self.pipeline.steps[..self.pipeline.steps.len() - 1].to_vec();
        let norm_pos = |s: &[Step]| s.iter().position(|x| matches!(x, Step::Normalise(_))).unwrap_or(s.len());
        let put = |steps: &mut Vec<Step>, new: Option<Step>, is: fn(&Step) -> bool| {
            let pos = steps.iter().position(is);
            match (pos, new) {
                (Some(p), Some(s)) => steps[p] = s,
                (Some(p), None) => {
                    steps.remove(p);
                }
                (None, Some(s)) => {
                    let at = if matches!(s, Step::Normalise(_)) {
                        steps.len()
                    } else {
                        norm_pos(steps)
                    };
                    steps.insert(at, s);
                }
                (None, None) => {}
            }
        };
        if let Some(i) = key.0 {
            put(&mut steps, Some(Step::Impute(self.reg.impute[i].clone())), |s| {
                matches!(s, Step::Impute(_))
            });
        }
        if let Some(t) = key.1 {
            let new = match &self.reg.treat[t] {
                TreatChoice::Off(_) => None,
                TreatChoice::On(t) => Some(Step::Treat(t.clone())),
            };
            put(&mut steps, new, |s| matches!(s, Step::Treat(_)));
        }
        if let Some(n) = key.2 {
            put(&mut steps, Some(Step::Normalise(self.reg.normalise[n].clone())), |s| {
                matches!(s, Step::Normalise(_))
            });
        }
        steps
    }

    /// Compute the prepared data of every variant used, sharing the stages before the first
    /// step in which they differ.
    pub(crate) fn prepare(&mut self, keys: &BTreeSet<VariantKey>) -> Result<()> {
        let mut keys: Vec<VariantKey> = keys.iter().copied().filter(|k| !self.variants.contains_key(k)).collect();
        if !self.variants.contains_key(&(None, None, None)) {
            keys.insert(0, (None, None, None));
        }
        if keys.is_empty() {
            return Ok(());
        }
        // keys whose steps are the same (the nominal pipeline's normaliser chosen again, say)
        // share one variant: built once, held once
        let all_lists: Vec<Vec<Step>> = keys.iter().map(|&k| self.variant_steps(k)).collect();
        let mut lists: Vec<Vec<Step>> = Vec::new();
        let which: Vec<usize> = all_lists.iter().map(|l| intern(&mut lists, l)).collect();
        let mut common = lists[0].len();
        for l in &lists[1..] {
            common = common.min(l.iter().zip(&lists[0]).take_while(|(a, b)| a == b).count());
        }
        let raw = self.data.aligned_values(self.fw)?;
        let mut values = ndarray::Array2::<f64>::zeros(ndarray::ShapeBuilder::f(raw.dim()));
        values.assign(&raw);
        let mut base = StageData {
            units: (0..self.data.n_units()).collect(),
            values,
        };
        for s in &lists[0][..common] {
            base = apply_step(s, self.fw, self.data, &base)?;
        }
        let (fw, data, cols) = (self.fw, self.data, &self.cols);
        let mut fw_pos = vec![0; fw.nodes().len()];
        for (j, &i) in fw.indicators().iter().enumerate() {
            fw_pos[i] = j;
        }
        let fw_pos = &fw_pos;
        let want_ln = self.aggs.iter().chain(std::iter::once(&self.base_agg)).any(|ap| {
            self.l2
                .iter()
                .any(|&a| matches!(ap.methods[a], Aggregator::Geometric(g) if g.shift == 0.0))
        });
        let built: Vec<Result<Variant>> = lists
            .par_iter()
            .map(|steps| {
                let mut cur: Option<StageData> = None;
                for s in &steps[common..] {
                    cur = Some(apply_step(s, fw, data, cur.as_ref().unwrap_or(&base))?);
                }
                let st = cur.as_ref().unwrap_or(&base);
                let (n, m) = st.values.dim();
                let mut z: Vec<f64> = Vec::with_capacity(n * m);
                for &node in cols {
                    z.extend(st.values.column(fw_pos[node]).iter());
                }
                let col_nan: Vec<bool> = (0..m).map(|j| z[j * n..(j + 1) * n].iter().any(|x| x.is_nan())).collect();
                let has_nan = col_nan.iter().any(|&b| b);
                let lnz = (want_ln && !has_nan && z.iter().all(|&x| x > 0.0)).then(|| {
                    let mut l = vec![0.0; z.len()];
                    crate::kernels::vmath::ln_into(&mut l, &z);
                    l
                });
                Ok(Variant {
                    units: st.units.clone(),
                    z,
                    has_nan,
                    col_nan,
                    lnz,
                })
            })
            .collect();
        let built: Vec<std::sync::Arc<Variant>> = built.into_iter().map(|v| v.map(std::sync::Arc::new)).collect::<Result<_>>()?;
        for (k, w) in keys.into_iter().zip(which) {
            self.variants.insert(k, std::sync::Arc::clone(&built[w]));
        }
        Ok(())
    }
}
