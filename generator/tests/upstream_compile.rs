//! Cloudflare's own documents for the users API (read from `../shared/upstream/`, or
//! `UPSTREAM_DIR`, at run time) generate crates that compile. A missing document is a skip that
//! shows, and a failure on CI (see `support/skip.rs`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn generate_and_check(file: &str, name: &str) {
    let root = root();
    let spec = support::skip::upstream_dir().join(file);
    if !spec.is_file() {
        support::skip::skip(&format!("{} is absent (an upstream document)", spec.display()));
        return;
    }
    let out = root.join("target/upstream-check").join(name);
    let report = generator::Settings::new(&spec)
        .crate_name(name)
        .command(format!("cargo xtask codegen --spec {file} --out DIR --name {name}"))
        .write_to(&out)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(report.generated.files.contains_key("src/models.rs"));
    support::pin_lock(&out);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--quiet", "--all-targets"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", support::shared_target())
        .output()
        .expect("run cargo check");
    assert!(
        output.status.success(),
        "cargo check failed for the crate generated from {file}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let warnings = String::from_utf8_lossy(&output.stderr);
    assert!(!warnings.contains("warning:"), "{file}: warnings:\n{warnings}");
}

#[test]
fn current_upstream_excerpt_generates_a_crate_that_compiles() {
    generate_and_check("cloudflare-access-users.openapi.yaml", "upstream-users-current");
}

#[test]
fn upstream_2024_excerpt_generates_a_crate_that_compiles() {
    generate_and_check(
        "cloudflare-access-users.api-schemas-2024-08-06.openapi.yaml",
        "upstream-users-2024",
    );
}
