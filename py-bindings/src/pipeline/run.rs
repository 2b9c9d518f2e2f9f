//! `zhili._native.Run`: a pipeline's run and everything it kept (stages, log, scores and
//! ranks at every node), lazily rebuilt stages, the HTML and Excel reports, pickling.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use ndarray::Array2;
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use zhili_core::log::Level;
use zhili_core::pipeline::{Stage, StageData, Step};
use zhili_core::{Dataset, Error, FittedNormaliser, Framework, LogEntry, Pipeline, Results, Run, Ties};

use crate::data::{to_col_major, DatasetParts, ValuesView};
use crate::error::{guard, PyZResult, PyZhiliError, UnknownIdError};
use crate::framework::PyFramework;

/// The outcome of [`score`](super::score::score): every stage, the step log, scores and ranks at every node.
#[pyclass(name = "Run", module = "zhili._native", frozen)]
pub(crate) struct PyRun {
    pub(super) run: Run,
    /// Unit id of every dataset row (stage `units` index into this): the dataset's own.
    pub(super) units: Arc<[String]>,
    /// Time of every dataset row (panel data), if any.
    pub(super) time: Option<Vec<i64>>,
    pub(super) framework: Framework,
    /// Seconds spent in `Pipeline::run` (the engine alone), for overhead measurements.
    pub(super) core_seconds: f64,
    /// Seconds spent building the engine's `Dataset` (borrowing or copying the values, checks).
    pub(super) build_seconds: f64,
    /// The input-data row of each result row.
    pub(super) rows: Vec<usize>,
    /// The default (lazy) run: what rebuilds the stages on first access. `None` for an
    /// eager run (`keep_stages=True`, or a pipeline that screens) and a streaming one
    /// (`keep_stages=False`).
    pub(super) lazy: Option<Lazy>,
    /// The dataset and pipeline of the run (for the HTML report); `None` after unpickling.
    pub(super) inputs: Option<(Arc<Dataset>, Pipeline)>,
}

/// The inputs of a lazy run and, once asked for, its stages and its every-node results.
///
/// The default `score` runs the streaming path for the aggregates ([`Pipeline::score`]:
/// index and dimension scores, ranks, the log; no stages). The scores of every node (the
/// normalised indicators too) come from [`Pipeline::score_every_node`] and the stages from
/// [`Pipeline::run`] on the same pipeline, dataset and framework — the calls the eager
/// paths make — so they are the eager paths', bit for bit.
pub(super) struct Lazy {
    pub(super) pipeline: Pipeline,
    pub(super) dataset: Arc<Dataset>,
    pub(super) stages: OnceLock<Vec<Stage>>,
    /// Every node's results, when the run itself holds the aggregates only (`None`: the
    /// run holds them all, e.g. an unpickled run).
    pub(super) every: Option<OnceLock<Results>>,
}

impl Lazy {
    /// The stages, run on first use (GIL released) and cached.
    fn stages(&self, py: Python<'_>, fw: &Framework) -> PyResult<&[Stage]> {
        if let Some(s) = self.stages.get() {
            return Ok(s.as_slice());
        }
        let run = py.detach(|| {
            guard(|| {
                unchanged(&self.dataset)?;
                Ok(self.pipeline.run(fw, &self.dataset)?)
            })
        })?;
        // Another thread may have set it first: both computed the same stages.
        let _ = self.stages.set(run.stages);
        Ok(self.stages.get().map_or(&[], Vec::as_slice))
    }

    /// Every node's results, computed on first use (GIL released) and cached; `None` when
    /// the run holds them already.
    fn every(&self, py: Python<'_>, fw: &Framework) -> PyResult<Option<&Results>> {
        let Some(every) = &self.every else { return Ok(None) };
        if let Some(r) = every.get() {
            return Ok(Some(r));
        }
        let run = py.detach(|| {
            guard(|| {
                unchanged(&self.dataset)?;
                Ok(self.pipeline.score_every_node(fw, &self.dataset)?)
            })
        })?;
        // Another thread may have set it first: both computed the same results.
        let _ = every.set(run.results);
        Ok(every.get())
    }

