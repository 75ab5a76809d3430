//! Project tasks: `cargo xtask codegen [--check]`, `cargo xtask spec-diff`, `cargo xtask bench`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod bench;
mod spec_diff;

/// The same allocator as the `openapi-rustgen` binary (see its `main.rs` for the measurements):
/// generation allocates and frees millions of small nodes.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate `generated/` from `spec/` and `templates/` (or any spec into any folder).
    Codegen(CodegenArgs),
    /// Compare two OpenAPI documents: API changes, their levels, and the generated-code change.
    SpecDiff(spec_diff::SpecDiffArgs),
    /// Time the generator (release) on spec/, Cloudflare subsets and synthetic documents.
    Bench(bench::BenchArgs),
}

#[derive(Args)]
struct CodegenArgs {
    /// Write nothing; exit 1 with a diff when the output is stale.
    #[arg(long)]
    check: bool,
    /// Generate from this OpenAPI document instead of `spec/` (needs --out).
    #[arg(long, requires = "out")]
    spec: Option<PathBuf>,
    /// Output folder for --spec (a standalone crate with its own workspace).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Crate name for --spec.
    #[arg(long)]
    name: Option<String>,
    /// Naming and selection configuration for --spec.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Fail when the generator reports any diagnostic.
    #[arg(long)]
    deny_warnings: bool,
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent")
        .to_path_buf()
}

fn codegen_options(args: &CodegenArgs) -> generator::driver::Options {
    match &args.spec {
        Some(spec) => {
            let out = args.out.clone().expect("clap requires --out with --spec");
            let mut command = format!("cargo xtask codegen --spec {} --out {}", spec.display(), out.display());
            if let Some(n) = &args.name {
                command.push_str(&format!(" --name {n}"));
            }
            if let Some(c) = &args.config {
                command.push_str(&format!(" --config {}", c.display()));
            }
            generator::driver::Options {
                spec: Some(spec.clone()),
                config: args.config.clone(),
                out,
                name: args.name.clone(),
                check: args.check,
                deny_warnings: args.deny_warnings,
                command,
                standalone: true,
                relative_to: None,
            }
        }
        None => {
            let mut opts = generator::driver::project_options(&root());
            opts.check = args.check;
            opts.deny_warnings = args.deny_warnings;
            if let Some(out) = &args.out {
                opts.out = out.clone();
            }
            opts
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen(args) => generator::driver::main_with(&codegen_options(&args)),
        Command::Bench(args) => match bench::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
        Command::SpecDiff(args) => match spec_diff::run(args) {
            Ok(code) => ExitCode::from(code as u8),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}

/// The generated crate for `doc` with the project's naming configuration, in memory: what
/// `cargo xtask codegen` would write if `doc` were `spec/openapi.yaml`.
pub(crate) fn codegen_files_for(
    doc: &generator::Document,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let config_path = root().join("spec/codegen.yaml");
    let text = std::fs::read_to_string(&config_path)?;
    let config = generator::Config::parse("spec/codegen.yaml", &text)?;
    let input = generator::driver::project_input(doc, &config, &text);
    Ok(generator::generate(&input)?.files)
}
