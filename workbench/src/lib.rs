//! `zhili serve`: the policy-office workbench (work in progress).
