//! The server's state: the loaded inputs, the prepared-data cache, the store and the jobs.
//!
//! Weights do not enter any step before the aggregation, so the stage the aggregation reads
//! (imputed, treated, normalised) is computed once per (data, period, preparation steps) and
//! kept; a weights-only change re-aggregates that matrix with the same call
//! [`zhili_core::Pipeline::run`] makes, so the numbers are the CLI's bit for bit.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ndarray::Array2;
use zhili_core::{Aggregate, Dataset, Framework, LogEntry, Pipeline, Results, Step};
use zhili_indicators::GradingSpec;
use zhili_io::{DataOptions, Lang};

use crate::error::{ApiError, ApiResult};
use crate::jobs::Jobs;
use crate::store::Store;
use crate::Config;

/// The inputs being served; replaced as a whole when data is uploaded.
#[derive(Debug)]
pub(crate) struct Base {
    /// Bumped on each replacement (keys the cache).
    pub(crate) generation: u64,
    pub(crate) framework: Framework,
    pub(crate) framework_id: String,
    /// Every period (equal to `data` without a time column).
    pub(crate) panel: Dataset,
    /// The period scored.
    pub(crate) data: Dataset,
    pub(crate) year: Option<i64>,
    pub(crate) years: Vec<i64>,
    pub(crate) pipeline: Pipeline,
    pub(crate) grading: GradingSpec,
    pub(crate) grading_fallback: bool,
    pub(crate) lang: Lang,
    /// Fingerprint of the scored period's data (saved with scenarios).
    pub(crate) fingerprint: String,
    pub(crate) data_label: String,
    pub(crate) data_options: DataOptions,
}

/// The stage the aggregation reads, for one (data, period, preparation steps).
#[derive(Debug)]
pub(crate) struct Prepared {
    /// Included units × indicators.
    pub(crate) values: Array2<f64>,
    pub(crate) unit_ids: Arc<[String]>,
    /// The included units' names, if the data has names.
    pub(crate) names: Vec<Option<String>>,
    /// The preparation steps' log.
    pub(crate) log: Vec<LogEntry>,
    /// The normaliser's scale maximum, when known (obstacle degree).
    pub(crate) scale_max: Option<f64>,
}

/// One scoring: the framework with the weights, its results and the stage they came from.
#[derive(Debug)]
pub(crate) struct Scored {
    pub(crate) framework: Framework,
    pub(crate) pipeline: Pipeline,
    pub(crate) prepared: Arc<Prepared>,
    pub(crate) results: Results,
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) base: RwLock<Arc<Base>>,
    cache: Mutex<Cache>,
    generation: AtomicU64,
    pub(crate) store: Store,
    pub(crate) jobs: Jobs,
    pub(crate) uploads: crate::api::data::Uploads,
    pub(crate) token: Option<String>,
    pub(crate) max_body: usize,
    pub(crate) max_upload: usize,
}

/// A small cache of prepared stages, oldest dropped first.
#[derive(Default)]
struct Cache {
    map: HashMap<String, Arc<Prepared>>,
    order: VecDeque<String>,
}

const CACHE_ENTRIES: usize = 16;

impl AppState {
    /// Build the state from a configuration, opening (and migrating) the store.
    ///
    /// # Errors
    /// The store cannot be opened; the period asked for is not in the data.
    pub fn new(cfg: &Config) -> Result<Self, crate::ServeError> {
        let store = Store::open(&cfg.db).map_err(|e| crate::ServeError::Store(format!("{}: {e}", cfg.db.display())))?;
        let base = make_base(
            0,
            cfg.framework.clone(),
            cfg.data.clone(),
            cfg.year,
            cfg.pipeline.clone(),
            cfg.grading.clone(),
            cfg.lang,
            cfg.data_label.clone(),
            cfg.data_options.clone(),
        )
        .map_err(|e| crate::ServeError::Input(e.message))?;
        Ok(AppState {
            inner: Arc::new(Inner {
                base: RwLock::new(Arc::new(base)),
                cache: Mutex::new(Cache::default()),
                generation: AtomicU64::new(0),
                store,
                jobs: Jobs::default(),
                uploads: crate::api::data::Uploads::default(),
                token: cfg.token.clone(),
                max_body: cfg.max_body,
                max_upload: cfg.max_upload,
            }),
        })
    }

