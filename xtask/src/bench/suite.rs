//! `--test-suite`: `cargo test --workspace` from a fresh clone of the repository's HEAD, its
//! dependencies downloaded first (`cargo fetch`) but not built, as CI runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{machine, measure, measure_with, verdict, Limits};

/// The name `--only` picks the case by.
pub(super) const SUITE_CASE: &str = "cargo test --workspace";

/// Seconds of wall time.
const TARGET: f64 = 300.0;

/// How many test binaries the report names, slowest first.
const SLOWEST: usize = 10;

pub(super) fn run(root: &Path, work: &Path, cargo: &str) -> Result<()> {
    let base = work.join("fresh-clone");
    let clone = base.join("repo");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base)?;
    let head = git(root, &["rev-parse", "HEAD"])?;
    if !git(root, &["status", "--porcelain", "--untracked-files=no"])?.is_empty() {
        eprintln!("note: the working tree has uncommitted changes; the clone has HEAD {head} only");
    }
    eprintln!("cloning HEAD {head} into {}…", clone.display());
    run_git(Command::new("git").args(["clone", "--quiet", "--no-checkout"]).arg(root).arg(&clone))?;
    run_git(Command::new("git").args(["checkout", "--quiet", "--detach", &head]).current_dir(&clone))?;
    // The tests read `../shared` beside the repository, as CI lays it out.
    match shared_dir(root) {
        Some(shared) => std::os::unix::fs::symlink(&shared, base.join("shared"))?,
        None => eprintln!("note: no shared folder beside {}: the tests that need it will skip", root.display()),
    }

    let env_cmd = |program: &str| {
        let mut cmd = Command::new(program);
        // As `.ci/run` sets it: a one-off build gains nothing from incremental caches.
        cmd.current_dir(&clone).env_remove("CARGO_TARGET_DIR").env("CARGO_INCREMENTAL", "0");
        cmd
    };
    let mut fetch = env_cmd(cargo);
    fetch.args(["fetch", "--quiet"]);
    let fetched = measure(fetch)?;
    if fetched.code != 0 {
        bail!("cargo fetch in {} failed:\n{}", clone.display(), fetched.stderr);
    }
    // Prism, which the contract test needs, is installed as CI installs it (not timed with the
    // tests); without npm that test skips, as the log then says.
    let mut prism = env_cmd("bash");
    prism.arg(".ci/install-prism.sh");
    let prism = measure(prism)?;
    if prism.code != 0 {
        eprintln!("note: .ci/install-prism.sh failed; the Prism contract test will skip:\n{}", prism.stderr);
    }

    let log = base.join("test.log");
    println!("\n{SUITE_CASE}: a fresh clone of HEAD {head}, dependencies fetched ({:.1} s), nothing built\n{}", fetched.wall.as_secs_f64(), machine());
    eprintln!("cargo test --workspace in {} (measured; output in {})…", clone.display(), log.display());
    let mut test = env_cmd(cargo);
    test.args(["test", "--workspace", "--no-fail-fast"]);
    let m = measure_with(test, &Limits { log: Some(&log), ..Limits::default() })?;
    let text = std::fs::read_to_string(&log).with_context(|| format!("read {}", log.display()))?;
    let report = Report::read(&text);
    let wall = m.wall.as_secs_f64();
    let running: f64 = report.binaries.iter().map(|b| b.1).sum();
    println!(
        "{SUITE_CASE}: {wall:.1} s wall, {:.1} s CPU, peak RSS {:.0} MB (largest process), exit {}; {} test binaries ran for {running:.1} s in all, so compiling took about {:.1} s",
        m.cpu,
        m.rss_kb as f64 / 1024.0,
        m.code,
        report.binaries.len(),
        wall - running
    );
    println!(
        "tests: {} passed, {} failed, {} ignored; {} SKIPPED lines",
        report.passed, report.failed, report.ignored, report.skipped
    );
    let mut slowest = report.binaries.clone();
    slowest.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("the {SLOWEST} slowest test binaries (the time each ran, from `finished in`):");
    for (name, secs) in slowest.iter().take(SLOWEST) {
        println!("    {secs:>7.2} s  {name}");
    }
    println!("{SUITE_CASE} target ≤ {TARGET:.0} s wall: {}", verdict(m.code == 0 && wall <= TARGET));
    println!("{}", machine());
    // The clone's build is several GB; the log stays.
    let _ = std::fs::remove_dir_all(clone.join("target"));
    Ok(())
}

/// The shared folder the tests find at `../shared`: the parent of `UPSTREAM_DIR` when that is
/// set, else `../shared` beside the repository.
fn shared_dir(root: &Path) -> Option<PathBuf> {
    let dir = match std::env::var_os("UPSTREAM_DIR").filter(|v| !v.is_empty()) {
        Some(upstream) => PathBuf::from(upstream).parent()?.to_path_buf(),
        None => root.join("../shared"),
    };
    dir.canonicalize().ok().filter(|d| d.is_dir())
}

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git").args(args).current_dir(dir).output().context("run git")?;
    if !out.status.success() {
        bail!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn run_git(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().context("run git")?;
    if !status.success() {
        bail!("{cmd:?} failed");
    }
    Ok(())
}

/// What a `cargo test` log says: each test binary's run time and the counts.
#[derive(Default, Debug, PartialEq)]
struct Report {
    /// The binary as cargo names it (`unittests src/lib.rs (target/…)`, `Doc-tests NAME`), and
    /// the seconds its harness reports.
    binaries: Vec<(String, f64)>,
    passed: usize,
    failed: usize,
    ignored: usize,
    skipped: usize,
}

impl Report {
    fn read(log: &str) -> Report {
        let mut report = Report::default();
        let mut current = String::new();
        for line in log.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix("Running ") {
                current = name.to_string();
            } else if line.starts_with("Doc-tests ") {
                current = line.to_string();
            } else if line.starts_with("SKIPPED ") {
                report.skipped += 1;
            } else if let Some(result) = line.strip_prefix("test result: ") {
                let count = |word: &str| {
                    result
                        .split(';')
                        .find_map(|part| part.trim().strip_suffix(word)?.trim().rsplit(' ').next()?.parse::<usize>().ok())
                        .unwrap_or(0)
                };
                report.passed += count("passed");
                report.failed += count("failed");
                report.ignored += count("ignored");
                let secs = result
                    .split_once("finished in ")
                    .and_then(|(_, t)| t.trim_end_matches('s').parse::<f64>().ok())
                    .unwrap_or(0.0);
                report.binaries.push((std::mem::take(&mut current), secs));
            }
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::Report;

    #[test]
    fn reads_binaries_and_counts() {
        let log = "   Compiling generator v0.1.0
     Running unittests src/lib.rs (target/debug/deps/generator-0a1b)

running 2 tests
test a ... ok
test b ... ignored
SKIPPED fixtures::x: ../shared/upstream is absent

test result: ok. 1 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 12.50s

     Running tests/fixtures.rs (target/debug/deps/fixtures-9f)
test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 144.03s

   Doc-tests generator
test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.91s
";
        let r = Report::read(log);
        assert_eq!(
            r.binaries,
            vec![
                ("unittests src/lib.rs (target/debug/deps/generator-0a1b)".to_string(), 12.5),
                ("tests/fixtures.rs (target/debug/deps/fixtures-9f)".to_string(), 144.03),
                ("Doc-tests generator".to_string(), 0.91),
            ]
        );
        assert_eq!((r.passed, r.failed, r.ignored, r.skipped), (11, 2, 1, 1));
    }
}