    /// Stage names as the eager run has them, without running: `raw`, each preparation
    /// step's stage, `aggregated`.
    fn stage_names(&self) -> Vec<String> {
        std::iter::once("raw")
            .chain(
                self.pipeline
                    .steps
                    .iter()
                    .filter(|s| !matches!(s, Step::Aggregate(_)))
                    .map(Step::stage_name),
            )
            .chain(std::iter::once("aggregated"))
            .map(str::to_owned)
            .collect()
    }
}

/// The input-data row of each result row: the last stage's rows, or (stages not kept)
/// the result units matched in order against the data's units (results keep data order).
pub(super) fn result_rows_of(run: &Run, units: &[String]) -> Vec<usize> {
    if let Some(s) = run.stages.last() {
        return s.data.units.clone();
    }
    // The results are the data's units in order, some perhaps dropped: as many means all.
    if run.results.unit_ids().len() == units.len() {
        return (0..units.len()).collect();
    }
    let mut rows = Vec::with_capacity(run.results.unit_ids().len());
    let mut k = 0;
    for u in run.results.unit_ids() {
        while k < units.len() && &units[k] != u {
            k += 1;
        }
        rows.push(k.min(units.len().saturating_sub(1)));
        k += 1;
    }
    rows
}

/// The input data a result reads again later (lazy stages, the report, pickling) is the
/// data it was scored on: the dataset shares the caller's arrays, which the caller may have
/// written in place since.
///
/// # Errors
/// [`Error::Spec`] (a `DataError`) if the values changed.
fn unchanged(ds: &Dataset) -> PyZResult<()> {
    if ds.values_unchanged() {
        return Ok(());
    }
    Err(PyZhiliError(Error::spec(
        "dataset",
        "the input data was changed in place after `score`, and these results read it again (stages, report, pickling): \
         score again, or pass keep_stages=True to keep everything at once · score 之后输入数据被原地修改，\
         无法再据此计算中间阶段或报告：请重新调用 score，或使用 keep_stages=True",
    )))
}

fn spec_err(what: &str, e: impl std::fmt::Display) -> PyZhiliError {
    PyZhiliError(Error::spec(what, e.to_string()))
}

/// A read-only numpy view of an array owned by `owner` (no copy).
fn borrowed<'py>(a: &Array2<f64>, owner: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray2<f64>>> {
    // SAFETY: `owner` is a frozen pyclass that owns `a` and never mutates or moves it;
    // numpy keeps `owner` alive as the array's base object.
    let arr = unsafe { PyArray2::borrow_from_array(a, owner) };
    let kw = PyDict::new(arr.py());
    kw.set_item("write", false)?;
    arr.call_method("setflags", (), Some(&kw))?;
    Ok(arr)
}

impl PyRun {
    /// The results of every node (a default run computes them on first use), or the
    /// aggregates' alone (`keep_stages=False`).
    pub(super) fn results(&self, py: Python<'_>) -> PyResult<&Results> {
        match &self.lazy {
            Some(l) => Ok(l.every(py, &self.framework)?.unwrap_or(&self.run.results)),
            None => Ok(&self.run.results),
        }
    }

    /// Whether `results` may compute: the run holds only the aggregates of a lazy run.
    fn results_deferred(&self) -> bool {
        self.lazy.as_ref().is_some_and(|l| l.every.is_some())
    }

    /// The kept stages (eager run), the lazily built ones (default run), or none (streaming).
    fn stages(&self, py: Python<'_>) -> PyResult<&[Stage]> {
        match &self.lazy {
            Some(l) => l.stages(py, &self.framework),
            None => Ok(self.run.stages.as_slice()),
        }
    }

    fn stage_data(&self, py: Python<'_>, name: &str) -> PyResult<(&[usize], Option<&Array2<f64>>)> {
        if name == "aggregated" || name == "scores" {
            return Ok((&self.rows, None));
        }
        let names = self.stage_names();
        if names.iter().any(|n| n == name) {
            if let Some(s) = self.stages(py)?.iter().find(|s| s.name == name) {
                return Ok((&s.data.units, Some(&s.data.values)));
            }
        }
        let err = UnknownIdError::new_err(format!("unknown stage `{name}` (this run has: {})", names.join(", ")));
        let v = err.value(py);
        let _ = v.setattr("what", "stage");
        let _ = v.setattr("id", name);
        let _ = v.setattr("context", "run");
        Err(err)
    }
}

