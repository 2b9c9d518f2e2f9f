//! zhili
