//! The codegen command shared by the `openapi-rustgen` CLI and `cargo xtask codegen`:
//! read inputs, generate in memory, then write or check the output folder.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::write::{self, Changes, Mode};
use crate::{GenerateError, Generated, Input};

/// Options of one codegen run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spec; when absent, the configuration's `spec` member (relative to the configuration).
    pub spec: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub out: PathBuf,
    /// Crate name when the configuration names none.
    pub name: Option<String>,
    pub check: bool,
    /// Overwrite existing files that lack the `@generated` marker (`--force`).
    pub force: bool,
    pub deny_warnings: bool,
    /// How to regenerate, printed in headers and in check failures.
    pub command: String,
    /// Generate a crate with its own `[workspace]`.
    pub standalone: bool,
    /// Input paths are shown relative to this folder in headers, so they read the same on
    /// every machine.
    pub relative_to: Option<PathBuf>,
}

/// The command that regenerates the project's crate, printed in its headers.
pub const PROJECT_COMMAND: &str = "cargo xtask codegen";

/// The generation input of `cargo xtask codegen` for a document already in memory (another
/// revision of `spec/openapi.yaml`, or an edited copy) and the text of `spec/codegen.yaml`:
/// the same files that command would write for it.
pub fn project_input<'a>(
    doc: &'a crate::Document,
    config: &'a Config,
    config_text: &'a str,
) -> Input<'a> {
    Input {
        doc,
        config,
        default_crate_name: "cloudflare-access-users",
        command: PROJECT_COMMAND,
        inputs_label: "spec/openapi.yaml and spec/codegen.yaml",
        extra_hash_input: config_text.as_bytes(),
        standalone: false,
    }
}

/// The options of `cargo xtask codegen` for the workspace at `root`: `spec/codegen.yaml` (which
/// names `spec/openapi.yaml`) into `generated/`.
pub fn project_options(root: &Path) -> Options {
    Options {
        spec: None,
        config: Some(root.join("spec/codegen.yaml")),
        out: root.join("generated"),
        name: None,
        check: false,
        force: false,
        deny_warnings: false,
        command: PROJECT_COMMAND.into(),
        standalone: false,
        relative_to: Some(root.to_path_buf()),
    }
}

/// A failed run, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error("{} warning(s) and --deny-warnings is set; nothing was written", .0.len())]
    Denied(Vec<Diagnostic>),
    #[error("{0}: no spec given; pass --spec or set `spec:` in the configuration")]
    NoSpec(String),
    #[error(transparent)]
    Write(#[from] write::WriteError),
}

impl DriverError {
    /// 1 for a stale output in check mode, 2 for bad input (the spec, the configuration, or an
    /// output folder the writer refuses), 3 for I/O failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            DriverError::Write(write::WriteError::Stale { .. }) => 1,
            DriverError::Write(write::WriteError::Io { .. } | write::WriteError::Undone { .. }) => 3,
            _ => 2,
        }
    }
}

/// What a successful run did.
pub struct Report {
    pub generated: Generated,
    pub changes: Changes,
}

/// Derives a crate name from a spec file name (`cloudflare-api.openapi.json` → `cloudflare-api`).
pub fn crate_name_from_path(path: &Path) -> String {
    let stem = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("api")
        .split('.')
        .next()
        .unwrap_or("api");
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    name = name.trim_matches('-').to_string();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("api-{name}").trim_end_matches('-').to_string();
    }
    format!("{name}-client")
}

/// Generates in memory from the options' inputs, without touching the output folder.
pub fn generate(opts: &Options) -> Result<Generated, DriverError> {
    let (config, config_text) = match &opts.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|source| {
                GenerateError::Config(crate::config::ConfigError::Io {
                    file: p.display().to_string(),
                    source,
                })
            })?;
            (
                Config::parse(&p.display().to_string(), &text).map_err(GenerateError::from)?,
                text,
            )
        }
        None => (Config::default(), String::new()),
    };
    let spec = match (&opts.spec, &config.spec, &opts.config) {
        (Some(s), _, _) => s.clone(),
        (None, Some(s), Some(cfg)) => cfg.parent().unwrap_or(Path::new(".")).join(s),
        _ => {
            return Err(DriverError::NoSpec(
                opts.config
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "codegen".into()),
            ))
        }
    };
    let load_start = std::time::Instant::now();
    let doc = crate::load::load_path(&spec).map_err(GenerateError::from)?;
    let load_time = load_start.elapsed();
    let default_name = opts.name.clone().unwrap_or_else(|| crate_name_from_path(&spec));
    let shown = |p: &Path| -> String {
        let p = match &opts.relative_to {
            Some(base) => p.strip_prefix(base).unwrap_or(p),
            None => p,
        };
        p.display().to_string().replace('\\', "/")
    };
    let label = match &opts.config {
        Some(c) => format!("{} and {}", shown(&spec), shown(c)),
        None => shown(&spec),
    };
    let input = Input {
        doc: &doc,
        config: &config,
        default_crate_name: &default_name,
        command: &opts.command,
        inputs_label: &label,
        extra_hash_input: config_text.as_bytes(),
        standalone: opts.standalone,
    };
    let mut generated = crate::generate(&input)?;
    generated.timings.load = load_time;
    generated.diagnostics.sort();
    if opts.deny_warnings && !generated.diagnostics.is_empty() {
        return Err(DriverError::Denied(generated.diagnostics));
    }
    Ok(generated)
}

/// Generates, then writes or checks the output folder.
pub fn run(opts: &Options) -> Result<Report, DriverError> {
    let mut generated = generate(opts)?;
    let mode = match (opts.check, opts.force) {
        (true, _) => Mode::Check,
        (false, true) => Mode::Force,
        (false, false) => Mode::Write,
    };
    let write_start = std::time::Instant::now();
    let changes = write::ensure_files(&opts.out, &generated.files, mode, &opts.command)?;
    generated.timings.write = write_start.elapsed();
    Ok(Report { generated, changes })
}

/// Runs and reports like a command-line tool: diagnostics and errors on stderr, a summary on
/// stdout, and the exit code (0 done or fresh, 1 stale in check mode, 2 bad input, 3 I/O).
pub fn main_with(opts: &Options) -> std::process::ExitCode {
    main_with_timings(opts, false)
}

/// [`main_with`], and with `timings` also one `timings: stage=seconds …` line on stderr.
pub fn main_with_timings(opts: &Options, timings: bool) -> std::process::ExitCode {
    match run(opts) {
        Ok(report) => {
            if timings {
                eprintln!("{}", report.generated.timings.line());
            }
            for d in &report.generated.diagnostics {
                eprintln!("{d}");
            }
            for s in &report.changes.skipped {
                eprintln!("note: {}", crate::escape::shown(&format!("{}/{s}", opts.out.display())));
            }
            let c = &report.changes;
            if opts.check {
                println!("{} is fresh ({} files)", opts.out.display(), report.generated.files.len());
            } else if c.is_empty() {
                println!("{}: up to date ({} files)", opts.out.display(), report.generated.files.len());
            } else {
                println!(
                    "{}: {} added, {} changed, {} removed",
                    opts.out.display(),
                    c.added.len(),
                    c.changed.len(),
                    c.stale.len()
                );
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            if let DriverError::Denied(diags) = &e {
                for d in diags {
                    eprintln!("{d}");
                }
            }
            eprintln!("error: {e}");
            std::process::ExitCode::from(e.exit_code() as u8)
        }
    }
}
