//! `openapi-rustgen`: generate an async Rust client crate from an OpenAPI 3.0 document.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// The generator allocates and frees millions of small token and syntax-tree nodes; mimalloc
/// does that markedly faster than the system allocator and returns freed memory sooner. It is
/// built without transparent huge pages (`no_thp`): with them, a quarter of the run went to the
/// kernel zeroing 2 MiB pages that mimalloc had returned and touched again.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Has mimalloc return freed pages to the system after 100 ms instead of its default 1 s.
/// Formatting frees and reallocates in waves, one group of items after another; on the whole
/// Cloudflare API the shorter delay measured a lower and steadier peak RSS (355 MB against 360
/// to 380 MB) and less system time (0.45 to 0.52 s against 0.52 to 1.13 s) on this project's
/// 2-core machines.
fn tune_allocator() {
    use std::ffi::{c_int, c_long};
    extern "C" {
        fn mi_option_set(option: c_int, value: c_long);
    }
    /// `mi_option_purge_delay` in mimalloc.h.
    const MI_OPTION_PURGE_DELAY: c_int = 15;
    // SAFETY: mimalloc is linked in as the global allocator above, and setting an option is
    // allowed at any time.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 100) }
}

/// Generate an async Rust client crate from an OpenAPI 3.0 document (YAML or JSON).
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// The OpenAPI document.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Naming and selection configuration (codegen.yaml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output folder of the crate.
    #[arg(long)]
    out: PathBuf,
    /// Crate name (default: from the spec file name).
    #[arg(long)]
    name: Option<String>,
    /// Write nothing; fail with a diff if the output folder is stale.
    #[arg(long)]
    check: bool,
    /// Treat diagnostics as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Print the time of each stage (load, resolve, emit, format, render, write) on stderr.
    #[arg(long)]
    timings: bool,
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let mut command = String::from("openapi-rustgen");
    if let Some(s) = &cli.spec {
        command.push_str(&format!(" --spec {}", s.display()));
    }
    if let Some(c) = &cli.config {
        command.push_str(&format!(" --config {}", c.display()));
    }
    command.push_str(&format!(" --out {}", cli.out.display()));
    if let Some(n) = &cli.name {
        command.push_str(&format!(" --name {n}"));
    }
    let opts = generator::driver::Options {
        spec: cli.spec,
        config: cli.config,
        out: cli.out,
        name: cli.name,
        check: cli.check,
        deny_warnings: cli.deny_warnings,
        command,
        standalone: true,
        relative_to: None,
    };
    generator::driver::main_with_timings(&opts, cli.timings)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tuned_option_is_the_purge_delay() {
        use std::ffi::{c_int, c_long};
        extern "C" {
            fn mi_option_get(option: c_int) -> c_long;
        }
        // Of the options around it, only the purge delay defaults to 1000 (ms): a different
        // numbering in a newer mimalloc would fail here instead of tuning the wrong option.
        // SAFETY: reading an option of the linked allocator.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(unsafe { mi_option_get(15) }, 1000);
        }
        super::tune_allocator();
        assert_eq!(unsafe { mi_option_get(15) }, 100);
    }
}
