use std::process::ExitCode;

fn main() -> ExitCode {
    touchstone::cli::run()
}
