//! `openapi-rustgen`: generate an async Rust client crate from an OpenAPI 3.0 document.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// The generator allocates and frees millions of small token and syntax-tree nodes; mimalloc
/// does that markedly faster than the system allocator and returns freed memory sooner.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
