#![doc = include_str!("../README.md")]

pub mod grading;
pub mod grid_events;
pub mod household;
mod sample;

use zhili_core::{Dataset, Error, Framework, FrameworkSpec, Pipeline, Result};

pub use grading::{Band, GradingSpec};
pub use sample::{to_csv, SampleData};

/// One bundled framework with its sample data, default pipeline and score grades.
#[derive(Debug, Clone, Copy)]
pub struct Bundled {
    /// Name used on the command line and in Python (`--framework kunming-county`).
    pub name: &'static str,
    /// One-line description (English).
    pub description: &'static str,
    /// The same description in Chinese.
    pub description_zh: &'static str,
    /// The framework document (TOML).
    pub framework: &'static str,
    /// The default pipeline (TOML); `None` = [`Pipeline::default`].
    pub pipeline: Option<&'static str>,
    /// The default sample data (CSV text of `datasets[0]`), if any.
    pub data: Option<&'static str>,
    /// Unit id column of the default sample data.
    pub unit_column: &'static str,
    /// Every sample data set of this framework; the first is the default (`data`).
    pub datasets: &'static [SampleData],
    /// Grades of the composite score (grading TOML, see [`GradingSpec`]), if any.
    pub grading: Option<&'static str>,
}

impl Bundled {
    /// The description in a language: `"zh"` gives [`Bundled::description_zh`], anything
    /// else [`Bundled::description`].
    pub fn describe(&self, lang: &str) -> &'static str {
        if lang == "zh" {
            self.description_zh
        } else {
            self.description
        }
    }

    /// The framework, parsed and validated.
    ///
    /// # Errors
    /// Only if the bundled file were broken (tests guard every one).
    pub fn framework(&self) -> Result<Framework> {
        Framework::from_spec(self.spec()?)
    }

    /// The framework document, parsed but not validated.
    ///
    /// # Errors
    /// [`Error::Parse`] if the bundled file were broken.
    pub fn spec(&self) -> Result<FrameworkSpec> {
        FrameworkSpec::from_toml_str(self.framework, &format!("frameworks/{}.toml", self.name))
    }

    /// The default pipeline ([`Pipeline::default`] if the framework has none).
    ///
    /// # Errors
    /// [`Error::Parse`] / [`Error::Spec`] if the bundled file does not parse with this engine.
    pub fn pipeline(&self) -> Result<Pipeline> {
        match self.pipeline {
            Some(s) => Pipeline::from_toml_named(s, &format!("pipeline of {}", self.name)),
            None => Ok(Pipeline::default()),
        }
    }

    /// The default sample data set, if any.
    pub fn sample(&self) -> Option<&'static SampleData> {
        self.datasets.first()
    }

    /// The default sample data set as `zhili score` scores it: panel data (a time column)
    /// reduced to its latest year, as everywhere in zhili (CLI `--year`, Python `year=`).
    /// [`Bundled::dataset_at`] picks another year, [`Bundled::panel`] keeps every year.
    ///
    /// # Errors
    /// [`Error::Empty`] if the framework has no sample data; loader errors otherwise.
    pub fn dataset(&self) -> Result<Dataset> {
        self.dataset_at(None)
    }

    /// The default sample data set for one year (`None`: the latest); data without a time
    /// column is returned whole. See [`Dataset::select_year`].
    ///
    /// # Errors
    /// [`Error::Empty`] if the framework has no sample data; [`Error::Unknown`] listing the
    /// years there are for a year the data does not have; loader errors otherwise.
    pub fn dataset_at(&self, year: Option<i64>) -> Result<Dataset> {
        self.panel()?.select_year(year)
    }

    /// The default sample data set with every year (unit-year rows; scoring it ranks all
    /// unit-years together, which is rarely wanted: score one year at a time).
    ///
    /// # Errors
    /// [`Error::Empty`] if the framework has no sample data; loader errors otherwise.
    pub fn panel(&self) -> Result<Dataset> {
        self.sample()
            .ok_or_else(|| Error::Empty(format!("framework `{}` has no bundled data", self.name)))?
            .load()
    }

    /// The score grades, if any.
    ///
    /// # Errors
    /// Only if the bundled grading file were broken.
    pub fn grading(&self) -> Result<Option<GradingSpec>> {
        self.grading
            .map(|g| GradingSpec::from_toml_str(g, &format!("grading of {}", self.name)))
            .transpose()
    }
}

