//! The macro that turns the registry (one line per method, in `mod.rs`) into the
//! [`Aggregator`](super::Aggregator) enum, its serde tags, `Aggregator::METHODS`, the name
//! table, one example of each method and the dispatch to the method's file.
//!
//! A line is `"name" => Variant(file::Struct);` for a method with options (the struct,
//! declared in `file.rs`, holds them, is the variant's field and is re-exported here) or
//! `"name" => Variant = file::Struct;` for a method without options (a unit variant; the unit
//! struct in `file.rs` implements the method). The line also declares the file's module.

macro_rules! registry {
    ($( $name:literal => $variant:ident $( ( $tmod:ident :: $ty:ident ) )? $( = $umod:ident :: $unit:ident )? ; )*) => {
        $(
            $( mod $tmod; pub use $tmod::$ty; )?
            $( mod $umod; )?
        )*

        /// The built-in aggregation methods (`method` tag in the pipeline document), one per
        /// line of the registry in `core/src/aggregate/mod.rs`:
        #[doc = concat!($( "`", $name, "` " ),*)]
        ///
        /// A method with options is a variant holding its struct (e.g.
        /// `Aggregator::Topsis(Topsis { normalisation })`); [`Aggregator::about`] describes it.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "method")]
        #[non_exhaustive]
        pub enum Aggregator {
            $(
                #[doc = concat!("`", $name, "` (see [`Aggregator::about`] and the method's file).")]
                #[serde(rename = $name)]
                $variant $( ($tmod::$ty) )?,
            )*
        }

        impl Aggregator {
            /// Every method's name as written in documents (the `method` tag), in registry
            /// order, weighted means first: the list documents and bindings show.
            pub const METHODS: &'static [&'static str] = &[$( $name ),*];

            /// The method's name as written in documents.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Aggregator::$variant { .. } => $name, )*
                }
            }

            /// One example of every method, in registry order, each with its options' defaults
            /// (the presets lists show; `generalised` with p = 2).
            pub fn examples() -> Vec<Aggregator> {
                vec![$( registry_example!(Aggregator, $variant $(, $tmod::$ty)?) ),*]
            }

            /// The method's implementation, in its file.
            pub(crate) fn method(&self) -> &dyn Method {
                match self {
                    $( Aggregator::$variant $( (registry_bind!(m, $ty)) )? => registry_method!(m $(, $umod::$unit)?), )*
                }
            }
        }
    };
}
