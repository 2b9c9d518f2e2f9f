//! `zhili sensitivity`: Sobol first-order and total indices of an index output.

use std::path::PathBuf;
use std::process::ExitCode;

use zhili::analysis::sensitivity::{sensitivity, Bootstrap, SaOutput, SensitivityOptions};
use zhili::analysis::uncertainty::{Factor, Monitor};
use zhili::Error;

use super::inputs::{InputArgs, Inputs};
use super::uncertainty::{cancel_flag, interrupted, load_spec, progress_bar};

/// Options of `zhili sensitivity`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: InputArgs,
    /// Analysis document (.toml / .json) with `[[factors]]` (each factor is one Sobol dimension).
    #[arg(long)]
    factors: PathBuf,
    /// Base sample size N (runs = N(k + 2)); overrides the document's `runs`; default 1000.
    #[arg(long, short = 'n')]
    n: Option<usize>,
    /// Seed (overrides the document; default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Output explained: `shift` (mean absolute rank shift), `score:UNIT` or `rank:UNIT`.
    #[arg(long, default_value = "shift")]
    output: String,
    /// Bootstrap resamples for the confidence intervals.
    #[arg(long, default_value_t = 1000)]
    bootstrap: usize,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Write the indices as CSV here.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let mut inputs_used = super::output::input_paths(&a.inputs);
    inputs_used.push(a.factors.clone());
    let Inputs {
        framework: fw,
        data,
        pipeline,
        lang,
        ..
    } = a.inputs.load()?;
    let spec = load_spec(&a.factors)?;
    let factors: Vec<Factor> = spec.factors.clone();
    let output = match a.output.split_once(':') {
        None if a.output == "shift" => SaOutput::MeanAbsRankShift,
        Some(("score", u)) => SaOutput::Score(u.to_owned()),
        Some(("rank", u)) => SaOutput::Rank(u.to_owned()),
        _ => {
            return Err(Error::spec(
                "arguments",
                format!("--output `{}`: use shift, score:UNIT or rank:UNIT", a.output),
            ))
        }
    };
    let seed = a.seed.or(spec.seed).unwrap_or(1);
    let opts = SensitivityOptions {
        n: a.n.or(spec.runs).unwrap_or(1000),
        seed,
        output,
        bootstrap: Bootstrap {
            resamples: a.bootstrap,
            confidence: a.confidence,
            seed,
        },
        chunk: None,
    };
    let pb = progress_bar(opts.n * (factors.len() + 2), a.quiet);
    let tick = |done: usize, _: usize| pb.set_position(done as u64);
    let t0 = std::time::Instant::now();
    let res = sensitivity(
        &fw,
        &data,
        &pipeline,
        &factors,
        &opts,
        Monitor {
            progress: Some(&tick),
            cancel: Some(cancel_flag()),
            ..Monitor::default()
        },
    );
    pb.finish_and_clear();
    let res = match res {
        Ok(r) => r,
        Err(e) => return interrupted(&e).ok_or(e),
    };
    if !a.quiet {
        eprintln!("{} runs in {:.3} s", res.runs, t0.elapsed().as_secs_f64());
    }
    let ix = &res.indices;
    let mut t = super::table::words(&["factor", "first_order", "ci", "total_order", "ci"], lang);
    for (i, f) in res.factors.iter().enumerate() {
        t.add_row([
            f.clone(),
            format!("{:.4}", ix.first[i]),
            format!("[{:.4}, {:.4}]", ix.first_ci[i].0, ix.first_ci[i].1),
            format!("{:.4}", ix.total[i]),
            format!("[{:.4}, {:.4}]", ix.total_ci[i].0, ix.total_ci[i].1),
        ]);
    }
    match &a.out {
        // through the csv writer (quoting, formula guard) into a temporary file renamed at the end
        Some(p) => {
            let mut files = super::output::files(&inputs_used, &[]);
            let table = zhili::io::CsvOptions {
                bom: false,
                ..zhili::io::CsvOptions::default()
            };
            files.write(p, |w| {
                let mut c = zhili::io::CsvTable::new(w, &table)?;
                c.texts(["factor", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi"])?;
                for (i, f) in res.factors.iter().enumerate() {
                    c.text(f)?;
                    for v in [
                        ix.first[i],
                        ix.first_ci[i].0,
                        ix.first_ci[i].1,
                        ix.total[i],
                        ix.total_ci[i].0,
                        ix.total_ci[i].1,
                    ] {
                        c.num(v)?;
                    }
                    c.end_row()?;
                }
                c.finish().map(drop)
            })?;
            files.commit()?;
        }
        None => println!("{t}"),
    }
    Ok(ExitCode::SUCCESS)
}
