//! Client settings that come from `codegen.yaml`: the idempotency header reaches the generated
//! `lib.rs`, and a value that is not an HTTP header name is refused before anything is written.

mod support;

use std::time::Duration;

const SPEC: &str = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths: {}\n";

fn run(config: &str) -> (support::Outcome, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    let cfg = dir.path().join("codegen.yaml");
    std::fs::write(&cfg, config).unwrap();
    let out = dir.path().join("out");
    let outcome = support::generate(
        &spec,
        &out,
        &["--config", cfg.to_str().unwrap()],
        Duration::from_secs(60),
    );
    (outcome, dir)
}

#[test]
fn idempotency_header_from_the_config_reaches_the_client() {
    let (outcome, dir) = run("crate:\n  name: t\n  idempotency_header: Idempotency-Key\n");
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    let lib = std::fs::read_to_string(dir.path().join("out/src/lib.rs")).unwrap();
    assert!(
        lib.contains(
            r#"pub(crate) const IDEMPOTENCY_HEADER: Option<&str> = Some("Idempotency-Key");"#
        ),
        "{lib}"
    );

    let (outcome, dir) = run("crate:\n  name: t\n");
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    let lib = std::fs::read_to_string(dir.path().join("out/src/lib.rs")).unwrap();
    assert!(
        lib.contains("pub(crate) const IDEMPOTENCY_HEADER: Option<&str> = None;"),
        "{lib}"
    );
}

#[test]
fn idempotency_header_that_is_not_a_header_name_is_refused() {
    for bad in [
        r#"'Key"); panic!("x'"#,
        "'Idem Key'",
        "''",
        "'Idem\\u000aKey'",
    ] {
        let (outcome, dir) = run(&format!("crate:\n  name: t\n  idempotency_header: {bad}\n"));
        outcome.assert_bounded(bad, 30.0, 512);
        assert_eq!(outcome.code, Some(2), "{bad}: {}", outcome.stderr);
        // Located at the `crate:` mapping that holds the key.
        assert!(
            outcome.stderr.contains("codegen.yaml:2:"),
            "{bad}: {}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains("idempotency_header"),
            "{bad}: {}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains("not an HTTP header name"),
            "{bad}: {}",
            outcome.stderr
        );
        assert!(!dir.path().join("out").exists(), "{bad}: output written");
    }
}

/// `auth:` names requirements and environment variables of schemes the document has; a name
/// that is not an identifier, or a scheme the document lacks, is refused at its line.
#[test]
fn auth_names_are_checked_against_the_document() {
    const SECURED: &str = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\nsecurity:\n- {a: [], b: []}\npaths: {}\ncomponents:\n  securitySchemes:\n    a: {type: apiKey, in: header, name: X-A}\n    b: {type: apiKey, in: header, name: X-B}\n";
    let run_secured = |config: &str| {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("openapi.yaml");
        std::fs::write(&spec, SECURED).unwrap();
        let cfg = dir.path().join("codegen.yaml");
        std::fs::write(&cfg, config).unwrap();
        let out = dir.path().join("out");
        let outcome = support::generate(&spec, &out, &["--config", cfg.to_str().unwrap()], Duration::from_secs(60));
        (outcome, dir)
    };
    let (ok, dir) = run_secured("crate:\n  name: t\nauth:\n  requirements:\n    pair: [a, b]\n  env:\n    a: KEY_A\n");
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    let auth = std::fs::read_to_string(dir.path().join("out/src/auth.rs")).unwrap();
    assert!(auth.contains("Pair {") && auth.contains("pub fn pair(") && auth.contains("\"T_KEY_A\", \"T_B\""), "{auth}");
    for (config, place, what) in [
        ("crate:\n  name: t\nauth:\n  requirements:\n    pair: [a, nope]\n", "codegen.yaml:5:", "`auth.requirements.pair` lists `nope`"),
        ("crate:\n  name: t\nauth:\n  requirements:\n    only_a: [a]\n", "codegen.yaml:5:", "`auth.requirements.only_a` lists schemes no `security` requirement"),
        ("crate:\n  name: t\nauth:\n  env:\n    nope: X\n", "codegen.yaml:5:", "`auth.env.nope` names no usable security scheme"),
        ("crate:\n  name: t\nauth:\n  requirements:\n    'not ident': [a, b]\n", "codegen.yaml:5:", "`auth.requirements.not ident` is"),
        ("crate:\n  name: t\nauth:\n  env:\n    a: 'X-Y'\n", "codegen.yaml:5:", "`auth.env.a` is"),
    ] {
        let (outcome, dir) = run_secured(config);
        assert_eq!(outcome.code, Some(2), "{config}: {}", outcome.stderr);
        assert!(outcome.stderr.contains(place) && outcome.stderr.contains(what), "{config}: {}", outcome.stderr);
        assert!(!dir.path().join("out").exists(), "{config}: output written");
    }
}
