//! Sample statistics used by the preparation steps. (STUB: replaced by the prepare work.)