#[pymethods]
impl PyRun {
    /// The framework the run used (with any weights passed to `score` applied).
    #[getter]
    fn framework(&self) -> PyFramework {
        PyFramework {
            inner: self.framework.clone(),
        }
    }

    /// Ids of the units in the results (after screening), in data order.
    #[getter]
    fn unit_ids(&self) -> Vec<String> {
        self.run.results.unit_ids().to_vec()
    }

    /// Unit id of every row of the input data.
    #[getter]
    fn data_unit_ids(&self) -> Vec<String> {
        self.units.to_vec()
    }

    /// Time of every row of the input data (panel data), or `None`.
    #[getter]
    fn data_time(&self) -> Option<Vec<i64>> {
        self.time.clone()
    }

    /// Node ids (columns of `scores`), framework order.
    #[getter]
    fn node_ids(&self) -> Vec<String> {
        if self.results_deferred() {
            // every node's, without computing them (framework order, as `Results::new`)
            return self.framework.node_ids().into_iter().map(str::to_owned).collect();
        }
        self.run.results.node_ids().to_vec()
    }

    /// Indicator ids (columns of every indicator stage).
    #[getter]
    fn indicator_ids(&self) -> Vec<String> {
        self.framework.indicator_ids().into_iter().map(str::to_owned).collect()
    }

    /// Seconds the engine spent in `Pipeline::run` (NaN for an unpickled run).
    #[getter]
    fn core_seconds(&self) -> f64 {
        self.core_seconds
    }

    /// Seconds spent building the engine's dataset from the inputs (NaN for an unpickled run).
    #[getter]
    fn build_seconds(&self) -> f64 {
        self.build_seconds
    }

    /// The root node's id.
    #[getter]
    fn index_id(&self) -> String {
        self.run.results.index_id().to_owned()
    }

    /// The tie rule of the ranks (`min`, `max`, `average`, `dense`, `first`).
    #[getter]
    fn ties(&self) -> String {
        serde_json::to_value(self.run.results.ties())
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Units × nodes scores (read-only view, no copy).
    fn scores<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let a: &Array2<f64> = slf.get().results(slf.py())?.scores();
        // Extend the borrow to the owner: `slf` is frozen and owns the array (in its run, or
        // in its lazy results, which a `OnceLock` never moves or replaces once set).
        let a: *const Array2<f64> = a;
        // SAFETY: see `borrowed`; the pointer comes from `slf`, which outlives the view.
        borrowed(unsafe { &*a }, slf.into_any())
    }

