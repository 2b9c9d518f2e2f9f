//! Pieces shared by the method registries' macros (`aggregate/registry.rs`,
//! `weight/method.rs`): a registry line names a variant with options as `Variant(file::Struct)`
//! and one without as `Variant = file::Struct`; these turn either form into the match pattern's
//! binding, the method behind the variant and an example of it.

/// The variable a tuple variant's field binds to (a pattern; the type only selects the arm).
macro_rules! registry_bind {
    ($m:ident, $ty:ty) => {
        $m
    };
}

/// The method behind a variant: the bound field, or the unit struct of a variant without one.
macro_rules! registry_method {
    ($m:ident) => {
        $m
    };
    ($m:ident, $unit:path) => {
        &$unit
    };
}

/// One example of a method: the unit variant, or the variant holding its options' defaults.
macro_rules! registry_example {
    ($enum:ident, $variant:ident) => {
        $enum::$variant
    };
    ($enum:ident, $variant:ident, $ty:ty) => {
        $enum::$variant(<$ty>::default())
    };
}
