//! `zhili audit`: statistical audit of an index (adequacy, coherence, structure, importance,
//! remove-one rank shifts).

use std::path::PathBuf;
use std::process::ExitCode;

use zhili::analysis::audit::{audit, AuditOptions, AuditReport, Method, Thresholds};
use zhili::io;
use zhili::Error;

use super::inputs::{InputArgs, Inputs};

/// Options of `zhili audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: InputArgs,
    /// Correlation method.
    #[arg(long, value_enum, default_value = "pearson")]
    method: MethodArg,
    /// |r| at or above which siblings (or an indicator and a denominator) are flagged.
    #[arg(long, default_value_t = 0.9)]
    collinear: f64,
    /// Stage described by the adequacy statistics (default: the last before normalisation).
    #[arg(long)]
    stage: Option<String>,
    /// Skip the remove-one-element rank shifts.
    #[arg(long)]
    no_remove_one: bool,
    /// Write every table as CSV into this directory (stats, flags, structure, importance, remove_one).
    #[arg(long)]
    out_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MethodArg {
    Pearson,
    Spearman,
}

type Table<'w> = io::CsvTable<&'w mut dyn std::io::Write>;

fn nums(c: &mut Table<'_>, xs: &[f64]) -> zhili::Result<()> {
    xs.iter().try_for_each(|&x| c.num(x))
}

fn bools(c: &mut Table<'_>, xs: &[bool]) -> zhili::Result<()> {
    xs.iter().try_for_each(|&x| c.text(if x { "true" } else { "false" }))
}

fn stats(r: &AuditReport, c: &mut Table<'_>) -> zhili::Result<()> {
    c.texts([
        "indicator",
        "min",
        "max",
        "mean",
        "median",
        "sd",
        "skew",
        "kurtosis",
        "n_avail",
        "n_nonzero",
        "n_unique",
        "n_same",
        "frc_avail",
        "frc_nonzero",
        "frc_unique",
        "frc_same",
        "low_avail",
        "low_nonzero",
        "low_unique",
        "outlier",
    ])?;
    for s in &r.stats {
        c.text(&s.id)?;
        nums(c, &[s.min, s.max, s.mean, s.median, s.sd, s.skew, s.kurtosis])?;
        for n in [s.n_avail, s.n_nonzero, s.n_unique, s.n_same] {
            c.int(n as u64)?;
        }
        nums(c, &[s.frc_avail, s.frc_nonzero, s.frc_unique, s.frc_same])?;
        bools(c, &[s.low_avail, s.low_nonzero, s.low_unique, s.outlier])?;
        c.end_row()?;
    }
    Ok(())
}

fn flags(r: &AuditReport, c: &mut Table<'_>) -> zhili::Result<()> {
    c.texts(["kind", "a", "b", "r"])?;
    for x in &r.flags {
        c.text(&format!("{:?}", x.kind))?;
        c.text(&x.a)?;
        c.text(&x.b)?;
        c.num(x.r)?;
        c.end_row()?;
    }
    Ok(())
}

fn structure(r: &AuditReport, c: &mut Table<'_>) -> zhili::Result<()> {
    c.texts(["node", "children", "alpha", "pc1_eigenvalue", "pc1_explained", "pc1_loadings"])?;
    for s in &r.structure {
        let (ev, ex, ld) = s.pca.as_ref().map_or((f64::NAN, f64::NAN, String::new()), |p| {
            (
                p.eigenvalues[0],
                p.explained[0],
                p.loadings.iter().map(|l| format!("{l:.4}")).collect::<Vec<_>>().join(" "),
            )
        });
        c.text(&s.node)?;
        c.text(&s.children.join(" "))?;
        nums(c, &[s.alpha, ev, ex])?;
        c.text(&ld)?;
        c.end_row()?;
    }
    Ok(())
}

fn importance(r: &AuditReport, c: &mut Table<'_>) -> zhili::Result<()> {
    c.texts([
        "node",
        "parent",
        "effective_weight",
        "r2_parent",
        "r2_index",
        "r2_index_share",
        "eta2_parent",
        "eta2_index",
        "eta2_index_share",
    ])?;
    for m in &r.importance {
        c.text(&m.node)?;
        c.text(&m.parent)?;
        nums(
            c,
            &[
                m.effective_weight,
                m.r2_parent,
                m.r2_index,
                m.r2_index_share,
                m.eta2_parent,
                m.eta2_index,
                m.eta2_index_share,
            ],
        )?;
        c.end_row()?;
    }
    Ok(())
}

