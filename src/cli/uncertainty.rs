//! `zhili uncertainty`: Monte Carlo uncertainty analysis, or replay of a run design.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use super::inputs::{InputArgs, Inputs};
use zhili::analysis::uncertainty::{self as ua, AnalysisSpec, Design, Factor, Monitor, RankStats, ReplayOptions, UncertaintyOptions};
use zhili::io;
use zhili::Error;

/// Options of `zhili uncertainty`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: InputArgs,
    /// Analysis document (.toml / .json): `[[factors]]`, optional `runs`, `seed`, `nodes`.
    #[arg(long)]
    factors: Option<PathBuf>,
    /// Shortcut factor: perturb every weight by × U(1 − SPREAD, 1 + SPREAD).
    #[arg(long)]
    spread: Option<f64>,
    /// Number of Monte Carlo runs (overrides the document; default 1000).
    #[arg(long, short = 'n')]
    runs: Option<usize>,
    /// Seed (overrides the document; default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Replay this design CSV instead of sampling (see the design format in the docs).
    #[arg(long, conflicts_with_all = ["factors", "spread", "coinr_design"])]
    replay: Option<PathBuf>,
    /// Replay a COINr design (columns Run, WeightSet, Normalisation, Aggregation) ...
    #[arg(long, requires = "coinr_weights")]
    coinr_design: Option<PathBuf>,
    /// ... with its weight sets (WeightSet, iCode, Level, Weight).
    #[arg(long)]
    coinr_weights: Option<PathBuf>,
    /// Also give rank statistics of these nodes (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    nodes: Vec<String>,
    /// Write the per-unit rank statistics CSV here (default: a table on screen).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Write the runs as a replayable design CSV.
    #[arg(long)]
    design_out: Option<PathBuf>,
    /// Write every run's index scores (runs × units) CSV.
    #[arg(long)]
    runs_out: Option<PathBuf>,
    /// Rows to show in the table.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

static CANCEL: AtomicBool = AtomicBool::new(false);

/// Install a Ctrl-C handler that sets the cancellation flag (once per process).
pub(crate) fn cancel_flag() -> &'static AtomicBool {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    });
    &CANCEL
}

/// A progress bar for `total` runs (hidden when quiet or not a terminal).
pub(crate) fn progress_bar(total: usize, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::with_draw_target(Some(total as u64), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} runs ({eta} left)") {
        pb.set_style(style);
    }
    pb
}

/// The message and exit code after an interruption.
pub(crate) fn interrupted(e: &Error) -> Option<ExitCode> {
    if CANCEL.load(Ordering::SeqCst) {
        let msg = e.to_string();
        eprintln!(
            "interrupted (Ctrl-C): {}; nothing was written",
            msg.trim_start_matches("invalid analysis: ")
        );
        Some(ExitCode::from(130))
    } else {
        None
    }
}

/// Read an analysis document.
pub(crate) fn load_spec(path: &std::path::Path) -> zhili::Result<AnalysisSpec> {
    let (text, _) = io::read_text(path)?;
    if path.extension().is_some_and(|e| e == "json") {
        AnalysisSpec::from_json_str(&text)
    } else {
        AnalysisSpec::from_toml_named(&text, &path.display().to_string())
    }
}

