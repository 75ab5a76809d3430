//! Compiling generated crates: `cargo check` and `cargo build` of a crate whose dependencies
//! are already built, measured as one process tree (wall time, and the peak RSS of its largest
//! process, which is the crate's own rustc).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{machine, measure, measure_with, selected, verdict, Limits, Measured};

/// The name `--only` picks the whole-Cloudflare `cargo check` by (with `--check-output`).
pub(super) const CLOUDFLARE_CHECK: &str = "cargo check Cloudflare";
/// The same with the `zero_trust` feature only.
pub(super) const CLOUDFLARE_CHECK_ONE: &str = "cargo check Cloudflare zero_trust";
/// The whole-Cloudflare debug build.
pub(super) const CLOUDFLARE_BUILD: &str = "cargo build Cloudflare";
/// The whole-Cloudflare `cargo check`, generated as a workspace (`--split-crates`).
pub(super) const CLOUDFLARE_CHECK_SPLIT: &str = "cargo check Cloudflare split";
/// The same with each set of string-enum values defined once (`--alias-same-enums`).
pub(super) const CLOUDFLARE_CHECK_SPLIT_ALIASED: &str = "cargo check Cloudflare split, enums aliased";

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
    /// CPU seconds of the whole process tree (every rustc), steadier than wall on a busy
    /// machine.
    pub cpu: f64,
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
    generate_with(bin, spec, out, &[])
}

/// The same with more arguments for the generator.
fn generate_with(bin: &Path, spec: &Path, out: &Path, args: &[&str]) -> Result<()> {
    let _ = std::fs::remove_dir_all(out);
    let mut cmd = Command::new(bin);
    cmd.arg("--spec").arg(spec).arg("--out").arg(out).args(args);
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
    compile_emptying(dir, target, step, features, &[dir.join("src/lib.rs")], cap_kb)
}

/// [`compile`], emptying each of `libs` (the crate's and, in a workspace, its members') while
/// the dependencies are built.
fn compile_emptying(dir: &Path, target: &Path, step: Step, features: &[&str], libs: &[PathBuf], cap_kb: u64) -> Result<Compiled> {
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
    let texts = libs
        .iter()
        .map(|lib| std::fs::read(lib).with_context(|| format!("read {}", lib.display())))
        .collect::<Result<Vec<_>>>()?;
    for lib in libs {
        std::fs::write(lib, "//! Empty while the dependencies are built.\n")?;
    }
    eprintln!("cargo {} in {}: building the dependencies (not measured)…", step.subcommand(), dir.display());
    let deps = measure(command());
    // Written anew, so cargo compiles the crates again in the measured command.
    for (lib, text) in libs.iter().zip(&texts) {
        std::fs::write(lib, text)?;
    }
    let deps = deps?;
    if deps.code != 0 {
        bail!("cargo {} of the dependencies of {} failed:\n{}", step.subcommand(), dir.display(), deps.stderr);
    }
    eprintln!("cargo {} in {} (measured)…", step.subcommand(), dir.display());
    let m = measure_with(command(), &Limits { cap_kb: Some(cap_kb), ..Limits::default() })?;
    if m.code != 0 && !m.capped {
        eprintln!("{}", m.stderr);
    }
    Ok(Compiled { wall: m.wall.as_secs_f64(), cpu: m.cpu, rss_mb: m.rss_kb as f64 / 1024.0, code: m.code, capped: m.capped })
}

