//! COINr's iMeta table: bring COINr frameworks over unchanged, and write them back.
//!
//! Columns: `Level, iCode, iName, Direction, Weight, Parent, Type, Unit, Target, Denominator`.
//! Rows of `Type` `Indicator` and `Aggregate` become nodes; `Group`, `Denominator` and
//! `Other` rows describe data columns and are skipped. `Direction` 1 / −1 maps to
//! benefit / cost. Reading the CSV itself happens at the edge (the `zhili` facade).

use serde::{Deserialize, Serialize};

use super::spec::{FrameworkSpec, Name, NodeSpec, FRAMEWORK_VERSION};
use super::tree::{Direction, Framework, NodeKind};
use crate::error::{Error, Result};

/// One row of a COINr iMeta table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct IMetaRow {
    /// COINr level (indicators = 1).
    #[serde(rename = "Level", default)]
    pub level: Option<f64>,
    /// Code (node id).
    #[serde(rename = "iCode")]
    pub code: String,
    /// Name.
    #[serde(rename = "iName", default)]
    pub name: Option<String>,
    /// 1 or −1.
    #[serde(rename = "Direction", default)]
    pub direction: Option<f64>,
    /// Weight relative to siblings.
    #[serde(rename = "Weight", default)]
    pub weight: Option<f64>,
    /// Parent code.
    #[serde(rename = "Parent", default)]
    pub parent: Option<String>,
    /// `Indicator`, `Aggregate`, `Group`, `Denominator`, `Other`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Unit.
    #[serde(rename = "Unit", default)]
    pub unit: Option<String>,
    /// Target.
    #[serde(rename = "Target", default)]
    pub target: Option<f64>,
    /// Denominator column.
    #[serde(rename = "Denominator", default)]
    pub denominator: Option<String>,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty() && s != "NA")
}

impl FrameworkSpec {
    /// Build a spec from COINr iMeta rows (`row_offset` = line number of the first row, for errors).
    ///
    /// # Errors
    /// [`Error::Parse`] naming the row for an unknown `Type` or a direction other than ±1.
    pub fn from_coinr(rows: &[IMetaRow], file: &str, row_offset: usize) -> Result<Self> {
        let mut nodes = Vec::new();
        for (k, r) in rows.iter().enumerate() {
            let line = Some(row_offset + k);
            let kind = match r.kind.trim() {
                "Indicator" => "indicator",
                "Aggregate" => "aggregate",
                "Group" | "Denominator" | "Other" => continue,
                other => {
                    return Err(Error::parse(
                        file,
                        line,
                        Some("Type".into()),
                        format!(
                            "unknown Type `{other}` for `{}` (expected Indicator, Aggregate, Group, Denominator or Other)",
                            r.code
                        ),
                    ))
                }
            };
            let direction = match r.direction {
                None => None,
                Some(1.0) => Some("benefit".to_owned()),
                Some(-1.0) => Some("cost".to_owned()),
                Some(d) => {
                    return Err(Error::parse(
                        file,
                        line,
                        Some("Direction".into()),
                        format!("Direction {d} for `{}` (expected 1 or -1)", r.code),
                    ))
                }
            };
            let mut n = NodeSpec::new(r.code.trim(), None);
            n.parent = clean(&r.parent);
            n.kind = Some(kind.to_owned());
            n.name = Name {
                zh: None,
                en: clean(&r.name),
            };
            n.weight = r.weight.unwrap_or(1.0);
            n.direction = if kind == "indicator" { direction } else { None };
            n.unit = clean(&r.unit);
            n.target = r.target;
            n.denominator = clean(&r.denominator);
            nodes.push(n);
        }
        Ok(FrameworkSpec {
            version: FRAMEWORK_VERSION,
            id: None,
            name: Name::default(),
            description: None,
            lang: None,
            nodes,
        })
    }
}

impl Framework {
    /// The framework as COINr iMeta rows (indicators first, then aggregates by level).
    pub fn to_coinr(&self) -> Vec<IMetaRow> {
        let order = self.indicators.iter().chain(self.aggregates.iter());
        order
            .map(|&i| {
                let n = &self.nodes[i];
                IMetaRow {
                    level: Some(n.level as f64),
                    code: n.id.clone(),
                    name: n.name.en.clone().or_else(|| n.name.zh.clone()),
                    direction: Some(match (n.kind, n.direction) {
                        (NodeKind::Indicator, Direction::Cost) => -1.0,
                        _ => 1.0,
                    }),
                    weight: Some(n.weight),
                    parent: n.parent.map(|p| self.nodes[p].id.clone()),
                    kind: match n.kind {
                        NodeKind::Indicator => "Indicator".into(),
                        NodeKind::Aggregate => "Aggregate".into(),
                    },
                    unit: n.unit.clone(),
                    target: n.target,
                    denominator: n.denominator.clone(),
                }
            })
            .collect()
    }
}