    /// Units × nodes ranks (1 = best; NaN where the score is missing).
    fn ranks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let results = self.results(py)?;
        let r = guard(|| Ok(py.detach(|| results.ranks())))?;
        Ok(PyArray2::from_owned_array(py, r))
    }

    /// The index (root) scores (a copy; a default run has them without computing every node's).
    fn index_scores<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.run.results.index_scores().to_pyarray(py)
    }

    /// Whether every node's scores are in memory: always but for a default run, which
    /// builds them on first access to `scores`, `ranks` or a DataFrame of every node.
    #[getter]
    fn scores_built(&self) -> bool {
        match &self.lazy {
            Some(Lazy { every: Some(e), .. }) => e.get().is_some(),
            _ => true,
        }
    }

    /// Ranks of the index (root) only (1 = best).
    fn index_ranks<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_owned_array(py, py.detach(|| self.run.results.index_ranks()))
    }

    /// Rows of the input data that each result row comes from.
    fn result_rows(&self) -> Vec<usize> {
        self.rows.clone()
    }

    /// Stage names, in order: `raw`, each step's stage, `aggregated` (a default run
    /// names its stages without building them).
    fn stage_names(&self) -> Vec<String> {
        match &self.lazy {
            Some(l) => l.stage_names(),
            None => self.run.stage_names().into_iter().map(str::to_owned).collect(),
        }
    }

    /// Whether the stages are in memory: always for `keep_stages=True`, after the first
    /// access to a stage for the default (lazy) run, never for `keep_stages=False`.
    #[getter]
    fn stages_built(&self) -> bool {
        match &self.lazy {
            Some(l) => l.stages.get().is_some(),
            None => !self.run.stages.is_empty(),
        }
    }

    /// One stage: `(rows, values)` where `rows` are input-data rows and `values` is
    /// units × indicators (read-only, no copy). `aggregated` gives units × nodes scores.
    /// In a default (lazy) run, the first call builds every stage (see `Lazy`).
    fn stage<'py>(slf: Bound<'py, Self>, name: &str) -> PyResult<(Vec<usize>, Bound<'py, PyArray2<f64>>)> {
        let this = slf.get();
        let (rows, values) = this.stage_data(slf.py(), name)?;
        let rows = rows.to_vec();
        let a: *const Array2<f64> = match values {
            Some(v) => v,
            None => this.results(slf.py())?.scores(),
        };
        // SAFETY: as in `scores`.
        Ok((rows, borrowed(unsafe { &*a }, slf.into_any())?))
    }

    /// The step log as columns: `step, action, level, unit, indicator, value, detail`.
    fn log<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let l = &self.run.log;
        let d = PyDict::new(py);
        d.set_item("step", l.iter().map(|e| &*e.step).collect::<Vec<_>>())?;
        d.set_item("action", l.iter().map(|e| &*e.action).collect::<Vec<_>>())?;
        d.set_item(
            "level",
            l.iter()
                .map(|e| match e.level {
                    Level::Info => "info",
                    Level::Warning => "warning",
                })
                .collect::<Vec<_>>(),
        )?;
        d.set_item("unit", l.iter().map(|e| e.unit.as_deref()).collect::<Vec<_>>())?;
        d.set_item("indicator", l.iter().map(|e| e.indicator.as_deref()).collect::<Vec<_>>())?;
        d.set_item(
            "value",
            l.iter().map(|e| e.value.unwrap_or(f64::NAN)).collect::<Vec<_>>().to_pyarray(py),
        )?;
        d.set_item("detail", l.iter().map(|e| &*e.detail).collect::<Vec<_>>())?;
        Ok(d)
    }

    /// Each node's effective weight in the index, in node order.
    fn effective_weights<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        if self.results_deferred() {
            // every node's, as `Results::new` takes them
            return self.framework.effective_weights().to_pyarray(py);
        }
        self.run.results.effective_weights().to_pyarray(py)
    }

    /// The fitted normaliser (method and learned parameters) as JSON, if the pipeline normalised.
    fn normaliser_json(&self) -> PyResult<Option<String>> {
        guard(|| {
            self.run
                .normaliser
                .as_ref()
                .map(|n| serde_json::to_string(n).map_err(|e| spec_err("normaliser", e)))
                .transpose()
        })
    }

    /// The self-contained HTML report of this run (see `zhili report`): `lang` `zh` / `en`
    /// (default: the framework's language), `uncertainty` Monte Carlo runs and `sensitivity`
    /// Sobol base sample N (none: no section), `factors_json` the uncertain factors (default:
    /// weights × U(0.75, 1.25) per level), `grading_toml` grades of the index.
    #[pyo3(signature = (*, lang = None, uncertainty = None, sensitivity = None, factors_json = None, seed = 1, grading_toml = None, command = None))]
    #[allow(clippy::too_many_arguments)]
    fn html_report(
        &self,
        py: Python<'_>,
        lang: Option<&str>,
        uncertainty: Option<usize>,
        sensitivity: Option<usize>,
        factors_json: Option<&str>,
        seed: u64,
        grading_toml: Option<&str>,
        command: Option<String>,
    ) -> PyResult<String> {
        use zhili::io::report::{html_report, ReportInputs, ReportOptions};
        let Some((data, pipeline)) = &self.inputs else {
            return Err(PyZhiliError(Error::spec(
                "report",
                "these results were unpickled and no longer hold their data: score again to write a report",
            ))
            .into());
        };
        unchanged(data)?;
        let lang = match lang {
            Some(l) => Some(zhili::io::Lang::parse(l).ok_or_else(|| spec_err("lang", format!("unknown language `{l}` (use zh or en)")))?),
            None => None,
        };
        let factors: Vec<zhili_core::analysis::uncertainty::Factor> = match factors_json {
            Some(j) => serde_json::from_str(j).map_err(|e| spec_err("factors", e))?,
            None => Vec::new(),
        };
        let grading = match grading_toml {
            Some(t) => Some(guard(|| Ok(zhili_indicators::GradingSpec::from_toml_str(t, "grading")?))?),
            None => None,
        };
        let fw = &self.framework;
        py.detach(|| {
            guard(|| {
                let opts = ReportOptions {
                    lang: zhili::io::Lang::resolve(lang, Some(fw)),
                    uncertainty,
                    sensitivity,
                    factors,
                    seed,
                    command,
                    framework_source: fw.spec().id.clone(),
                    data_source: Some("Python".to_owned()),
                    ..ReportOptions::default()
                };
                Ok(html_report(
                    ReportInputs {
                        framework: fw,
                        data,
                        pipeline,
                        grading: grading.as_ref(),
                    },
                    &opts,
                )?)
            })
        })
    }

    /// Write the results workbook (`ranking`, `scores`, `weights`, stages when asked, `log`,
    /// `framework`) to `path`, atomically. `lang`: `zh` / `en` (default: the framework's);
    /// `unit_names`: one per result row; `grading`: a grading TOML document.
    #[pyo3(signature = (path, *, lang=None, stages=false, unit_names=None, grading=None))]
    fn to_excel(
        &self,
        py: Python<'_>,
        path: std::path::PathBuf,
        lang: Option<&str>,
        stages: bool,
        unit_names: Option<Vec<String>>,
        grading: Option<String>,
    ) -> PyResult<()> {
        let lang = match lang {
            None => zhili::io::Lang::resolve(None, Some(&self.framework)),
            Some(l) => zhili::io::Lang::parse(l).ok_or_else(|| spec_err("lang", format!("unknown language `{l}` (use zh or en)")))?,
        };
        let grading = grading
            .map(|g| zhili_indicators::GradingSpec::from_toml_str(&g, "grading"))
            .transpose()
            .map_err(PyZhiliError)?;
        let results = self.results(py)?;
        // A lazy run builds its stages here, on first use, exactly as the eager run keeps them.
        let kept: &[Stage] = match (&self.lazy, stages) {
            (_, false) => &[],
            (Some(l), true) => l.stages(py, &self.framework)?,
            (None, true) => &self.run.stages,
        };
        guard(|| {
            py.detach(|| {
                let x = zhili::io::ResultsExport::new(&self.framework, results, lang)
                    .with_log(&self.run.log)
                    .with_unit_names(unit_names.as_deref())
                    .with_grading(grading.as_ref())
                    .with_stages(
                        (!kept.is_empty()).then_some(zhili::io::write::StagesExport {
                            stages: kept,
                            unit_ids: &self.units,
                            unit_names: None,
                        }),
                        Some(self.rows.clone()),
                    );
                let bytes = x.xlsx_bytes()?;
                zhili::io::write_file(&path, [], |w| {
                    w.write_all(&bytes)
                        .map_err(|e| Error::spec("output", format!("cannot write {}: {e}", path.display())))
                })?;
                Ok(())
            })
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<zhili._native.Run {} units × {} nodes, stages {}>",
            self.run.results.unit_ids().len(),
            self.node_ids().len(),
            self.stage_names().join(", ")
        )
    }

    fn __reduce__<'py>(slf: Bound<'py, Self>) -> PyResult<(Py<PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let f = py.import("zhili._native")?.getattr("_run_from_state")?.unbind();
        // A lazy run pickles its inputs, not its stages: it unpickles lazy, and builds the
        // same stages on demand.
        let stages = PyList::empty(py);
        for s in &this.run.stages {
            stages.append((s.name.clone(), s.data.units.clone(), s.data.values.to_pyarray(py)))?;
        }
        let lazy = match &this.lazy {
            None => py.None().into_bound(py),
            Some(l) => {
                let ds = &l.dataset;
                unchanged(ds)?;
                let groups = PyDict::new(py);
                for (k, g) in ds.groups() {
                    groups.set_item(k, g.clone())?;
                }
                let numeric = PyDict::new(py);
                for (k, v) in ds.numeric() {
                    numeric.set_item(k, v.to_pyarray(py))?;
                }
                let pipeline = guard(|| Ok(l.pipeline.to_json_string()?))?;
                PyTuple::new(
                    py,
                    [
                        pipeline.into_pyobject(py)?.into_any(),
                        ds.indicator_ids().to_vec().into_pyobject(py)?.into_any(),
                        ds.values().to_pyarray(py).into_any(),
                        ds.unit_names().map(<[String]>::to_vec).into_pyobject(py)?.into_any(),
                        groups.into_any(),
                        numeric.into_any(),
                    ],
                )?
                .into_any()
            }
        };
        let log = guard(|| serde_json::to_string(&this.run.log).map_err(|e| spec_err("log", e)))?;
        let fw = guard(|| Ok(this.framework.spec().to_json_string()?))?;
        let args = PyTuple::new(
            py,
            [
                fw.into_pyobject(py)?.into_any(),
                this.ties().into_pyobject(py)?.into_any(),
                this.units.to_vec().into_pyobject(py)?.into_any(),
                this.time.clone().into_pyobject(py)?.into_any(),
                stages.into_any(),
                log.into_pyobject(py)?.into_any(),
                this.normaliser_json()?.into_pyobject(py)?.into_any(),
                this.unit_ids().into_pyobject(py)?.into_any(),
                this.results(py)?.scores().to_pyarray(py).into_any(),
                lazy,
            ],
        )?;
        Ok((f, args))
    }
}

