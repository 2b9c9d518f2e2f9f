//! `zhili frameworks`: the bundled catalogue.

use std::process::ExitCode;

use zhili::io::Lang;
use zhili::Framework;

/// Options of `zhili frameworks`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Language of the table: zh or en. Default: the system locale, else English.
    #[arg(long)]
    lang: Option<Lang>,
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let lang = Lang::resolve(a.lang, None);
    let mut t = super::table::words(&["name", "indicators", "sample_data", "description"], lang);
    for b in zhili::indicators::CATALOGUE {
        let n = Framework::from_toml_str(b.framework)
            .map(|f| f.indicators().len().to_string())
            .unwrap_or_else(|_| "invalid".into());
        t.add_row(vec![
            b.name.to_owned(),
            n,
            lang.pick(
                if b.data.is_some() { "有" } else { "无" },
                if b.data.is_some() { "yes" } else { "no" },
            )
            .to_owned(),
            b.describe(lang.code()).to_owned(),
        ]);
    }
    println!("{t}");
    println!(
        "{}: {}",
        lang.pick("`zhili score` 的默认框架", "default for `zhili score`"),
        zhili::indicators::DEFAULT
    );
    Ok(ExitCode::SUCCESS)
}
