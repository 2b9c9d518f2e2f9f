//! `zhili methods`: every built-in normalisation, aggregation and weighting method, read from
//! the registries (`zhili::methods::catalogue`).

use std::process::ExitCode;

use zhili::io::Lang;
use zhili::methods::{catalogue, Family};

/// Options of `zhili methods`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only this family: normalise, aggregate or weighting.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(Family::ALL.map(Family::name)))]
    family: Option<String>,
    /// Language of the table: zh or en. Default: the system locale, else English.
    #[arg(long)]
    lang: Option<Lang>,
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let lang = Lang::resolve(a.lang, None);
    let only = a.family.as_deref().and_then(Family::parse);
    let mut t = super::table::new(&[
        lang.pick("步骤", "step"),
        lang.pick("方法", "method"),
        lang.pick("说明", "description"),
        lang.pick("默认选项", "defaults"),
    ]);
    for m in catalogue().into_iter().filter(|m| only.is_none_or(|f| f == m.family)) {
        // "English · 中文": the half in the display language
        let (en, zh) = m.about.split_once(" · ").unwrap_or((m.about, m.about));
        let mut options = m.example.clone();
        if let Some(o) = options.as_object_mut() {
            o.remove("method");
        }
        let options = match options.as_object() {
            Some(o) if o.is_empty() => String::new(),
            _ => options.to_string(),
        };
        t.add_row(vec![
            m.family.name().to_owned(),
            m.name.to_owned(),
            lang.pick(zh, en).to_owned(),
            options,
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}
