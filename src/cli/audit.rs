//! `zhili audit`: statistical audit of an index (adequacy, coherence, structure, importance,
//! remove-one rank shifts).

use std::path::PathBuf;
use std::process::ExitCode;

use zhili::analysis::audit::{audit, AuditOptions, AuditReport, Method, Thresholds};
use zhili::io;
use zhili::Error;

use super::inputs::{InputArgs, Inputs};
use super::table;
use zhili::io::{lang::words, Lang};

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
    c.texts(["kind", "a", "b", "r", "p"])?;
    for x in &r.flags {
        c.text(&format!("{:?}", x.kind))?;
        c.text(&x.a)?;
        c.text(&x.b)?;
        c.num(x.r)?;
        c.num(x.p)?;
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
        lang,
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
    print_report(&fw, &r, lang);
    Ok(ExitCode::SUCCESS)
}

/// The report on screen, in `lang`; an empty table prints a "(none)" line.
fn print_report(fw: &zhili::Framework, r: &AuditReport, lang: Lang) {
    let label = |id: &str| fw.index_of(id).map_or_else(|| id.to_owned(), |i| lang.node_label(fw, i));
    println!("{}", words::get("audit_adequacy", lang).replace("{stage}", &r.stage));
    let mut t = table::words(&["indicator", "available", "non_zero", "unique", "skew", "kurtosis", "flags"], lang);
    for s in r.stats.iter().filter(|s| s.low_avail || s.low_nonzero || s.low_unique || s.outlier) {
        let fl: Vec<&str> = [
            (s.low_avail, "low_availability"),
            (s.low_nonzero, "many_zeros"),
            (s.low_unique, "few_unique"),
            (s.outlier, "outliers"),
        ]
        .iter()
        .filter(|x| x.0)
        .map(|x| words::get(x.1, lang))
        .collect();
        t.add_row(vec![
            label(&s.id),
            format!("{:.0} %", 100.0 * s.frc_avail),
            format!("{:.0} %", 100.0 * s.frc_nonzero),
            format!("{:.0} %", 100.0 * s.frc_unique),
            format!("{:.2}", s.skew),
            format!("{:.2}", s.kurtosis),
            fl.join(", "),
        ]);
    }
    table::print(&t, lang);
    println!("{}", words::get("audit_flags", lang));
    let mut t = table::words(&["kind", "element_a", "element_b", "r", "p"], lang);
    for x in &r.flags {
        t.add_row(vec![
            format!("{:?}", x.kind),
            label(&x.a),
            label(&x.b),
            format!("{:.3}", x.r),
            format!("{:.2e}", x.p),
        ]);
    }
    table::print(&t, lang);
    println!("{}", words::get("audit_structure", lang));
    let mut t = table::words(&["node", "children", "cronbach_alpha", "pc1_variance"], lang);
    for s in &r.structure {
        t.add_row(vec![
            label(&s.node),
            s.children.len().to_string(),
            format!("{:.3}", s.alpha),
            s.pca.as_ref().map_or(String::new(), |p| format!("{:.1} %", 100.0 * p.explained[0])),
        ]);
    }
    table::print(&t, lang);
    println!("{}", words::get("audit_importance", lang));
    let mut t = table::words(
        &[
            "node",
            "effective_weight",
            "r2_parent",
            "r2_index_share",
            "eta2_index_share",
            "remove_one_shift",
        ],
        lang,
    );
    for m in &r.importance {
        let shift = r
            .remove_one
            .iter()
            .find(|x| x.node == m.node)
            .map_or(String::new(), |x| format!("{:.2}", x.mean_abs_rank_shift));
        t.add_row(vec![
            label(&m.node),
            format!("{:.4}", m.effective_weight),
            format!("{:.3}", m.r2_parent),
            format!("{:.4}", m.r2_index_share),
            format!("{:.4}", m.eta2_index_share),
            shift,
        ]);
    }
    table::print(&t, lang);
}
