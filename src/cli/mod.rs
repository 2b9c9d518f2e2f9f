//! Command-line interface: one file per subcommand.

mod audit;
mod derive;
mod fit;
mod frameworks;
mod inputs;
mod methods;
mod output;
mod report;
mod score;
mod sensitivity;
mod serve;
mod table;
mod uncertainty;
mod validate;
mod weights;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// zhili (治理): composite indices for social-governance evaluation.
#[derive(Debug, Parser)]
#[command(name = "zhili", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Memory limit for big requests (e.g. 512M, 4G; default: ZHILI_MAX_MEMORY, else 3/4 of
    /// physical memory). A request that needs more is refused before it starts.
    #[arg(long, global = true, value_name = "SIZE")]
    max_memory: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Score units on a framework (no arguments: the bundled default framework and sample data).
    Score(score::Args),
    /// Fit a pipeline on one dataset (a base year) and write it (.json / .toml) for `score --fitted`.
    Fit(fit::Args),
    /// Validate a framework (and optionally check a data file against it).
    Validate(validate::Args),
    /// List the bundled frameworks.
    Frameworks(frameworks::Args),
    /// List every normalisation, aggregation and weighting method (with their default options).
    Methods(methods::Args),
    /// Statistical audit: data adequacy, correlations, Cronbach's alpha, PCA, importance, remove-one.
    Audit(audit::Args),
    /// Monte Carlo uncertainty analysis of the ranks (or replay of a run design).
    Uncertainty(uncertainty::Args),
    /// Sobol sensitivity analysis (first-order and total indices).
    Sensitivity(sensitivity::Args),
    /// Derive indicator tables from record-level data (grid-event logs, household risk).
    Derive(derive::Args),
    /// Compute weights (entropy, CRITIC, CV, SD, PCA, equal, AHP) for every sibling group.
    Weights(weights::Args),
    /// The workbench: a local web page to tune weights, save and compare scenarios, export them.
    Serve(serve::Args),
    /// Write a self-contained HTML report (charts, audit, uncertainty, sensitivity, method).
    Report(report::Args),
}

/// Parse arguments, run, print one clear error on failure.
pub(crate) fn main() -> ExitCode {
    output::quiet_broken_pipe();
    let cli = Cli::parse();
    if let Some(s) = &cli.max_memory {
        match zhili::memory::parse_size(s) {
            Ok(b) => zhili::memory::set_max_memory(Some(b)),
            Err(m) => {
                eprintln!("error: --max-memory: {m}");
                return ExitCode::FAILURE;
            }
        }
    }
    let result = match cli.command {
        Command::Score(a) => score::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Frameworks(a) => frameworks::run(a),
        Command::Methods(a) => methods::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Uncertainty(a) => uncertainty::run(a),
        Command::Sensitivity(a) => sensitivity::run(a),
        Command::Weights(a) => weights::run(a),
        Command::Derive(a) => derive::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Report(a) => report::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