/// `--check-output`: `cargo check` of the generated whole-Cloudflare crate (all features, then
/// the `zero_trust` feature alone) and its `cargo build` (debug), each with its dependencies
/// built first.
pub(super) fn cloudflare(bin: &Path, cloudflare: &Path, work: &Path, only: Option<&str>, cap_kb: u64) -> Result<()> {
    let wanted = [CLOUDFLARE_CHECK, CLOUDFLARE_CHECK_ONE, CLOUDFLARE_BUILD].map(|name| selected(only, name));
    let split = [CLOUDFLARE_CHECK_SPLIT, CLOUDFLARE_CHECK_SPLIT_ALIASED].map(|name| selected(only, name));
    if !wanted.contains(&true) && !split.contains(&true) {
        return Ok(());
    }
    if !cloudflare.exists() {
        eprintln!("{} not found: skipping the cargo check and build of the whole-Cloudflare crate", cloudflare.display());
        return Ok(());
    }
    if split.contains(&true) {
        cloudflare_split(bin, cloudflare, work, split, cap_kb)?;
    }
    if !wanted.contains(&true) {
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

/// A crate generated as a workspace (`--split-crates`) into `out` and checked with
/// `cargo check --lib` and `features`, its dependencies built first with every `lib.rs`
/// emptied (not measured): the compile, the number of crates and the largest member (name,
/// lines).
pub(super) fn check_split(bin: &Path, spec: &Path, out: &Path, target: &Path, features: &[&str], cap_kb: u64) -> Result<(Compiled, usize, (usize, String))> {
    check_split_with(bin, spec, out, target, features, &[], cap_kb)
}

/// [`check_split`] with more generator arguments.
fn check_split_with(bin: &Path, spec: &Path, out: &Path, target: &Path, features: &[&str], args: &[&str], cap_kb: u64) -> Result<(Compiled, usize, (usize, String))> {
    generate_with(bin, spec, out, &[&["--split-crates"], args].concat())?;
    let mut libs = vec![out.join("src/lib.rs")];
    let mut largest = (0, String::new());
    for entry in std::fs::read_dir(out.join("crates"))? {
        let dir = entry?.path();
        let lib = dir.join("src/lib.rs");
        let lines = std::fs::read_to_string(&lib).with_context(|| format!("read {}", lib.display()))?.lines().count();
        if lines > largest.0 {
            largest = (lines, dir.file_name().unwrap_or_default().to_string_lossy().into_owned());
        }
        libs.push(lib);
    }
    libs.sort();
    let c = compile_emptying(out, target, Step::Check, features, &libs, cap_kb)?;
    Ok((c, libs.len(), largest))
}

/// `cargo check --lib` of the whole-Cloudflare crate generated as a workspace
/// (`--split-crates`): the facade and its member crates, compiled in parallel by cargo. The
/// peak RSS is that of the largest single process (one rustc); the row also gives the number of
/// crates and the largest member. `wanted`: the plain case, the case with enums aliased.
fn cloudflare_split(bin: &Path, cloudflare: &Path, work: &Path, wanted: [bool; 2], cap_kb: u64) -> Result<()> {
    let target = work.join("generated-target");
    println!("\n{}", machine());
    println!("| the whole-Cloudflare crate as a workspace, dependencies built | wall s | CPU s | peak RSS MB (largest process) | exit | target |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let cases = [
        (CLOUDFLARE_CHECK_SPLIT, "cloudflare-split", &[][..]),
        (CLOUDFLARE_CHECK_SPLIT_ALIASED, "cloudflare-split-aliased", &["--alias-same-enums"][..]),
    ];
    for ((name, folder, args), _) in cases.into_iter().zip(wanted).filter(|(_, on)| *on) {
        split_row(bin, cloudflare, &work.join(folder), &target, name, args, cap_kb)?;
    }
    println!("{}", machine());
    Ok(())
}

/// One row of [`cloudflare_split`].
fn split_row(bin: &Path, spec: &Path, out: &Path, target: &Path, name: &str, args: &[&str], cap_kb: u64) -> Result<()> {
    let (c, crates, largest) = check_split_with(bin, spec, out, target, &[], args, cap_kb)?;
    let met = c.code == 0 && c.wall <= CLOUDFLARE_CHECK_TARGET.0 && c.rss_mb <= CLOUDFLARE_CHECK_TARGET.1;
    println!(
        "| {name}: `cargo check --lib`, all features; {} crates, the largest member {} ({} lines) | {:.1} | {:.1} | {:.0} | {} | ≤ {} s, ≤ {} MB: {} |",
        crates,
        largest.1,
        largest.0,
        c.wall,
        c.cpu,
        c.rss_mb,
        c.outcome(cap_kb as f64 / 1024.0),
        CLOUDFLARE_CHECK_TARGET.0,
        CLOUDFLARE_CHECK_TARGET.1,
        verdict(met)
    );
    Ok(())
}
