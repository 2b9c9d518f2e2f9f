//! The one error type of the engine.
//!
//! Every variant names *where* the problem is (node id, indicator, unit, column,
//! file, line) so that bindings and the CLI can show a message a user can act on.

use std::fmt;

/// Result alias used throughout zhili.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem found while validating a framework, tied to the node it concerns.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The node the problem concerns (`None` for framework-wide problems).
    pub node: Option<String>,
    /// Machine-readable kind, e.g. `duplicate_id`, `cycle`, `unknown_parent`.
    pub kind: ProblemKind,
    /// Human-readable explanation.
    pub message: String,
}

/// The kinds of framework problems validation reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// Two nodes share an id.
    DuplicateId,
    /// A node names a parent that does not exist.
    UnknownParent,
    /// Following parents from a node returns to it.
    Cycle,
    /// No root, or more than one root.
    Root,
    /// An aggregate node has no children.
    ChildlessAggregate,
    /// An indicator node has children.
    IndicatorWithChildren,
    /// A weight is negative, NaN or infinite.
    BadWeight,
    /// All children of an aggregate have weight zero.
    ZeroSiblingWeights,
    /// A direction other than benefit / cost.
    UnknownDirection,
    /// A node kind other than indicator / aggregate.
    UnknownKind,
    /// An empty id, bad goalposts or another malformed field.
    BadField,
    /// The document's `version` is not supported.
    Version,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Some(n) => write!(f, "node `{}`: {}", crate::text::cut(n), self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Where in a file something happened (1-based line; column by name).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Location {
    /// File path or a description of the source (e.g. `<string>`).
    pub file: String,
    /// 1-based line number, if known.
    pub line: Option<usize>,
    /// Column name, if known.
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{}`", crate::text::cut(c))?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in zhili.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The framework failed validation; every problem is listed.
    #[error("invalid framework ({} problem{}):\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, join_problems(.0))]
    Framework(Vec<Problem>),

    /// A document (TOML, JSON, CSV) could not be parsed.
    #[error("{location}: {message}")]
    Parse {
        /// Where.
        location: Location,
        /// What was wrong.
        message: String,
    },

    /// Data the framework or pipeline needs is absent.
    #[error("missing column `{}` (needed by {})", crate::text::cut(.column), crate::text::cut_quoted(.needed_by))]
    MissingColumn {
        /// The column name.
        column: String,
        /// What needs it (an indicator id, a pipeline step, ...).
        needed_by: String,
    },

    /// A node, indicator or unit id that does not exist.
    #[error("unknown {what} `{}`{}", crate::text::cut(.id), ctx(.context))]
    Unknown {
        /// `node`, `indicator`, `unit`, `stage`, `group value`, ...
        what: &'static str,
        /// The id.
        id: String,
        /// Where it was referenced.
        context: String,
    },

    /// Array shapes or lengths that do not fit together.
    #[error("shape mismatch in {what}: expected {expected}, found {found}")]
    Shape {
        /// What was being built.
        what: String,
        /// Expected shape.
        expected: String,
        /// Found shape.
        found: String,
    },

    /// Data has no units or no indicators.
    #[error("empty data: {0}")]
    Empty(String),

    /// A method cannot be applied to this data (e.g. a value ≤ 0 under a geometric mean).
    #[error("{method}: {message}{}{}", on("unit", .unit), on("node", .node))]
    Method {
        /// The method, e.g. `geometric`.
        method: String,
        /// What went wrong.
        message: String,
        /// The unit concerned, if any.
        unit: Option<String>,
        /// The node or indicator concerned, if any.
        node: Option<String>,
    },

    /// A request needs more memory than the limit allows (refused before it starts), or an
    /// allocation failed.
    #[error(
        "{what} needs about {} of memory for {why}, more than the limit of {}; ask for less, or raise the limit \
         with --max-memory (Python: zhili.set_max_memory) or ZHILI_MAX_MEMORY · \
         {what}：{why} 约需 {} 内存，超过上限 {}；请减小规模，或用 --max-memory / ZHILI_MAX_MEMORY 提高上限",
        crate::memory::show(*.needed), crate::memory::show(*.limit), crate::memory::show(*.needed), crate::memory::show(*.limit)
    )]
    Memory {
        /// The request, e.g. `sensitivity analysis (N = 1000000000, k = 3)`.
        what: String,
        /// What the memory is for.
        why: String,
        /// Bytes needed (estimated).
        needed: u64,
        /// The limit in force (bytes).
        limit: u64,
    },

    /// A pipeline, weight set or option is malformed.
    #[error("invalid {what}: {message}")]
    Spec {
        /// `pipeline`, `weights`, `step 3 (treat)`, ...
        what: String,
        /// What was wrong.
        message: String,
    },
}

fn join_problems(ps: &[Problem]) -> String {
    ps.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}

fn ctx(c: &str) -> String {
    if c.is_empty() {
        String::new()
    } else {
        format!(" ({c})")
    }
}

fn on(label: &str, v: &Option<String>) -> String {
    v.as_ref().map(|v| format!(", {label} `{v}`")).unwrap_or_default()
}

impl Error {
    /// A [`Error::Spec`] shorthand.
    pub fn spec(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Spec {
            what: what.into(),
            message: message.into(),
        }
    }

    /// A [`Error::Method`] shorthand without unit or node.
    pub fn method(method: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Method {
            method: method.into(),
            message: message.into(),
            unit: None,
            node: None,
        }
    }

    /// A [`Error::Parse`] shorthand; quoted values in `message` are cut ([`crate::text::cut_quoted`]).
    pub fn parse(file: impl Into<String>, line: Option<usize>, column: Option<String>, message: impl Into<String>) -> Self {
        let message: String = message.into();
        Error::Parse {
            location: Location {
                file: file.into(),
                line,
                column,
            },
            message: crate::text::cut_quoted(&message).into_owned(),
        }
    }
}
