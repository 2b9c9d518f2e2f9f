//! `zhili serve`: the workbench, a local web page to tune weights, compare scenarios and export them.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use super::inputs::{InputArgs, Inputs};
use zhili::io::DataOptions;

/// Options of `zhili serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    inputs: InputArgs,
    /// The scenario store (SQLite file; created if missing).
    #[arg(long, default_value = "zhili-workbench.sqlite")]
    db: PathBuf,
    /// Address to listen on. Anything but a loopback address needs --token.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0: any free port; the address printed is the real one).
    #[arg(long, default_value_t = 8600)]
    port: u16,
    /// Access token: every request must carry it (open the printed address, which includes it).
    #[arg(long)]
    token: Option<String>,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
}

pub(crate) fn run(a: Args) -> zhili::Result<ExitCode> {
    let Inputs {
        framework,
        data,
        pipeline,
        grading,
        lang,
    } = a.inputs.load_panel()?;
    let label = match (&a.inputs.data, &a.inputs.sample, &a.inputs.framework) {
        (Some(d), _, _) => d
            .file_name()
            .map_or_else(|| "data".to_owned(), |f| f.to_string_lossy().into_owned()),
        (None, Some(s), _) => s.clone(),
        (None, None, f) => zhili::indicators::get(f.as_deref().unwrap_or(zhili::indicators::DEFAULT))
            .and_then(|b| b.sample())
            .map_or_else(|| "sample".to_owned(), |s| s.name.to_owned()),
    };
    let mut cfg = zhili_workbench::Config::new(framework, data, pipeline);
    cfg.year = a.inputs.year;
    cfg.grading = grading;
    cfg.lang = lang;
    cfg.data_label = label;
    cfg.data_options = DataOptions {
        unit_column: a.inputs.unit_column.clone(),
        ..DataOptions::default()
    };
    cfg.db = a.db;
    cfg.host = a.host;
    cfg.port = a.port;
    cfg.token = a.token.clone();
    let open = a.open;
    let token = a.token;
    let result = zhili_workbench::serve(cfg, |addr| {
        let host = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let url = format!("http://{host}:{}/", addr.port());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {url}");
        if let Some(t) = &token {
            let _ = writeln!(out, "open {url}?token={t}");
        }
        let _ = writeln!(out, "Ctrl-C stops the server");
        let _ = out.flush();
        if open {
            let target = token.as_ref().map_or_else(|| url.clone(), |t| format!("{url}?token={t}"));
            let opener = if cfg!(target_os = "macos") {
                "open"
            } else if cfg!(windows) {
                "explorer"
            } else {
                "xdg-open"
            };
            if let Err(e) = std::process::Command::new(opener).arg(&target).spawn() {
                eprintln!("warning: cannot open a browser ({opener}: {e}); open {target} yourself");
            }
        }
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