fn fmt(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let mut inputs_used = super::output::input_paths(&a.inputs);
    inputs_used.extend(
        [&a.factors, &a.replay, &a.coinr_design, &a.coinr_weights]
            .into_iter()
            .flatten()
            .cloned(),
    );
    let Inputs {
        framework: fw,
        data,
        pipeline,
        lang,
        ..
    } = a.inputs.load()?;
    let cancel = cancel_flag();
    let design = match (&a.replay, &a.coinr_design, &a.coinr_weights) {
        (Some(p), _, _) => Some(Design::from_csv_str(&io::read_text(p)?.0)?),
        (None, Some(d), Some(w)) => Some(Design::from_coinr_csv(&io::read_text(d)?.0, &io::read_text(w)?.0)?),
        _ => None,
    };
    let spec = match &a.factors {
        Some(p) => Some(load_spec(p)?),
        None => None,
    };
    let mut nodes = spec.as_ref().map(|s| s.nodes.clone()).unwrap_or_default();
    nodes.extend(a.nodes.iter().cloned());
    let total = design
        .as_ref()
        .map_or_else(|| a.runs.or(spec.as_ref().and_then(|s| s.runs)).unwrap_or(1000), |d| d.runs.len());
    // Every file is written before any is put in place: a failure leaves none behind.
    let mut files = super::output::files(&inputs_used, &[]);
    let table = io::CsvOptions {
        bom: false,
        ..io::CsvOptions::default()
    };
    // Run scores are written as the runs are done (bounded memory however many runs).
    let runs_csv = match &a.runs_out {
        Some(p) => {
            let mut c = io::CsvTable::new(std::io::BufWriter::with_capacity(1 << 16, files.open(p)?), &table)?;
            c.text("run")?;
            for u in data.unit_ids() {
                c.text(u)?;
            }
            c.end_row()?;
            Some(std::sync::Mutex::new(c))
        }
        None => None,
    };
    let sink = |r: usize, scores: &[f64]| -> zhili::Result<()> {
        let Some(m) = &runs_csv else { return Ok(()) };
        let mut c = m
            .lock()
            .map_err(|_| Error::spec("output", "the run-scores writer failed earlier"))?;
        c.int(r as u64 + 1)?;
        for &v in scores {
            c.num(v)?;
        }
        c.end_row()
    };
    let pb = progress_bar(total, a.quiet);
    let tick = |done: usize, _: usize| pb.set_position(done as u64);
    let monitor = Monitor {
        progress: Some(&tick),
        cancel: Some(cancel),
        runs: runs_csv.is_some().then_some(&sink as &ua::RunSink<'_>),
    };
    let t0 = std::time::Instant::now();
    let result = match &design {
        Some(d) => ua::replay(
            &fw,
            &data,
            &pipeline,
            d,
            &ReplayOptions {
                nodes,
                keep_runs: a.runs_out.is_some(),
                chunk: None,
            },
            monitor,
        ),
        None => {
            let mut factors: Vec<Factor> = spec.as_ref().map(|s| s.factors.clone()).unwrap_or_default();
            if let Some(f) = a.spread {
                factors.retain(|x| !matches!(x, Factor::Weights { .. }));
                factors.insert(
                    0,
                    Factor::Weights {
                        spread: f,
                        levels: vec![],
                        nodes: vec![],
                    },
                );
            }
            if factors.is_empty() {
                return Err(Error::spec(
                    "arguments",
                    "nothing varies: give --factors FILE, --spread F, or --replay DESIGN",
                ));
            }
            let opts = UncertaintyOptions {
                runs: total,
                seed: a.seed.or(spec.as_ref().and_then(|s| s.seed)).unwrap_or(1),
                nodes,
                keep_runs: a.runs_out.is_some(),
                record_design: a.design_out.is_some(),
                chunk: None,
            };
            ua::uncertainty(&fw, &data, &pipeline, &factors, &opts, monitor)
        }
    };
    pb.finish_and_clear();
    let res = match result {
        Ok(r) => r,
        Err(e) => return interrupted(&e).ok_or(e),
    };
    let secs = t0.elapsed().as_secs_f64();
    if !a.quiet {
        eprintln!("{} runs in {secs:.3} s", res.runs);
    }
    let mut all: Vec<&RankStats> = vec![&res.index];
    all.extend(res.nodes.iter());
    if let Some(m) = runs_csv {
        let c = m.into_inner().map_err(|_| Error::spec("output", "the run-scores writer failed"))?;
        std::io::Write::flush(&mut c.finish()?).map_err(|e| Error::spec("output", format!("cannot write the run scores: {e}")))?;
    }
    if let Some(p) = &a.out {
        files.write(p, |w| io::write::write_rank_stats_csv(w, &res.unit_ids, &all, &table))?;
    } else {
        let mut order: Vec<usize> = (0..res.unit_ids.len()).collect();
        let st = &res.index;
        order.sort_by(|&x, &y| st.nominal_rank[x].total_cmp(&st.nominal_rank[y]));
        let names = data.unit_names();
        let mut header = vec!["unit"];
        if names.is_some() {
            header.push("name");
        }
        header.extend(["nominal_rank", "mean_rank", "median_rank", "q05", "q95", "mean_shift"]);
        let mut t = super::table::words(&header, lang);
        for &u in order.iter().take(a.top) {
            let id = &res.unit_ids[u];
            let mut row = vec![id.clone()];
            if let Some(n) = names {
                let k = data.unit_ids().iter().position(|x| x == id);
                row.push(k.map(|k| n[k].clone()).unwrap_or_default());
            }
            row.extend([
                fmt(st.nominal_rank[u]),
                format!("{:.2}", st.mean[u]),
                fmt(st.median[u]),
                fmt(st.p5[u]),
                fmt(st.p95[u]),
                format!("{:.2}", st.mean_abs_shift[u]),
            ]);
            t.add_row(row);
        }
        super::table::print(&t, lang);
    }
    if let (Some(p), Some(d)) = (&a.design_out, &res.design) {
        let text = d.to_csv_string()?;
        files.write(p, |w| {
            w.write_all(text.as_bytes())
                .map_err(|e| Error::spec("output", format!("cannot write {}: {e}", p.display())))
        })?;
    }
    files.commit()?;
    Ok(ExitCode::SUCCESS)
}
