//! Data preparation steps: denominate, impute, screen, treat (COINr-compatible).
//!
//! Each step takes a [`StepInput`](crate::pipeline::StepInput) and returns a new stage
//! plus log entries; formulas and the exact COINr semantics are on each step type.

mod denominate;
mod impute;
mod screen;
pub mod stats;
mod treat;

pub use denominate::Denominate;
pub use impute::{Impute, ImputeMethod};
pub use screen::{Screen, ScreenRow};
pub use treat::{ColumnTreatment, LogFallback, SkewKurtCheck, Treat, TreatMethod, WinMark};

#[cfg(test)]
pub(crate) mod testutil {
    //! A tiny framework (indicators `a` with denominator `pop`, `b`, `c`) and dataset helpers.
    use ndarray::{Array2, ShapeBuilder};

    use crate::data::Dataset;
    use crate::framework::Framework;
    use crate::pipeline::StageData;

    pub(crate) fn framework() -> Framework {
        Framework::from_toml_str(
            r#"
version = 1
[[nodes]]
id = "Index"
[[nodes]]
id = "a"
parent = "Index"
denominator = "pop"
[[nodes]]
id = "b"
parent = "Index"
[[nodes]]
id = "c"
parent = "Index"
"#,
        )
        .expect("test framework")
    }

    /// A dataset of `rows` (units × a, b, c), unit ids `u0`, `u1`, ...
    pub(crate) fn dataset(rows: &[[f64; 3]]) -> Dataset {
        let n = rows.len();
        let m = Array2::from_shape_fn((n, 3), |(i, j)| rows[i][j]);
        Dataset::new(
            (0..n).map(|i| format!("u{i}")).collect(),
            vec!["a".into(), "b".into(), "c".into()],
            m,
        )
        .expect("test dataset")
    }

    /// The raw stage of a dataset (all units, column-major).
    pub(crate) fn stage(ds: &Dataset) -> StageData {
        let mut values = Array2::zeros((ds.n_units(), 3).f());
        values.assign(&ds.values());
        StageData {
            units: (0..ds.n_units()).collect(),
            values,
        }
    }
}
