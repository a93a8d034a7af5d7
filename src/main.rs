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

/// Seeds each new hash map from a counter of the thread that makes it. Tera's values are
/// ahash maps, and ahash seeds every new map from one counter that all threads add to: a page
/// makes dozens of maps, and at 100,000 articles the two cores spent a twentieth of the pages
/// step handing that counter's cache line to each other. The seeds are still mixed with the
/// random keys ahash draws once per process.
struct SeedPerThread;

thread_local! {
    /// This thread's next seed; 0 until its first.
    static NEXT_SEED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl ahash::random_state::RandomSource for SeedPerThread {
    fn gen_hasher_seed(&self) -> usize {
        NEXT_SEED.with(|next| {
            // Each thread starts from where its counter lives, which no other live thread
            // shares.
            let seed = match next.get() {
                0 => next as *const _ as usize,
                n => n,
            };
            next.set(seed.wrapping_add(0x9e37_79b9_7f4a_7c15_u64 as usize));
            seed
        })
    }
}

/// Makes ahash seed maps per thread; it must run before the first map is made. Whether it
/// did: a map made earlier leaves ahash on its own counter, which is slower, not wrong.
fn seed_maps_per_thread() -> bool {
    ahash::random_state::set_random_source(SeedPerThread).is_ok()
}

fn main() -> ExitCode {
    seed_maps_per_thread();
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

    #[test]
    fn tera_s_maps_take_their_seeds_from_this_thread_s_counter() {
        assert!(seed_maps_per_thread());
        let before = NEXT_SEED.with(std::cell::Cell::get);
        // Tera's own map type: were Tera on another ahash than the one serum seeds, this map
        // would not move the counter.
        let map = tera::Map::default();
        assert_ne!(NEXT_SEED.with(std::cell::Cell::get), before);
        drop(map);
    }
}
