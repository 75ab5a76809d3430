//! Skips that show. A test that cannot do its work (the upstream documents or Prism are
//! missing) calls [`skip`]: on CI (`CI` set) that fails the test, naming what is missing;
//! elsewhere it writes `SKIPPED <binary>::<test>: <reason>` straight to stderr, past the test
//! harness's output capture, so the line is in every run's log and `.ci/summary` counts and
//! names it. Also included by the generated crate's Prism test and xtask's upstream spec-diff
//! test.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where the upstream documents are read from: `UPSTREAM_DIR` if set, otherwise
/// `../shared/upstream` beside the repository.
pub fn upstream_dir() -> PathBuf {
    match std::env::var_os("UPSTREAM_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream"),
    }
}

/// The upstream folder, or `None` after a skip saying it is absent.
#[track_caller]
pub fn upstream_or_skip() -> Option<PathBuf> {
    let dir = upstream_dir();
    if dir.is_dir() {
        return Some(dir);
    }
    skip(&format!("{} is absent (the upstream documents)", dir.display()));
    None
}

/// The running test could not do (all of) its work, for `reason`: a failure with `CI` set,
/// a `SKIPPED` line otherwise.
#[track_caller]
pub fn skip(reason: &str) {
    let name = test_name();
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("CI is set, so {name} may not skip: {reason}");
    }
    // One write, so the line is not interleaved with the harness's own output.
    let _ = std::io::stderr().write_all(format!("SKIPPED {name}: {reason}\n").as_bytes());
}

/// `<test binary>::<test>`: the caller's file names the binary, the harness names the thread
/// after the test.
#[track_caller]
fn test_name() -> String {
    let file = Path::new(std::panic::Location::caller().file());
    let binary = file.file_stem().map_or_else(|| "?".into(), |s| s.to_string_lossy());
    let thread = std::thread::current();
    format!("{binary}::{}", thread.name().unwrap_or("?"))
}
