//! `zhili weights`: data-driven or AHP weights for every sibling group of a framework,
//! printed and written as a weight set that `zhili score --weights` reads.

use std::path::PathBuf;
use std::process::ExitCode;

use super::inputs::InputArgs;
use zhili::weight::{group_weights, AhpSpec, WeightMethod};
use zhili::{Aggregate, Error, Step, WeightSet};

/// Options of `zhili weights`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Weighting method: a data-driven method of the registry (`zhili methods weighting`), or ahp.
    #[arg(long, short, value_parser = clap::builder::PossibleValuesParser::new(method_names()))]
    method: String,
    #[command(flatten)]
    inputs: InputArgs,
    /// AHP judgements (TOML: `[nodes.<id>] elements = [...]`, `matrix = [[...]]`), for `--method ahp`.
    #[arg(long)]
    ahp: Option<PathBuf>,
    /// Pipeline stage the data-driven weights are computed on (default: `imputed` if the
    /// pipeline imputes, else `raw`); missing values are an error.
    #[arg(long)]
    stage: Option<String>,
    /// Write the weight set here (.toml or .csv); `zhili score --weights FILE` applies it.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

/// The registry's data-driven methods (names and aliases), then `ahp`.
fn method_names() -> Vec<&'static str> {
    WeightMethod::names().chain(["ahp"]).collect()
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let mut inputs_used = super::output::input_paths(&a.inputs);
    inputs_used.extend(a.ahp.iter().cloned());
    let inputs = a.inputs.load()?;
    let fw = &inputs.framework;
    let (weights, notes) = if a.method == "ahp" {
        let path = a
            .ahp
            .as_ref()
            .ok_or_else(|| Error::spec("arguments", "--method ahp needs --ahp FILE with the pairwise judgements"))?;
        let (text, _) = zhili::io::read_text(path)?;
        let spec = AhpSpec::from_toml_str(&text, &path.display().to_string())?;
        let res = spec.weights(fw)?;
        let notes = res
            .results
            .iter()
            .map(|(node, r)| {
                format!(
                    "{node}: λmax {:.6}, CI {:.6}, RI {:.2}, CR {:.6}{}",
                    r.lambda_max,
                    r.ci,
                    r.ri,
                    r.cr,
                    if r.consistent { "" } else { " (inconsistent)" }
                )
            })
            .collect();
        (res.weights, notes)
    } else {
        let method = WeightMethod::named(&a.method)
            .ok_or_else(|| Error::spec("arguments", format!("unknown weighting method `{}`", zhili::text::cut(&a.method))))?;
        let run = inputs.pipeline.run(fw, &inputs.data)?;
        let stage_name = a.stage.clone().unwrap_or_else(|| {
            if run.stage("imputed").is_some() {
                "imputed".into()
            } else {
                "raw".into()
            }
        });
        let stage = run.stage(&stage_name).ok_or_else(|| Error::Unknown {
            what: "stage",
            id: stage_name.clone(),
            context: format!("this run has: {}", run.stage_names().join(", ")),
        })?;
        let aggregate = inputs
            .pipeline
            .steps
            .iter()
            .find_map(|s| match s {
                Step::Aggregate(ag) => Some(ag.clone()),
                _ => None,
            })
            .unwrap_or_else(Aggregate::default);
        let units: Vec<String> = stage.data.units.iter().map(|&r| inputs.data.unit_ids()[r].clone()).collect();
        let w = group_weights(fw, stage.data.values.view(), &method, &aggregate, Some(&units))?;
        (w, vec![format!("computed on stage `{stage_name}`")])
    };
    let applied = fw.with_weights(weights.iter())?;
    let eff = applied.effective_weights();
    let lang = inputs.lang;
    let mut t = super::table::words(&["node", "parent", "weight_in_group", "effective_weight"], lang);
    for (i, n) in applied.nodes().iter().enumerate() {
        if let Some(p) = n.parent {
            let w = weights.weights.get(&n.id).map_or_else(
                || format!("{} ({})", n.weight, zhili::io::lang::words::get("kept", lang)),
                |w| format!("{w:.6}"),
            );
            let node = format!("{} ({})", lang.node_label(&applied, i), n.id);
            t.add_row(vec![node, lang.node_label(&applied, p), w, format!("{:.6}", eff[i])]);
        }
    }
    super::table::print(&t, lang);
    for n in notes {
        println!("{n}");
    }
    if let Some(out) = &a.out {
        write_weights(out, &inputs_used, &weights)?;
        println!(
            "weights written to {} (use: zhili score --weights {})",
            out.display(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Write a weight set that `--weights` reads back: CSV through the `csv` crate (ids with
/// commas or quotes are quoted; no BOM, no formula guard, so every id survives), else TOML.
fn write_weights(path: &std::path::Path, inputs: &[std::path::PathBuf], w: &WeightSet) -> zhili::Result<()> {
    let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut files = super::output::files(inputs, &[]);
    files.write(path, |out| {
        if csv {
            let mut c = zhili::io::CsvTable::new(out, &zhili::io::CsvOptions::DOCUMENT)?;
            c.texts(["id", "weight"])?;
            for (id, v) in w.iter() {
                c.text(id)?;
                c.num(v)?;
                c.end_row()?;
            }
            c.finish().map(|_| ())
        } else {
            let text = toml::to_string(&w).map_err(|e| Error::spec("weights", e.to_string()))?;
            out.write_all(text.as_bytes())
                .map_err(|e| Error::spec("output", format!("cannot write {}: {e}", path.display())))
        }
    })?;
    files.commit().map(|_| ())
}
