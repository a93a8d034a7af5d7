//! The `serum` command: parse the arguments, run the command, print errors once.

use std::process::ExitCode;

use clap::Parser;

/// Building a site allocates many small strings from several threads at once, which
/// mimalloc serves faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the `mi_option_e` of the mimalloc that libmimalloc-sys builds
/// (its bindings do not name it): how many milliseconds freed memory waits before it goes back
/// to the system; -1 keeps it.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the memory a command frees for its own later use. A build frees and allocates
/// hundreds of megabytes as it goes from step to step; returned to the system, each megabyte
/// comes back as fresh pages the kernel must zero, which took a tenth of a 100,000-article
/// build. A command that ends soon has no reason to give memory back; `serve`, which runs
/// for hours, does give it back.
fn keep_freed_memory() {
    // SAFETY: sets an option mimalloc reads whenever it purges; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
}

fn main() -> ExitCode {
    let cli = serum::cli::Cli::parse();
    if !cli.serves() {
        keep_freed_memory();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_mimalloc_documents() {
        // SAFETY: reads and sets options; any value is valid.
        let (default, kept) = unsafe {
            let default = libmimalloc_sys::mi_option_get(PURGE_DELAY);
            keep_freed_memory();
            (default, libmimalloc_sys::mi_option_get(PURGE_DELAY))
        };
        // The bundled options.c sets the purge delay to 1,000 ms; an option with another
        // default means the enum moved and PURGE_DELAY names something else.
        assert_eq!(default, 1000);
        assert_eq!(kept, -1);
    }
}
