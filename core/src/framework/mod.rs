//! The indicator tree.
//!
//! A [`FrameworkSpec`] is what a file says (flat node list with `parent`, unchecked);
//! [`Framework`] is the validated, immutable arena tree that the engine computes on.
//! Validation collects *every* problem with the node it concerns
//! (see [`crate::ProblemKind`]), not just the first.

mod coinr;
mod spec;
mod tree;
mod validate;

pub use coinr::IMetaRow;
pub(crate) use spec::toml_error;
pub use spec::{FrameworkSpec, Name, NodeSpec, FRAMEWORK_VERSION};
pub use tree::{Direction, Framework, Node, NodeKind};
