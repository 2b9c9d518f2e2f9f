//! What `zhili serve` serves: the loaded framework, data and pipeline, and where it listens.

use std::net::IpAddr;
use std::path::PathBuf;

use zhili_core::{Dataset, Framework, Pipeline};
use zhili_indicators::GradingSpec;
use zhili_io::{DataOptions, Lang};

/// Everything the workbench needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The framework (its weights are the baseline scenario).
    pub framework: Framework,
    /// The data: one period, or a panel (then `year` is scored and the unit page shows
    /// the rank across every period).
    pub data: Dataset,
    /// The period scored (panel data); default the latest.
    pub year: Option<i64>,
    /// The nominal pipeline.
    pub pipeline: Pipeline,
    /// Grading bands of the index (default: 优/良/中/差 at 85 / 70 / 60).
    pub grading: Option<GradingSpec>,
    /// The page's first language.
    pub lang: Lang,
    /// How uploaded data files are read (unit / name / time columns).
    pub data_options: DataOptions,
    /// A label of the data's source (shown on the page; never a path the client can use).
    pub data_label: String,
    /// The SQLite scenario store.
    pub db: PathBuf,
    /// Address to bind.
    pub host: IpAddr,
    /// Port (0 = any free port).
    pub port: u16,
    /// Access token; required to bind anything but a loopback address.
    pub token: Option<String>,
    /// Largest JSON body accepted (bytes).
    pub max_body: usize,
    /// Largest data upload accepted (bytes).
    pub max_upload: usize,
}

impl Config {
    /// A configuration with the defaults: 127.0.0.1:8600, `zhili-workbench.sqlite`, no token,
    /// 1 MiB JSON bodies, 20 MiB uploads.
    pub fn new(framework: Framework, data: Dataset, pipeline: Pipeline) -> Self {
        let lang = Lang::resolve(None, Some(&framework));
        Config {
            framework,
            data,
            year: None,
            pipeline,
            grading: None,
            lang,
            data_options: DataOptions::default(),
            data_label: String::new(),
            db: PathBuf::from("zhili-workbench.sqlite"),
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8600,
            token: None,
            max_body: 1 << 20,
            max_upload: 20 << 20,
        }
    }
}
