//! Bundled governance frameworks and sample data for zhili.
//!
//! Everything is embedded with `include_str!`, so the `zhili` binary needs no files.

/// One bundled framework with its sample data and default pipeline.
#[derive(Debug, Clone, Copy)]
pub struct Bundled {
    /// Name used on the command line and in Python (`--framework demo-governance`).
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// The framework document (TOML).
    pub framework: &'static str,
    /// Sample data (CSV, UTF-8), if any.
    pub data: Option<&'static str>,
    /// The default pipeline (TOML), if any.
    pub pipeline: Option<&'static str>,
    /// Unit id column of the sample data.
    pub unit_column: &'static str,
}

/// Every bundled framework.
pub const CATALOGUE: &[Bundled] = &[Bundled {
    name: "demo-governance",
    description: "A small five-governances demo framework with synthetic data for 14 county-level units (synthetic)",
    framework: include_str!("../frameworks/demo-governance.toml"),
    data: Some(include_str!("../data/demo-governance.csv")),
    pipeline: None,
    unit_column: "unit",
}];

/// The framework scored by `zhili score` with no arguments.
pub const DEFAULT: &str = "demo-governance";

/// A bundled framework by name.
pub fn get(name: &str) -> Option<&'static Bundled> {
    CATALOGUE.iter().find(|b| b.name == name)
}
