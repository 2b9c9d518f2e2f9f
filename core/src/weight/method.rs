//! What a data-driven weighting method declares about itself, and the macro that turns the
//! registry (one line per method, in `mod.rs`) into the [`WeightMethod`](super::WeightMethod)
//! enum, its serde tags and aliases, `METHODS`, one example of each and the dispatch.
//!
//! A line is `"name" | "alias" … => Variant(file::Options);` for a method with options (the
//! struct in `file.rs` holds them and implements [`Weighting`]) or
//! `"name" | "alias" … => Variant = file::Struct;` for one without (a unit struct in
//! `file.rs` implements it). The line declares the file's module.

use ndarray::ArrayView2;

use super::common::{Criteria, WeightResult};
use crate::error::Result;

/// One data-driven weighting method of a units × criteria matrix.
pub(crate) trait Weighting {
    /// One line for method lists (`zhili methods`, Python, the workbench): English · 中文.
    fn about(&self) -> &'static str;

    /// Weights of the columns of `x` (units × criteria), summing to 1.
    ///
    /// # Errors
    /// Those of the method, naming unit and criterion.
    fn compute(&self, x: ArrayView2<'_, f64>, c: &Criteria) -> Result<WeightResult>;
}

macro_rules! registry {
    ($( $name:literal $( | $alias:literal )* => $variant:ident $( ( $tmod:ident :: $ty:ident ) )? $( = $umod:ident :: $unit:ident )? ; )*) => {
        $( $( mod $tmod; )? $( mod $umod; )? )*

        /// A data-driven weighting method, as written in documents (`method` tag), one per
        /// line of the registry in `core/src/weight/mod.rs`:
        #[doc = concat!($( "`", $name, "` " ),*)]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "method")]
        #[non_exhaustive]
        pub enum WeightMethod {
            $(
                #[doc = concat!("`", $name, "`", $( ", alias `", $alias, "`", )* " (see [`WeightMethod::about`]).")]
                #[serde(rename = $name $(, alias = $alias)*)]
                $variant $( (#[serde(default)] $tmod::$ty) )?,
            )*
        }

        impl WeightMethod {
            /// Every method's name as written in documents (the `method` tag), in registry
            /// order (aliases left out).
            pub const METHODS: &'static [&'static str] = &[$( $name ),*];

            /// Every alias read in documents, as (alias, name).
            pub const ALIASES: &'static [(&'static str, &'static str)] = &[$( $( ($alias, $name), )* )*];

            /// One example of every method, in registry order, each with its options' defaults.
            pub fn examples() -> Vec<WeightMethod> {
                vec![$( registry_example!(WeightMethod, $variant $(, $tmod::$ty)?) ),*]
            }

            /// The method's name as written in documents.
            pub fn name(&self) -> &'static str {
                match self {
                    $( WeightMethod::$variant { .. } => $name, )*
                }
            }

            pub(crate) fn method(&self) -> &dyn Weighting {
                match self {
                    $( WeightMethod::$variant $( (registry_bind!(m, $tmod::$ty)) )? => registry_method!(m $(, $umod::$unit)?), )*
                }
            }
        }
    };
}
