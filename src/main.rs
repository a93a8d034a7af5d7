//! The `serum` command: parse the arguments, run the command, print errors once.

use std::process::ExitCode;

use clap::Parser;

/// Building a site allocates many small strings from several threads at once, which
/// mimalloc serves faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = serum::cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{error}");
            if error.problems().len() > 1 {
                eprintln!("error: {}", serum::error::count_line(error.problems()));
            }
            ExitCode::from(1)
        }
    }
}