fn remove_one(r: &AuditReport, c: &mut Table<'_>) -> zhili::Result<()> {
    c.texts(["node", "mean_abs_rank_shift", "max_abs_rank_shift"])?;
    for x in &r.remove_one {
        c.text(&x.node)?;
        nums(c, &[x.mean_abs_rank_shift, x.max_abs_rank_shift])?;
        c.end_row()?;
    }
    Ok(())
}

/// The audit's tables, each written as `<name>.csv`.
type Writer = fn(&AuditReport, &mut Table<'_>) -> zhili::Result<()>;
const TABLES: [(&str, Writer); 5] = [
    ("stats", stats),
    ("flags", flags),
    ("structure", structure),
    ("importance", importance),
    ("remove_one", remove_one),
];

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let inputs_used = super::output::input_paths(&a.inputs);
    let Inputs {
        framework: fw,
        data,
        pipeline,
        ..
    } = a.inputs.load()?;
    let opts = AuditOptions {
        method: match a.method {
            MethodArg::Pearson => Method::Pearson,
            MethodArg::Spearman => Method::Spearman,
        },
        collinear: a.collinear,
        thresholds: Thresholds::default(),
        stage: a.stage.clone(),
        remove_one: !a.no_remove_one,
    };
    let r = audit(&fw, &data, &pipeline, &opts)?;
    if let Some(dir) = &a.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::spec("output", format!("cannot create {}: {e}", dir.display())))?;
        // All five files or none (each written whole, then put in place together).
        let opts = io::CsvOptions {
            bom: false,
            ..io::CsvOptions::default()
        };
        let mut files = super::output::files(&inputs_used, &[]);
        for (name, table) in TABLES {
            files.write(&dir.join(format!("{name}.csv")), |w| {
                let mut c = io::CsvTable::new(w, &opts)?;
                table(&r, &mut c)?;
                c.finish().map(|_| ())
            })?;
        }
        files.commit()?;
        return Ok(ExitCode::SUCCESS);
    }
    let new_table = |header: &[&str]| {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
        t.set_header(header.to_vec());
        t
    };
    println!("Data adequacy ({} stage): indicators with a flag", r.stage);
    let mut t = new_table(&["indicator", "available", "non-zero", "unique", "skew", "kurtosis", "flags"]);
    for s in r.stats.iter().filter(|s| s.low_avail || s.low_nonzero || s.low_unique || s.outlier) {
        let fl: Vec<&str> = [
            (s.low_avail, "low availability"),
            (s.low_nonzero, "many zeros"),
            (s.low_unique, "few unique"),
            (s.outlier, "outliers"),
        ]
        .iter()
        .filter(|x| x.0)
        .map(|x| x.1)
        .collect();
        t.add_row(vec![
            s.id.clone(),
            format!("{:.0} %", 100.0 * s.frc_avail),
            format!("{:.0} %", 100.0 * s.frc_nonzero),
            format!("{:.0} %", 100.0 * s.frc_unique),
            format!("{:.2}", s.skew),
            format!("{:.2}", s.kurtosis),
            fl.join(", "),
        ]);
    }
    println!("{t}");
    println!("Correlation flags");
    let mut t = new_table(&["kind", "a", "b", "r"]);
    for x in &r.flags {
        t.add_row(vec![format!("{:?}", x.kind), x.a.clone(), x.b.clone(), format!("{:.3}", x.r)]);
    }
    println!("{t}");
    println!("Structure of each aggregate");
    let mut t = new_table(&["node", "children", "Cronbach α", "PC1 variance"]);
    for s in &r.structure {
        t.add_row(vec![
            s.node.clone(),
            s.children.len().to_string(),
            format!("{:.3}", s.alpha),
            s.pca.as_ref().map_or(String::new(), |p| format!("{:.1} %", 100.0 * p.explained[0])),
        ]);
    }
    println!("{t}");
    println!("Effective weight vs importance (r² and correlation ratio η² with the index, share within level), and remove-one rank shifts");
    let mut t = new_table(&[
        "node",
        "effective weight",
        "r² parent",
        "r² index share",
        "η² index share",
        "mean |Δrank| without it",
    ]);
    for m in &r.importance {
        let shift = r
            .remove_one
            .iter()
            .find(|x| x.node == m.node)
            .map_or(String::new(), |x| format!("{:.2}", x.mean_abs_rank_shift));
        t.add_row(vec![
            m.node.clone(),
            format!("{:.4}", m.effective_weight),
            format!("{:.3}", m.r2_parent),
            format!("{:.4}", m.r2_index_share),
            format!("{:.4}", m.eta2_index_share),
            shift,
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}
