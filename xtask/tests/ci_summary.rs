//! `.ci/summary`, the closing line of CI's test run, on a captured `cargo test` log: behaviour
//! tests and doctests apart, skips taken off the passed count and named, failures and ignored
//! tests named, and a test binary that died without its result line reported.

use std::path::Path;
use std::process::Command;

const LOG: &str = r#"   Compiling openapi-rustgen v0.1.0 (/src/generator)
    Finished `test` profile [unoptimized + debuginfo] target(s) in 25.55s
     Running unittests src/lib.rs (target/debug/deps/generator-0d1e2f3a4b5c6d7e)

running 2 tests
test escape::tests::quotes ... ok
test naming::tests::keywords ... ok

test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s

     Running tests/diff_upstream.rs (target/debug/deps/diff_upstream-43db699239ad3df2)

running 3 tests
SKIPPED diff_upstream::upstream_history_2024_to_current: ../shared/upstream is absent (the upstream documents)
test upstream_history_2024_to_current ... ok
test every_upstream_document_against_itself_reports_nothing ... SKIPPED diff_upstream::every_upstream_document_against_itself_reports_nothing: ../shared/upstream is absent (the upstream documents)
ok
test upstream_history_current_to_2024_is_breaking ... FAILED

failures:

---- upstream_history_current_to_2024_is_breaking stdout ----
thread 'upstream_history_current_to_2024_is_breaking' panicked at generator/tests/diff_upstream.rs:227:21:
CI is set, so diff_upstream::upstream_history_current_to_2024_is_breaking may not skip: ../shared/upstream is absent (the upstream documents)

failures:
    upstream_history_current_to_2024_is_breaking

test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

error: test failed, to rerun pass `-p openapi-rustgen --test diff_upstream`
     Running tests/hostile_limits.rs (target/debug/deps/hostile_limits-8747c9e8ac4f2fcb)

running 2 tests
test deep_nesting_is_refused ... ok
test known_quadratic_case ... ignored, open defect: quadratic merge
error: test failed, to rerun pass `-p openapi-rustgen --test hostile_limits`

Caused by:
  process didn't exit successfully: `/src/target/debug/deps/hostile_limits-8747c9e8ac4f2fcb` (signal: 11, SIGSEGV: invalid memory reference)
     Running tests/recursion.rs (target/debug/deps/recursion-0123456789abcdef)

running 1 test
test self_alias ... ignored

test result: ok. 0 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

   Doc-tests generator

running 3 tests
test generator/src/settings.rs - settings::Settings (line 12) - compile ... ok
test generator/src/lib.rs - (line 3) ... ok
test generator/src/diff/mod.rs - diff (line 40) ... FAILED

test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s
"#;

#[test]
fn closing_line_of_a_captured_log() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("ci-test.log");
    std::fs::write(&log, LOG).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/summary");
    let output = Command::new("bash").arg(&script).arg(&log).output().expect("run .ci/summary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "CI is set, so diff_upstream::upstream_history_current_to_2024_is_breaking may not skip: ../shared/upstream is absent (the upstream documents)",
            "SKIPPED diff_upstream::every_upstream_document_against_itself_reports_nothing: ../shared/upstream is absent (the upstream documents)",
            "SKIPPED diff_upstream::upstream_history_2024_to_current: ../shared/upstream is absent (the upstream documents)",
            "tests: 2 passed, 1 failed (diff_upstream::upstream_history_current_to_2024_is_breaking), \
             2 skipped (diff_upstream::upstream_history_2024_to_current, diff_upstream::every_upstream_document_against_itself_reports_nothing), \
             2 ignored (hostile_limits::known_quadratic_case, recursion::self_alias); \
             doctests: 2 passed, 1 failed (doc:generator::generator/src/diff/mod.rs - diff (line 40)), 0 ignored; \
             test binaries that did not finish: hostile_limits",
        ]
    );
}