/// What a pickled lazy run carries to rebuild its stages: the pipeline (JSON) and the
/// dataset (indicator ids, values, unit names, group and numeric columns).
type LazyState<'py> = (
    String,
    Vec<String>,
    PyReadonlyArray2<'py, f64>,
    Option<Vec<String>>,
    BTreeMap<String, Vec<Option<String>>>,
    BTreeMap<String, PyReadonlyArray1<'py, f64>>,
);

/// The dataset of a pickled lazy run, built as `score` built it.
fn dataset_from_state(units: &[String], time: Option<&[i64]>, state: &LazyState<'_>) -> PyZResult<Dataset> {
    let (_, ids, values, names, groups, numeric) = state;
    DatasetParts {
        unit_ids: units.to_vec(),
        indicator_ids: ids.clone(),
        values: ValuesView::Matrix(values.as_array()),
        unit_names: names.clone(),
        groups: groups.clone(),
        numeric: numeric.iter().map(|(k, v)| (k.clone(), v.as_array())).collect(),
        time: time.map(<[i64]>::to_vec),
    }
    .build()
}

/// Unpickle helper: rebuild a run from its parts (`lazy`: the inputs of a lazy run).
#[pyfunction]
#[pyo3(signature = (framework_json, ties, units, time, stages, log_json, normaliser_json, result_units, scores, lazy = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _run_from_state(
    framework_json: &str,
    ties: &str,
    units: Vec<String>,
    time: Option<Vec<i64>>,
    stages: Vec<(String, Vec<usize>, PyReadonlyArray2<'_, f64>)>,
    log_json: &str,
    normaliser_json: Option<String>,
    result_units: Vec<String>,
    scores: PyReadonlyArray2<'_, f64>,
    lazy: Option<LazyState<'_>>,
) -> PyResult<PyRun> {
    let stages: Vec<Stage> = stages
        .into_iter()
        .map(|(name, units, v)| Stage {
            name,
            data: StageData {
                units,
                values: to_col_major(v.as_array()),
            },
        })
        .collect();
    let scores = to_col_major(scores.as_array());
    guard(|| {
        let framework = Framework::from_json_str(framework_json)?;
        let ties: Ties = serde_json::from_value(serde_json::Value::String(ties.to_owned())).map_err(|e| spec_err("ties", e))?;
        let log: Vec<LogEntry> = serde_json::from_str(log_json).map_err(|e| spec_err("log", e))?;
        let normaliser: Option<FittedNormaliser> = normaliser_json
            .map(|s| serde_json::from_str(&s).map_err(|e| spec_err("normaliser", e)))
            .transpose()?;
        let results = Results::new(&framework, result_units, scores, ties);
        let run = Run {
            stages,
            log,
            normaliser,
            results,
        };
        let lazy = match &lazy {
            Some(state) => Some(Lazy {
                pipeline: Pipeline::from_json_str(&state.0)?,
                dataset: Arc::new(dataset_from_state(&units, time.as_deref(), state)?),
                stages: OnceLock::new(),
                // pickled with every node's scores
                every: None,
            }),
            None => None,
        };
        Ok(PyRun {
            rows: result_rows_of(&run, &units),
            run,
            units: units.into(),
            time,
            framework,
            core_seconds: f64::NAN,
            build_seconds: f64::NAN,
            inputs: lazy.as_ref().map(|l| (Arc::clone(&l.dataset), l.pipeline.clone())),
            lazy,
        })
    })
}