/// The red / yellow / green household grading (TOML).
pub const THREE_COLOUR_GRADING: &str = include_str!("../frameworks/three-colour.grading.toml");
/// Score grades 优秀 / 良好 / 一般 / 较差 (TOML).
pub const SCORE_GRADES: &str = include_str!("../frameworks/score-grades.grading.toml");
/// Goalposts pipeline shared by the governance frameworks (TOML).
pub const GOALPOSTS_PIPELINE: &str = include_str!("../frameworks/goalposts.pipeline.toml");

/// The synthetic grid-event log (CSV: `unit, category, item, reported_at, closed_at, status,
/// satisfaction, location`), 6 Yuxi units, 2023. Input of [`grid_events::derive`].
pub const GRID_EVENT_LOG: &str = include_str!("../data/grid-events-log.csv");
/// Population of the units of [`GRID_EVENT_LOG`] (CSV: `unit, name, population, area_km2`).
pub const GRID_EVENT_POPULATION: &str = include_str!("../data/grid-events-population.csv");
/// The synthetic household list (CSV: `household, township, village, points, colour`) of
/// Shuangbai county's 8 townships. Input of [`household::roll_up`].
pub const HOUSEHOLDS: &str = include_str!("../data/households.csv");

const GOV_NUMERIC: &[&str] = &["population", "area_km2"];

/// Kunming's 14 county-level units × 2021–2023, every `kunming-municipal` and `kunming-county`
/// indicator (synthetic).
pub const KUNMING_14: SampleData = SampleData {
    name: "kunming-14",
    description: "Kunming's 14 county-level units, 2021-2023, all municipal and county indicators (SYNTHETIC values, approximate real population and area)",
    csv: include_str!("../data/kunming-14.csv"),
    unit_column: "unit",
    name_column: Some("name"),
    time_column: Some("year"),
    group_columns: &["data_note"],
    numeric_columns: GOV_NUMERIC,
    synthetic: true,
};

/// Yunnan's 129 county-level units, 2023, the `kunming-county` indicators (synthetic).
pub const YUNNAN_129: SampleData = SampleData {
    name: "yunnan-129",
    description: "Yunnan's 129 county-level units, 2023, county indicators (SYNTHETIC values and denominators)",
    csv: include_str!("../data/yunnan-129.csv"),
    unit_column: "unit",
    name_column: Some("name"),
    time_column: Some("year"),
    group_columns: &["prefecture", "data_note"],
    numeric_columns: GOV_NUMERIC,
    synthetic: true,
};

/// The `grid-events` indicators of 6 Yuxi units, derived from [`GRID_EVENT_LOG`] (synthetic).
pub const GRID_EVENTS_DATA: SampleData = SampleData {
    name: "grid-events",
    description: "6 Yuxi county-level units, 2023, derived from the synthetic grid-event log (SYNTHETIC)",
    csv: include_str!("../data/grid-events.csv"),
    unit_column: "unit",
    name_column: Some("name"),
    time_column: None,
    group_columns: &["data_note"],
    numeric_columns: &["population", "events"],
    synthetic: true,
};

/// The `household-risk` indicators of Shuangbai's villages, rolled up from [`HOUSEHOLDS`] (synthetic).
pub const HOUSEHOLD_RISK_DATA: SampleData = SampleData {
    name: "household-risk",
    description: "Villages of Shuangbai county's 8 townships, rolled up from the synthetic household list (SYNTHETIC)",
    csv: include_str!("../data/household-risk.csv"),
    unit_column: "unit",
    name_column: None,
    time_column: None,
    group_columns: &["township", "data_note"],
    numeric_columns: &["households", "red", "yellow", "green"],
    synthetic: true,
};

/// COINr's ASEM example data (real data, MIT, EU JRC).
pub const ASEM_DATA: SampleData = SampleData {
    name: "asem-coinr",
    description: "COINr's ASEM example data: 51 countries, 49 indicators, 2018 (real data, MIT, EU JRC)",
    csv: include_str!("../data/asem-coinr.csv"),
    unit_column: "uCode",
    name_column: Some("uName"),
    time_column: Some("Time"),
    group_columns: &["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"],
    numeric_columns: &["Area", "Energy", "GDP", "Population"],
    synthetic: false,
};

