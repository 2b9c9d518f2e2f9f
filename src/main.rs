//! The `zhili` command: score, validate and list bundled frameworks.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
