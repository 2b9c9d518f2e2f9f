//! `zhili audit`: statistical audit of an index (adequacy, coherence, structure, importance,
//! remove-one rank shifts).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use zhili::analysis::audit::{audit, AuditOptions, AuditReport, Method, Thresholds};
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

fn f(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x:?}")
    }
}

fn tables(r: &AuditReport) -> Vec<(&'static str, String)> {
    let mut stats = String::from("indicator,min,max,mean,median,sd,skew,kurtosis,n_avail,n_nonzero,n_unique,n_same,frc_avail,frc_nonzero,frc_unique,frc_same,low_avail,low_nonzero,low_unique,outlier\n");
    for s in &r.stats {
        let _ = writeln!(
            stats,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            s.id,
            f(s.min),
            f(s.max),
            f(s.mean),
            f(s.median),
            f(s.sd),
            f(s.skew),
            f(s.kurtosis),
            s.n_avail,
            s.n_nonzero,
            s.n_unique,
            s.n_same,
            f(s.frc_avail),
            f(s.frc_nonzero),
            f(s.frc_unique),
            f(s.frc_same),
            s.low_avail,
            s.low_nonzero,
            s.low_unique,
            s.outlier
        );
    }
    let mut flags = String::from("kind,a,b,r,p\n");
    for x in &r.flags {
        let _ = writeln!(flags, "{:?},{},{},{},{}", x.kind, x.a, x.b, f(x.r), f(x.p));
    }
    let mut structure = String::from("node,children,alpha,pc1_eigenvalue,pc1_explained,pc1_loadings\n");
    for s in &r.structure {
        let (ev, ex, ld) = s.pca.as_ref().map_or((f64::NAN, f64::NAN, String::new()), |p| {
            (
                p.eigenvalues[0],
                p.explained[0],
                p.loadings.iter().map(|l| format!("{l:.4}")).collect::<Vec<_>>().join(" "),
            )
        });
        let _ = writeln!(
            structure,
            "{},{},{},{},{},{}",
            s.node,
            s.children.join(" "),
            f(s.alpha),
            f(ev),
            f(ex),
            ld
        );
    }
    let mut importance =
        String::from("node,parent,effective_weight,r2_parent,r2_index,r2_index_share,eta2_parent,eta2_index,eta2_index_share\n");
    for m in &r.importance {
        let _ = writeln!(
            importance,
            "{},{},{},{},{},{},{},{},{}",
            m.node,
            m.parent,
            f(m.effective_weight),
            f(m.r2_parent),
            f(m.r2_index),
            f(m.r2_index_share),
            f(m.eta2_parent),
            f(m.eta2_index),
            f(m.eta2_index_share)
        );
    }
    let mut remove = String::from("node,mean_abs_rank_shift,max_abs_rank_shift\n");
    for x in &r.remove_one {
        let _ = writeln!(remove, "{},{},{}", x.node, f(x.mean_abs_rank_shift), f(x.max_abs_rank_shift));
    }
    vec![
        ("stats", stats),
        ("flags", flags),
        ("structure", structure),
        ("importance", importance),
        ("remove_one", remove),
    ]
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
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
        for (name, text) in tables(&r) {
            let p = dir.join(format!("{name}.csv"));
            std::fs::write(&p, text).map_err(|e| Error::spec("output", format!("cannot write {}: {e}", p.display())))?;
        }
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
    let mut t = new_table(&["kind", "a", "b", "r", "p"]);
    for x in &r.flags {
        t.add_row(vec![
            format!("{:?}", x.kind),
            x.a.clone(),
            x.b.clone(),
            format!("{:.3}", x.r),
            format!("{:.2e}", x.p),
        ]);
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
