//! The macro that turns the registry (one line per method, in `mod.rs`) into the
//! [`Normaliser`](super::Normaliser) enum with its serde tags and aliases, the `From`
//! conversions, [`Normaliser::METHODS`](super::Normaliser::METHODS), one example of each
//! method and the dispatch to the method's file.
//!
//! A line is `"name" | "alias" … => Variant(file::Struct);`: the struct, declared in
//! `file.rs`, holds the method's options and implements [`Normalise`](super::Normalise); the
//! line declares the file's module and re-exports the struct. The `fitted` variant (a method
//! with stored parameters, made by `Pipeline::fit`) is not a method of its own and is added
//! by the macro.

macro_rules! registry {
    ($( $name:literal $( | $alias:literal )* => $variant:ident ( $module:ident :: $ty:ident ); )*) => {
        $( mod $module; pub use $module::$ty; )*

        /// The built-in normalisers (`method` tag in the pipeline document), one per line of
        /// the registry in `core/src/normalise/mod.rs`:
        #[doc = concat!($( "`", $name, "` " ),*)]
        ///
        /// Build one with a constructor ([`Normaliser::minmax`], [`Normaliser::zscore`], ...)
        /// or from its struct: `Normaliser::Minmax(MinMax { lo: 0.0, hi: 100.0, constant: None })`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "method")]
        #[non_exhaustive]
        pub enum Normaliser {
            $(
                #[doc = concat!("`method = \"", $name, "\"`", $( ", alias `", $alias, "`", )* " (see [`", stringify!($ty), "`]).")]
                #[serde(rename = $name $(, alias = $alias)*)]
                $variant($ty),
            )*
            /// Another method with parameters fitted on other data (`method = "fitted"`, from
            /// [`Pipeline::fit`](crate::Pipeline::fit)): "fitting" it returns the stored parameters.
            #[serde(rename = "fitted")]
            Fitted(Box<FittedNormaliser>),
        }

        $(
            impl From<$ty> for Normaliser {
                fn from(m: $ty) -> Self {
                    Normaliser::$variant(m)
                }
            }
        )*

        impl Normaliser {
            /// Every method's name as written in documents (the `method` tag), in registry
            /// order (aliases and the internal `fitted` left out).
            pub const METHODS: &'static [&'static str] = &[$( $name ),*];

            /// One example of every method, in registry order, each with its options' defaults.
            pub fn examples() -> Vec<Normaliser> {
                vec![$( Normaliser::$variant(<$ty>::default()) ),*]
            }

            /// The method behind this variant.
            pub fn method(&self) -> &dyn Normalise {
                match self {
                    $( Normaliser::$variant(m) => m, )*
                    Normaliser::Fitted(m) => m.as_ref(),
                }
            }
        }
    };
}
