//! What an export shows, decided once for every format: the rows (units, best first, `top`
//! of them), each unit's rank and grade, and the score columns.

use ndarray::Array1;
use zhili_core::NodeKind;
use zhili_indicators::{Band, GradingSpec};

use super::{Columns, ResultsExport};
use crate::Lang;

/// The rows and columns of an export, computed once from a [`ResultsExport`].
#[derive(Debug, Clone)]
pub struct RankedTable {
    /// Result rows (indices into `Results::unit_ids`), best first, missing scores last,
    /// cut to `top`.
    pub order: Vec<usize>,
    /// Index rank of every result row (1 = best, the results' tie rule; NaN if missing).
    pub ranks: Array1<f64>,
    /// Band of every result row (index into `GradingSpec::bands`, 0 = the first band),
    /// when a grading is given; `None` for a missing score.
    pub grades: Option<Vec<Option<usize>>>,
    /// Score columns written (indices into `Results::node_ids`): the index first, then the
    /// other nodes the [`Columns`] choice keeps, in framework order.
    pub columns: Vec<usize>,
}

impl RankedTable {
    /// Compute the table of an export.
    pub fn new(x: &ResultsExport<'_>) -> Self {
        let res = x.results;
        let (mut order, ranks) = res.ranking_and_ranks();
        if let Some(n) = x.top {
            order.truncate(n);
        }
        let grades = x.grading.map(|g| res.index_scores().iter().map(|&v| band_of(g, v)).collect());
        let index = res.node_ids().iter().position(|id| id == res.index_id()).unwrap_or(0);
        let mut columns = vec![index];
        for (j, id) in res.node_ids().iter().enumerate() {
            if j == index {
                continue;
            }
            let keep = match x.columns {
                Columns::All => true,
                Columns::Default => x
                    .framework
                    .index_of(id)
                    .is_some_and(|i| x.framework.nodes()[i].kind == NodeKind::Aggregate),
            };
            if keep {
                columns.push(j);
            }
        }
        RankedTable {
            order,
            ranks,
            grades,
            columns,
        }
    }

    /// The band of result row `i`, if graded and scored.
    pub fn band<'g>(&self, grading: Option<&'g GradingSpec>, i: usize) -> Option<(usize, &'g Band)> {
        let k = (*self.grades.as_ref()?.get(i)?)?;
        Some((k, grading?.bands.get(k)?))
    }
}

/// The band index of `v` (first band whose `min` it reaches), `None` for NaN.
fn band_of(g: &GradingSpec, v: f64) -> Option<usize> {
    let b = g.grade(v)?;
    g.bands.iter().position(|x| std::ptr::eq(x, b))
}

/// A band's name in `lang` (falling back to the other language, then its id).
pub fn band_label(b: &Band, lang: Lang) -> &str {
    lang.name(&b.name).unwrap_or(&b.id)
}
