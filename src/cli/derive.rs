//! `zhili derive`: indicator tables derived from record-level data
//! (a grid-event log; household risk points).

use std::path::PathBuf;
use std::process::ExitCode;

use zhili::indicators::{grid_events, household, to_csv, GradingSpec};
use zhili::io::read_table_text;
use zhili::Error;

/// Options of `zhili derive`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// Grid-event log (unit, category, item, reported_at, closed_at, status, satisfaction)
    /// → the `grid-events` framework's indicators per unit.
    GridEvents {
        /// The event log (CSV in any detected encoding, or a workbook sheet).
        #[arg(long)]
        events: PathBuf,
        /// Population per unit (CSV or workbook with columns `unit`, `population`).
        #[arg(long)]
        population: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
        /// One row per unit and year (a `year` column) instead of one per unit.
        #[arg(long)]
        by_year: bool,
        /// Write the table here (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Household risk (household, village, township, points or colour) → shares of red
    /// and yellow households per village or township.
    Households {
        /// The household table (CSV in any detected encoding, or a workbook sheet).
        #[arg(long)]
        households: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
        /// Roll up to villages (default) or townships.
        #[arg(long, value_enum, default_value = "village")]
        level: RollLevel,
        /// Grading bands (TOML); default: the bundled red / yellow / green bands.
        #[arg(long)]
        grading: Option<PathBuf>,
        /// Write the table here (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RollLevel {
    Village,
    Township,
}

/// How the record tables are read.
#[derive(Debug, Clone, clap::Args)]
struct ReadArgs {
    /// Worksheet of a workbook input (default: the first sheet).
    #[arg(long)]
    sheet: Option<String>,
    /// Text encoding of CSV inputs (utf-8, gbk, utf-16le, latin1, ...); default: detected.
    #[arg(long)]
    encoding: Option<String>,
}

fn text(path: &std::path::Path, read: &ReadArgs) -> zhili::Result<(String, String)> {
    read_table_text(path, read.sheet.as_deref(), read.encoding.as_deref())
}

/// Print the warnings, then write the table to `out` (atomically, never over one of
/// `inputs`) or to standard output.
fn emit(csv: String, out: Option<&PathBuf>, inputs: &[&PathBuf], log: &[zhili::LogEntry]) -> zhili::Result<ExitCode> {
    super::inputs::print_warnings(log);
    let write = |w: &mut dyn std::io::Write| {
        w.write_all(csv.as_bytes())
            .map_err(|e| Error::spec("output", format!("cannot write: {e}")))
    };
    match out {
        Some(p) => {
            let mut files = zhili::io::OutputFiles::new(inputs.iter().map(|p| p.as_path()));
            files.write(p, write)?;
            files.commit()?;
        }
        None => super::output::to_stdout(write)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    match a.what {
        What::GridEvents {
            events,
            population,
            by_year,
            out,
            read,
        } => {
            let inputs = [events.clone(), population.clone()];
            let (ev_text, ev_file) = text(&events, &read)?;
            let (pop_text, pop_file) = text(
                &population,
                &ReadArgs {
                    sheet: None,
                    ..read.clone()
                },
            )?;
            let events = grid_events::events_from_csv(&ev_text, &ev_file)?;
            let population = grid_events::population_from_csv(&pop_text, &pop_file)?;
            let opts = grid_events::DeriveOptions {
                by_year,
                file: ev_file,
                ..Default::default()
            };
            let derived = grid_events::derive(&events, &population, &opts)?;
            emit(to_csv(&derived.dataset)?, out.as_ref(), &[&inputs[0], &inputs[1]], &derived.log)
        }
        What::Households {
            households,
            level,
            grading,
            out,
            read,
        } => {
            let mut inputs = vec![households.clone()];
            inputs.extend(grading.iter().cloned());
            let (h_text, h_file) = text(&households, &read)?;
            let rows = household::households_from_csv(&h_text, &h_file)?;
            let spec = match &grading {
                Some(g) => {
                    let (t, f) = text(
                        g,
                        &ReadArgs {
                            sheet: None,
                            encoding: None,
                        },
                    )?;
                    GradingSpec::from_toml_str(&t, &f)?
                }
                None => GradingSpec::three_colour()?,
            };
            let level = match level {
                RollLevel::Village => household::Level::Village,
                RollLevel::Township => household::Level::Township,
            };
            let rolled = household::roll_up(&rows, &spec, level)?;
            emit(
                to_csv(&rolled.dataset)?,
                out.as_ref(),
                &inputs.iter().collect::<Vec<_>>(),
                &rolled.log,
            )
        }
    }
}
