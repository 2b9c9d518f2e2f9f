//! `zhili frameworks`: the bundled catalogue.

use std::process::ExitCode;

use zhili::Framework;

/// Options of `zhili frameworks`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_: Args) -> zhili::Result<ExitCode> {
    let mut t = super::table::new(&["name", "indicators", "sample data", "description"]);
    for b in zhili::indicators::CATALOGUE {
        let n = Framework::from_toml_str(b.framework)
            .map(|f| f.indicators().len().to_string())
            .unwrap_or_else(|_| "invalid".into());
        t.add_row(vec![
            b.name.to_owned(),
            n,
            if b.data.is_some() { "yes" } else { "no" }.to_owned(),
            b.description.to_owned(),
        ]);
    }
    println!("{t}");
    println!("default for `zhili score`: {}", zhili::indicators::DEFAULT);
    Ok(ExitCode::SUCCESS)
}