/// Every bundled framework.
pub const CATALOGUE: &[Bundled] = &[
    Bundled {
        name: "kunming-county",
        description:
            "County-level social-governance index, 5 dimensions, 21 indicators (modelled on public descriptions, not the official list)",
        description_zh: "县域社会治理指数：5 个维度、21 项指标（依据公开资料构建，并非官方指标清单）",
        framework: include_str!("../frameworks/kunming-county.toml"),
        pipeline: Some(GOALPOSTS_PIPELINE),
        data: Some(KUNMING_14.csv),
        unit_column: KUNMING_14.unit_column,
        datasets: &[KUNMING_14, YUNNAN_129],
        grading: Some(SCORE_GRADES),
    },
    Bundled {
        name: "kunming-municipal",
        description:
            "Municipal social-governance index, 7 dimensions, 46 indicators (modelled on public descriptions, not the official list)",
        description_zh: "市域社会治理指数：7 个维度、46 项指标（依据公开资料构建，并非官方指标清单）",
        framework: include_str!("../frameworks/kunming-municipal.toml"),
        pipeline: Some(GOALPOSTS_PIPELINE),
        data: Some(KUNMING_14.csv),
        unit_column: KUNMING_14.unit_column,
        datasets: &[KUNMING_14],
        grading: Some(SCORE_GRADES),
    },
    Bundled {
        name: "five-governances",
        description: "Compact generic five-governances framework, 5 dimensions x 3 indicators",
        description_zh: "通用“五治”框架：5 个维度 × 3 项指标",
        framework: include_str!("../frameworks/five-governances.toml"),
        pipeline: Some(GOALPOSTS_PIPELINE),
        data: Some(KUNMING_14.csv),
        unit_column: KUNMING_14.unit_column,
        datasets: &[KUNMING_14],
        grading: Some(SCORE_GRADES),
    },
    Bundled {
        name: "grid-events",
        description: "Yuxi-style grid-event management: 4 categories, 27 event items, 9 indicators derived from an event log",
        description_zh: "玉溪模式网格事件管理：4 类、27 个事项，由事件台账派生 9 项指标",
        framework: include_str!("../frameworks/grid-events.toml"),
        pipeline: Some(GOALPOSTS_PIPELINE),
        data: Some(GRID_EVENTS_DATA.csv),
        unit_column: GRID_EVENTS_DATA.unit_column,
        datasets: &[GRID_EVENTS_DATA],
        grading: Some(SCORE_GRADES),
    },
    Bundled {
        name: "household-risk",
        description: "Shuangbai-style red/yellow/green household risk grading rolled up to villages",
        description_zh: "双柏模式农户红黄绿风险分级，汇总到村",
        framework: include_str!("../frameworks/household-risk.toml"),
        pipeline: Some(GOALPOSTS_PIPELINE),
        data: Some(HOUSEHOLD_RISK_DATA.csv),
        unit_column: HOUSEHOLD_RISK_DATA.unit_column,
        datasets: &[HOUSEHOLD_RISK_DATA],
        grading: Some(SCORE_GRADES),
    },
    Bundled {
        name: "asem-coinr",
        description: "COINr's ASEM example (MIT, EU JRC): 51 countries, 49 indicators, COINr's example pipeline",
        description_zh: "COINr 的 ASEM 示例（MIT，欧盟 JRC）：51 个国家、49 项指标，COINr 的示例流程",
        framework: include_str!("../frameworks/asem-coinr.toml"),
        pipeline: Some(include_str!("../frameworks/asem-coinr.pipeline.toml")),
        data: Some(ASEM_DATA.csv),
        unit_column: ASEM_DATA.unit_column,
        datasets: &[ASEM_DATA],
        grading: None,
    },
];

/// The framework scored by `zhili score` with no arguments.
pub const DEFAULT: &str = "kunming-county";

/// A bundled framework by name.
pub fn get(name: &str) -> Option<&'static Bundled> {
    CATALOGUE.iter().find(|b| b.name == name)
}

/// Names of all bundled frameworks, in catalogue order.
pub fn names() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().map(|b| b.name)
}

/// Every distinct bundled sample data set.
pub fn samples() -> Vec<&'static SampleData> {
    let mut out: Vec<&'static SampleData> = Vec::new();
    for b in CATALOGUE {
        for d in b.datasets {
            if !out.iter().any(|o| o.name == d.name) {
                out.push(d);
            }
        }
    }
    out
}

/// A bundled sample data set by name (e.g. `yunnan-129`).
pub fn sample(name: &str) -> Option<&'static SampleData> {
    samples().into_iter().find(|d| d.name == name)
}
