//! Compiling generated crates: `cargo check` and `cargo build` of a crate whose dependencies
//! are already built, measured as one process tree (wall time, and the peak RSS of its largest
//! process, which is the crate's own rustc).

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{machine, measure, measure_with, selected, verdict, Limits, Measured};

/// The name `--only` picks the whole-Cloudflare `cargo check` by (with `--check-output`).
pub(super) const CLOUDFLARE_CHECK: &str = "cargo check Cloudflare";
/// The same with the `zero_trust` feature only.
pub(super) const CLOUDFLARE_CHECK_ONE: &str = "cargo check Cloudflare zero_trust";
/// The whole-Cloudflare debug build.
pub(super) const CLOUDFLARE_BUILD: &str = "cargo build Cloudflare";

/// The whole-Cloudflare check's targets: seconds of wall time and MB of peak RSS of any one
/// process.
const CLOUDFLARE_CHECK_TARGET: (f64, f64) = (60.0, 3072.0);

/// What cargo does to the crate.
#[derive(Clone, Copy)]
pub(super) enum Step {
    Check,
    Build,
}

impl Step {
    fn subcommand(self) -> &'static str {
        match self {
            Step::Check => "check",
            Step::Build => "build",
        }
    }
}

/// One measured compile.
pub(super) struct Compiled {
    pub wall: f64,
    pub rss_mb: f64,
    pub code: i32,
    /// Stopped at the memory cap.
    pub capped: bool,
}

impl Compiled {
    /// What the table shows in its exit column.
    pub fn outcome(&self, cap_mb: f64) -> String {
        if self.capped {
            format!("stopped: a process went over the {:.0} GB cap", cap_mb / 1024.0)
        } else {
            self.code.to_string()
        }
    }
}

/// Generates `spec` with the release binary into `out` (a standalone crate).
pub(super) fn generate(bin: &Path, spec: &Path, out: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(out);
    let mut cmd = Command::new(bin);
    cmd.arg("--spec").arg(spec).arg("--out").arg(out);
    let Measured { code, stderr, .. } = measure(cmd)?;
    if code != 0 {
        bail!("generating {} from {} failed:\n{stderr}", out.display(), spec.display());
    }
    Ok(())
}

/// Builds the dependencies of the crate in `dir` for `step` (not measured), then measures
/// `cargo <step> --lib` of the crate itself from scratch: incremental compilation off, so the
/// figure is not a warm re-check. The dependencies are built with an empty `lib.rs` put in
/// place for that one command, so the crate's own code is compiled once only, in the measured
/// command.
pub(super) fn compile(dir: &Path, target: &Path, step: Step, features: &[&str], cap_kb: u64) -> Result<Compiled> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let command = || {
        let mut cmd = Command::new(&cargo);
        cmd.args([step.subcommand(), "--quiet", "--lib"])
            .args(features)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target)
            .env("CARGO_INCREMENTAL", "0");
        cmd
    };
    let lib = dir.join("src/lib.rs");
    let text = std::fs::read(&lib).with_context(|| format!("read {}", lib.display()))?;
    std::fs::write(&lib, "//! Empty while the dependencies are built.\n")?;
    eprintln!("cargo {} in {}: building the dependencies (not measured)…", step.subcommand(), dir.display());
    let deps = measure(command());
    // Written anew, so cargo compiles the crate again in the measured command.
    std::fs::write(&lib, &text)?;
    let deps = deps?;
    if deps.code != 0 {
        bail!("cargo {} of the dependencies of {} failed:\n{}", step.subcommand(), dir.display(), deps.stderr);
    }
    eprintln!("cargo {} in {} (measured)…", step.subcommand(), dir.display());
    let m = measure_with(command(), &Limits { cap_kb: Some(cap_kb), ..Limits::default() })?;
    if m.code != 0 && !m.capped {
        eprintln!("{}", m.stderr);
    }
    Ok(Compiled { wall: m.wall.as_secs_f64(), rss_mb: m.rss_kb as f64 / 1024.0, code: m.code, capped: m.capped })
}

/// `--check-output`: `cargo check` of the generated whole-Cloudflare crate (all features, then
/// the `zero_trust` feature alone) and its `cargo build` (debug), each with its dependencies
/// built first.
pub(super) fn cloudflare(bin: &Path, cloudflare: &Path, work: &Path, only: Option<&str>, cap_kb: u64) -> Result<()> {
    let wanted = [CLOUDFLARE_CHECK, CLOUDFLARE_CHECK_ONE, CLOUDFLARE_BUILD].map(|name| selected(only, name));
    if !wanted.contains(&true) {
        return Ok(());
    }
    if !cloudflare.exists() {
        eprintln!("{} not found: skipping the cargo check and build of the whole-Cloudflare crate", cloudflare.display());
        return Ok(());
    }
    let out = work.join("cloudflare-crate");
    generate(bin, cloudflare, &out)?;
    let target = work.join("generated-target");
    let cap_mb = cap_kb as f64 / 1024.0;
    println!("\n{}", machine());
    println!("| the generated whole-Cloudflare crate, dependencies built | wall s | peak RSS MB (largest process) | exit | target |");
    println!("| --- | --- | --- | --- | --- |");
    if wanted[0] {
        let c = compile(&out, &target, Step::Check, &[], cap_kb)?;
        let met = c.code == 0 && c.wall <= CLOUDFLARE_CHECK_TARGET.0 && c.rss_mb <= CLOUDFLARE_CHECK_TARGET.1;
        println!(
            "| {CLOUDFLARE_CHECK}: `cargo check --lib`, all features | {:.1} | {:.0} | {} | ≤ {} s, ≤ {} MB: {} |",
            c.wall,
            c.rss_mb,
            c.outcome(cap_mb),
            CLOUDFLARE_CHECK_TARGET.0,
            CLOUDFLARE_CHECK_TARGET.1,
            verdict(met)
        );
    }
    // With one cargo feature per top-level resource, the Zero Trust part alone.
    let manifest = std::fs::read_to_string(out.join("Cargo.toml"))?;
    if wanted[1] && manifest.lines().any(|l| l.trim_start().starts_with("zero_trust = ")) {
        let c = compile(&out, &target, Step::Check, &["--no-default-features", "--features", "zero_trust"], cap_kb)?;
        println!(
            "| {CLOUDFLARE_CHECK_ONE}: feature `zero_trust` only | {:.1} | {:.0} | {} | a small part of the whole: reported |",
            c.wall,
            c.rss_mb,
            c.outcome(cap_mb)
        );
    }
    if wanted[2] {
        let c = compile(&out, &target, Step::Build, &[], cap_kb)?;
        println!(
            "| {CLOUDFLARE_BUILD}: `cargo build --lib` (debug), all features | {:.1} | {:.0} | {} | reported |",
            c.wall,
            c.rss_mb,
            c.outcome(cap_mb)
        );
    }
    println!("{}", machine());
    Ok(())
}
