//! `cargo xtask spec-diff --overlay` on Cloudflare's whole API, 2024-08-06 → 2026-08, as a
//! process: of an overlay's three actions, the one whose target both documents hold is applied
//! silently, and the two whose targets 2026 no longer has (a path, and an operation found by a
//! filter) are each named in a note, with their index, line, description and target.
//!
//! The documents live outside the repository, in `../shared/upstream/full/` (or `UPSTREAM_DIR`);
//! a missing one is a skip that shows, and a failure on CI (see `support/skip.rs`).

#[path = "../../generator/tests/support/skip.rs"]
mod skip;

use std::process::Command;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");
const OLD: &str = "full/cloudflare-api.api-schemas-2024-08-06.openapi.json";
const NEW: &str = "full/cloudflare-api.stainless-2026-08.openapi.json";

/// Action 0 selects a node on both sides; 1 and 2 only in 2024 (2026 spells the URL scanner's
/// path parameter `account_id` and has no `account-subscriptions-list-subscriptions`).
const OVERLAY: &str = "overlay: 1.0.0
info: {title: Local adjustments, version: '1'}
actions:
  - target: $.paths['/accounts'].get
    description: Our name for the account list.
    update: {summary: List the accounts}
  - target: $.paths['/accounts/{accountId}/urlscanner/scan']
    description: We do not scan URLs.
    remove: true
  - target: $.paths.*[?@.operationId == 'account-subscriptions-list-subscriptions']
    description: Name the subscription list.
    update: {summary: Subscriptions}
";

#[test]
fn cloudflare_2024_to_2026_names_the_actions_that_stopped_matching() {
    let Some(dir) = skip::upstream_or_skip() else { return };
    let (old, new) = (dir.join(OLD), dir.join(NEW));
    let missing: Vec<String> = [&old, &new].iter().filter(|p| !p.is_file()).map(|p| p.display().to_string()).collect();
    if !missing.is_empty() {
        skip::skip(&format!("{} absent", missing.join(", ")));
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let overlay = scratch.path().join("local.yaml");
    std::fs::write(&overlay, OVERLAY).unwrap();

    let output = Command::new(XTASK)
        .arg("spec-diff")
        .args([&old, &new])
        .arg("--overlay")
        .arg(&overlay)
        .output()
        .expect("run xtask spec-diff");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    let notes: Vec<&str> = stdout.lines().filter(|l| l.starts_with("note: ")).collect();
    let file = overlay.display();
    let want = [
        format!(
            "note: overlay {file}:7 actions[1] (description \"We do not scan URLs.\", target \"$.paths['/accounts/{{accountId}}/urlscanner/scan']\") selects 1 node(s) in OLD and nothing in NEW: the upstream changed under it"
        ),
        format!(
            "note: overlay {file}:10 actions[2] (description \"Name the subscription list.\", target \"$.paths.*[?@.operationId == 'account-subscriptions-list-subscriptions']\") selects 1 node(s) in OLD and nothing in NEW: the upstream changed under it"
        ),
    ];
    assert_eq!(notes, want, "notes of spec-diff; its stderr:\n{stderr}");
    // The report before the notes compares the documents as the overlay left them: with the
    // 2024 path removed, its operations are new in 2026 (without the overlay they are changes).
    for method in ["GET", "POST"] {
        let line = format!("  {method} /accounts/{{account_id}}/urlscanner/scan: endpoint added");
        assert!(stdout.lines().any(|l| l.starts_with(&line)), "no {line:?} in the report");
    }
}
