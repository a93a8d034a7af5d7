//! The `serum` command: parse the arguments, run the command, print errors once.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = serum::cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{error}");
            let count = error.problems().len();
            if count > 1 {
                eprintln!("error: {count} problems found");
            }
            ExitCode::from(1)
        }
    }
}
