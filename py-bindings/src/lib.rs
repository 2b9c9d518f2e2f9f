//! Python bindings of zhili; filled by the Python-bindings issue.
