//! Numerical kernels: vectorised maths, column passes, the batch matrix product, the radix
//! sort, prefetch hints and large allocations. Crate-private building blocks, each checked
//! against a plain reference in its own tests.

pub(crate) mod alloc;
pub(crate) mod exact;
pub(crate) mod matmul;
pub(crate) mod prefetch;
pub(crate) mod radix;
pub(crate) mod reduce;
pub(crate) mod vmath;