    /// The inputs being served now.
    pub(crate) fn base(&self) -> Arc<Base> {
        match self.inner.base.read() {
            Ok(b) => Arc::clone(&b),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replace the data (after an upload was validated).
    pub(crate) fn replace_data(&self, data: Dataset, label: String) -> ApiResult<Arc<Base>> {
        let old = self.base();
        let generation = self.inner.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let base = make_base(
            generation,
            old.framework.clone(),
            data,
            None,
            old.pipeline.clone(),
            (!old.grading_fallback).then(|| old.grading.clone()),
            old.lang,
            label,
            old.data_options.clone(),
        )?;
        let base = Arc::new(base);
        match self.inner.base.write() {
            Ok(mut b) => *b = Arc::clone(&base),
            Err(poisoned) => *poisoned.into_inner() = Arc::clone(&base),
        }
        Ok(base)
    }

    /// The prepared stage of `data` (the scored period, or `year` of the panel) under `pipeline`.
    pub(crate) fn prepared(&self, base: &Base, pipeline: &Pipeline, year: Option<i64>) -> ApiResult<Arc<Prepared>> {
        let prep_steps = &pipeline.steps[..pipeline.steps.len().saturating_sub(1)];
        let key = format!(
            "{}|{}|{}",
            base.generation,
            year.map_or_else(|| "-".to_owned(), |y| y.to_string()),
            serde_json::to_string(prep_steps).unwrap_or_default()
        );
        if let Some(p) = self.lock_cache().map.get(&key) {
            return Ok(Arc::clone(p));
        }
        let data = match year {
            Some(y) if Some(y) != base.year => base.panel.at_time(y)?,
            _ => base.data.clone(),
        };
        let run = pipeline.run(&base.framework, &data)?;
        let last = run
            .stages
            .last()
            .ok_or_else(|| ApiError::internal("the pipeline produced no stage"))?;
        let rows = last.data.units.clone();
        let unit_ids: Arc<[String]> = if rows.len() == data.n_units() && rows.iter().enumerate().all(|(k, &u)| k == u) {
            data.unit_ids_shared()
        } else {
            rows.iter().map(|&r| data.unit_ids()[r].clone()).collect()
        };
        let names = rows.iter().map(|&r| data.unit_names().and_then(|n| n.get(r).cloned())).collect();
        let prepared = Arc::new(Prepared {
            values: last.data.values.clone(),
            names,
            unit_ids,
            log: run.log,
            scale_max: scale_max(pipeline),
        });
        let mut cache = self.lock_cache();
        if cache.order.len() >= CACHE_ENTRIES {
            if let Some(old) = cache.order.pop_front() {
                cache.map.remove(&old);
            }
        }
        cache.order.push_back(key.clone());
        cache.map.insert(key, Arc::clone(&prepared));
        Ok(prepared)
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.inner.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Score with these weights and pipeline (`None`: the served pipeline), optionally for
    /// another period of the panel.
    pub(crate) fn score(
        &self,
        base: &Base,
        weights: &BTreeMap<String, f64>,
        pipeline: Option<&Pipeline>,
        year: Option<i64>,
    ) -> ApiResult<Scored> {
        let pipeline = pipeline.unwrap_or(&base.pipeline).clone();
        check_weights(&base.framework, weights)?;
        let framework = base.framework.with_weights(weights.iter().map(|(k, v)| (k.as_str(), *v)))?;
        let prepared = self.prepared(base, &pipeline, year)?;
        let aggregate = aggregate_step(&pipeline)?;
        // Exactly what `Pipeline::run` does after the preparation steps.
        let w: Vec<f64> = framework.nodes().iter().map(|n| n.weight).collect();
        let ids: Vec<&str> = prepared.unit_ids.iter().map(String::as_str).collect();
        let scores = aggregate.apply(&framework, &w, prepared.values.view(), &ids)?;
        let results = Results::new(&framework, Arc::clone(&prepared.unit_ids), scores, pipeline.ties);
        Ok(Scored {
            framework,
            pipeline,
            prepared,
            results,
        })
    }
}

/// Refuse what a weight set must not hold, naming the node: unknown ids, negative or
/// non-finite weights (the framework's own validation would also refuse them, in one list).
pub(crate) fn check_weights(fw: &Framework, weights: &BTreeMap<String, f64>) -> ApiResult<()> {
    for (id, &w) in weights {
        if fw.index_of(id).is_none() {
            return Err(ApiError::bad(format!("unknown node id `{id}` in the weights"))
                .with("kind", "unknown_node")
                .with("node", id.clone()));
        }
        if !w.is_finite() || w < 0.0 {
            return Err(
                ApiError::bad(format!("weight of node `{id}` is {w}: weights must be finite and not negative"))
                    .with("kind", "bad_weight")
                    .with("node", id.clone()),
            );
        }
    }
    Ok(())
}

/// The pipeline's aggregate step (its last).
pub(crate) fn aggregate_step(p: &Pipeline) -> ApiResult<&Aggregate> {
    match p.steps.last() {
        Some(Step::Aggregate(a)) => Ok(a),
        _ => Err(ApiError::bad("bad pipeline document: the last step must be `aggregate`").with("document", "pipeline")),
    }
}

/// The top of the normalised scale when the method fixes it (obstacle degree needs [0, max]).
fn scale_max(p: &Pipeline) -> Option<f64> {
    let n = p.steps.iter().find_map(|s| match s {
        Step::Normalise(n) => Some(n),
        _ => None,
    })?;
    let v = serde_json::to_value(n).ok()?;
    match v.get("method")?.as_str()? {
        "minmax" if v.get("lo").and_then(serde_json::Value::as_f64) == Some(0.0) => v.get("hi")?.as_f64(),
        "goalposts" => v.get("scale")?.as_f64(),
        "percentile" | "dist_to_max" | "frac_max" => Some(1.0),
        _ => None,
    }
}

/// 优 / 良 / 中 / 差 at 85 / 70 / 60, when the framework has no grading.
pub(crate) fn fallback_grading() -> ApiResult<GradingSpec> {
    const TOML: &str = r#"
version = 1
id = "default"
name = { zh = "等级", en = "Grade" }
[[bands]]
id = "excellent"
name = { zh = "优", en = "excellent" }
min = 85.0
[[bands]]
id = "good"
name = { zh = "良", en = "good" }
min = 70.0
[[bands]]
id = "fair"
name = { zh = "中", en = "fair" }
min = 60.0
[[bands]]
id = "poor"
name = { zh = "差", en = "poor" }
"#;
    GradingSpec::from_toml_str(TOML, "built-in grading").map_err(ApiError::from)
}

/// A stable fingerprint of a dataset (FNV-1a 64 over ids, indicator ids and value bits).
pub(crate) fn fingerprint(d: &Dataset) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for u in d.unit_ids() {
        eat(u.as_bytes());
        eat(&[0]);
    }
    for i in d.indicator_ids() {
        eat(i.as_bytes());
        eat(&[1]);
    }
    for v in d.values() {
        eat(&v.to_bits().to_le_bytes());
    }
    if let Some(t) = d.time() {
        for y in t {
            eat(&y.to_le_bytes());
        }
    }
    format!("fnv1a64:{h:016x}")
}

#[allow(clippy::too_many_arguments)]
fn make_base(
    generation: u64,
    framework: Framework,
    panel: Dataset,
    year: Option<i64>,
    pipeline: Pipeline,
    grading: Option<GradingSpec>,
    lang: Lang,
    data_label: String,
    data_options: DataOptions,
) -> ApiResult<Base> {
    pipeline.check()?;
    let mut years: Vec<i64> = panel.time().map(<[i64]>::to_vec).unwrap_or_default();
    years.sort_unstable();
    years.dedup();
    let (data, year) = match (panel.time(), year) {
        (None, None) => (panel.clone(), None),
        (None, Some(_)) => return Err(ApiError::bad("a year was given but the data has no time column")),
        (Some(_), y) => {
            let y = y.or_else(|| years.last().copied()).unwrap_or_default();
            (panel.at_time(y)?, Some(y))
        }
    };
    let (grading, grading_fallback) = match grading {
        Some(g) => (g, false),
        None => (fallback_grading()?, true),
    };
    Ok(Base {
        generation,
        framework_id: framework.spec().id.clone().unwrap_or_else(|| "framework".into()),
        fingerprint: fingerprint(&data),
        framework,
        panel,
        data,
        year,
        years,
        pipeline,
        grading,
        grading_fallback,
        lang,
        data_label,
        data_options,
    })
}
