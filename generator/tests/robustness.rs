//! Property tests over load → generate with hostile strings (`robustness/strategies.rs`): every
//! title, description, tag, operationId, schema, property, parameter and enum name, server URL
//! and version is drawn from the attack classes, and so are the strings of a `codegen.yaml`.
//!
//! - `valid_documents_generate_safe_crates`: valid OpenAPI 3.0 documents (a third each rewritten
//!   as 3.1 by `as_3_1` and as Swagger 2.0 by `as_2_0`) generate (or are
//!   refused with a located error), and the output passes every check of
//!   `robustness/checks.rs` and is the same bytes twice.
//! - `messages_carry_no_control_characters`: diagnostics and errors, which go to a terminal,
//!   carry no raw control or bidi character from the input.
//! - `broken_documents_fail_located`: a valid document with one deliberate defect generates, or
//!   fails with an error naming the file and the place; never a panic.
//! - `edited_documents_never_panic`: random edits to a document's tree; generation succeeds (and
//!   the output passes the checks) or fails with a located error.
//! - `mutated_bytes_fail_located`: byte edits exercise the loader; its errors name the file.
//! - `valid_strategy_reaches_generation`: the strategy itself writes documents the loader
//!   accepts and the generator turns into crates, so the properties above test the generator
//!   rather than the loader.
//! - `checks_accept_the_feature_fixtures`: the checks pass on the fixtures' output, so their
//!   failures are about hostile strings.
//! - `robustness_compiles`: a fixed-seed sample of documents, with payloads that write a
//!   marker file if any string ever runs as code, generated into one cargo workspace under
//!   `target/robustness-check/` and built with `cargo check` and `cargo test --doc`.
//!
//! The default run is short; `PROPTEST_CASES` and `ROBUSTNESS_COMPILE_CASES` make it longer
//! (see "Robustness checks" in README.md). A failing case's seed is saved in
//! `robustness.proptest-regressions` beside this file and replayed first on every later run.

mod support;
#[path = "robustness/checks.rs"]
mod checks;
#[path = "robustness/strategies.rs"]
mod strategies;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::{FileFailurePersistence, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use checks::{Expect, Problem, Reference};
use strategies::*;

const DEFAULT_NAME: &str = "fuzz-client";

/// A generous bound for one small document in a debug build on a loaded machine; a run over
/// it means generation went quadratic or worse somewhere (a hang is ended by the timeout).
const SLOW: Duration = Duration::from_secs(20);

fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(Reference::new)
}

/// Why a case did not produce a crate.
#[derive(Debug)]
pub enum Failure {
    /// The loader refused the document (message).
    Load(String),
    /// The configuration did not parse (message).
    Config(String),
    /// Generation failed (message).
    Generate(String),
}

/// Loads `doc` (pretty JSON, named `fuzz.json`) and an optional configuration, and generates.
pub fn generate(doc: &Value, config: Option<&Value>) -> Result<generator::Generated, Failure> {
    let text = serde_json::to_string_pretty(doc).expect("serialize");
    generate_text(text.as_bytes(), config).map(|(g, _)| g)
}

fn generate_text(bytes: &[u8], config: Option<&Value>) -> Result<(generator::Generated, generator::Config), Failure> {
    let cfg_text = config.map(yaml_safe_json).unwrap_or_default();
    let config = generator::Config::parse("codegen.yaml", &cfg_text).map_err(|e| Failure::Config(e.to_string()))?;
    let doc = generator::load_bytes("fuzz.json", bytes).map_err(|e| Failure::Load(e.to_string()))?;
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: DEFAULT_NAME,
        command: "fuzz",
        inputs_label: "fuzz.json",
        standalone: true,
        module: None,
    };
    generator::generate(&input).map(|g| (g, config)).map_err(|e| Failure::Generate(e.to_string()))
}

/// An error message names the file it is about and, unless it is about the whole file, the
/// line (`fuzz.json:12:` / `codegen.yaml:3:4:`) or, in the configuration, the dotted key; it is
/// never an internal error.
fn located(msg: &str) -> Result<(), TestCaseError> {
    let whole_file = [": the file is empty", ": not a text document", ": the document is ", ": this is a Swagger", ": version ", ": no `openapi` member"];
    let located = ["fuzz.json:", "codegen.yaml:"].iter().any(|f| {
        msg.strip_prefix(f).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    }) || whole_file.iter().any(|w| msg.starts_with(&format!("fuzz.json{w}")))
        // A configuration value whose key is written with escapes names its dotted key.
        || msg.starts_with("codegen.yaml: `");
    prop_assert!(located, "error names no file and place: {}", msg);
    prop_assert!(!msg.contains("internal error"), "{}", msg);
    Ok(())
}

/// Generates twice and runs the checks; returns the problems found.
fn generated_problems(doc: &Value, config: Option<&Value>) -> Result<Vec<Problem>, Failure> {
    let text = serde_json::to_string_pretty(doc).expect("serialize");
    let start = Instant::now();
    let (first, cfg) = generate_text(text.as_bytes(), config)?;
    let elapsed = start.elapsed();
    let mut problems = checks::check(&first.files, &Expect::new(doc, &cfg, DEFAULT_NAME), reference());
    if elapsed > SLOW {
        problems.push(Problem { class: "time: slow generation".into(), detail: format!("{elapsed:?}") });
    }
    match generate_text(text.as_bytes(), config) {
        Ok((second, _)) if second.files == first.files => {}
        Ok((second, _)) => {
            let differs: Vec<&String> = first.files.keys().filter(|k| second.files.get(*k) != first.files.get(*k)).collect();
            problems.push(Problem { class: "output: not deterministic".into(), detail: format!("{differs:?}") });
        }
        Err(e) => problems.push(Problem { class: "output: not deterministic".into(), detail: format!("the second run failed: {e:?}") }),
    }
    Ok(problems)
}

/// The first raw control (other than a newline) or bidi character in text meant for a terminal.
fn terminal_unsafe(text: &str) -> Option<char> {
    text.chars().find(|c| (c.is_control() && *c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'))
}

fn no_problems(problems: &[Problem]) -> Result<(), TestCaseError> {
    prop_assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"));
    Ok(())
}

/// A document or configuration, shown as compact JSON in failure reports.
#[derive(Clone)]
pub struct Json(pub Value);

impl std::fmt::Debug for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(&self.0).map_err(|_| std::fmt::Error)?)
    }
}

/// A valid document (written as OpenAPI 3.0, 3.1 or Swagger 2.0), and a configuration one time
/// in three.
fn valid_case() -> impl Strategy<Value = (Json, Option<Json>)> {
    (
        (document(FULL), 0u8..3).prop_map(|(d, version)| Json(match version {
            0 => d,
            1 => as_3_1(d),
            _ => as_2_0(d),
        })),
        prop::option::weighted(0.33, config(true).prop_map(Json)),
    )
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(64),
        // The seed of a failing case goes to `robustness.proptest-regressions` beside this file,
        // is replayed first on every later run, and is meant to be committed.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        // Each property runs in a child process, so a stack overflow or a hang fails its case.
        fork: true,
        timeout: 60_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn valid_documents_generate_safe_crates((doc, config) in valid_case()) {
        match generated_problems(&doc.0, config.as_ref().map(|c| &c.0)) {
            Ok(problems) => no_problems(&problems)?,
            // Names and URLs no crate can carry may be refused, with a located error;
            // `valid_strategy_reaches_generation` checks that most valid documents generate.
            Err(Failure::Load(msg)) => prop_assert!(false, "a valid document was refused: {}", msg),
            Err(Failure::Config(msg) | Failure::Generate(msg)) => located(&msg)?,
        }
    }

    /// Diagnostics and errors go to a terminal: a string from the input must not carry an
    /// escape sequence, a bare CR or a bidi control there.
    #[test]
    fn messages_carry_no_control_characters((doc, config) in prop_oneof![valid_case(), broken_document().prop_map(|(_, d)| (Json(d), None))]) {
        let text = serde_json::to_string_pretty(&doc.0).unwrap();
        let shown: Vec<String> = match generate_text(text.as_bytes(), config.as_ref().map(|c| &c.0)) {
            Ok((g, _)) => g.diagnostics.iter().map(ToString::to_string).collect(),
            Err(Failure::Load(m) | Failure::Config(m) | Failure::Generate(m)) => vec![m],
        };
        for line in shown {
            if let Some(c) = terminal_unsafe(&line) {
                prop_assert!(false, "U+{:04X} in {:?}", c as u32, line);
            }
        }
    }

    #[test]
    fn broken_documents_fail_located((label, doc) in broken_document().prop_map(|(l, d)| (l, Json(d)))) {
        let _ = label; // shown with the failing input
        match generated_problems(&doc.0, None) {
            Ok(problems) => no_problems(&problems)?,
            Err(Failure::Load(msg) | Failure::Generate(msg) | Failure::Config(msg)) => located(&msg)?,
        }
    }

    #[test]
    fn edited_documents_never_panic(doc in document(SMALL).prop_map(Json), edits in tree_edits()) {
        let mut doc = doc.0;
        for (at, what, s) in edits {
            apply_edit(&mut doc, at, what, s);
        }
        match generated_problems(&doc, None) {
            Ok(problems) => no_problems(&problems)?,
            Err(Failure::Load(msg) | Failure::Generate(msg) | Failure::Config(msg)) => located(&msg)?,
        }
    }

    #[test]
    fn mutated_bytes_fail_located(doc in document(SMALL).prop_map(Json), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = serde_json::to_vec_pretty(&doc.0).unwrap();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        match generate_text(&bytes, None) {
            Ok((g, _)) => prop_assert!(g.files.contains_key("src/lib.rs")),
            Err(Failure::Load(msg) | Failure::Generate(msg) | Failure::Config(msg)) => located(&msg)?,
        }
    }
}

/// Of a fixed-seed sample from each strategy: how many documents the loader accepts (so reach
/// generation), how many operations they hold, and, for valid documents, how many the
/// generator binary turns into a crate (a crash or a hang counts as not generated). The valid
/// strategy must reach generation nearly always and mostly generate, or the properties above
/// would test the loader, or the refusals, only.
#[test]
fn valid_strategy_reaches_generation() {
    let n = cases(64) as usize;
    let tmp = tempfile::tempdir().unwrap();
    let mut report = String::new();
    let mut run = |label: &str, strategy: BoxedStrategy<Value>, generate: bool| -> (usize, usize, usize) {
        let mut runner = TestRunner::new_with_rng(ProptestConfig::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
        let (mut loaded, mut ops, mut generated) = (0, 0, 0);
        for i in 0..n {
            let doc = strategy.new_tree(&mut runner).expect("value").current();
            let text = serde_json::to_string_pretty(&doc).unwrap();
            if generator::load_bytes("fuzz.json", text.as_bytes()).is_ok() {
                loaded += 1;
                ops += doc["paths"].as_object().map_or(0, |p| p.values().map(|i| i.as_object().map_or(0, Map::len)).sum());
            }
            if generate {
                let spec = tmp.path().join(format!("{label}-{i}.json"));
                std::fs::write(&spec, &text).unwrap();
                let outcome = support::generate(&spec, &tmp.path().join(format!("{label}-{i}")), &["--name", DEFAULT_NAME], Duration::from_secs(60));
                if outcome.code == Some(0) {
                    generated += 1;
                }
            }
        }
        report.push_str(&format!("{label}: {n} documents, {loaded} reach generation ({ops} operations)"));
        if generate {
            report.push_str(&format!(", {generated} generate a crate"));
        }
        report.push('\n');
        (loaded, ops, generated)
    };
    let (loaded, ops, generated) = run("valid", document(FULL), true);
    let (loaded_3_1, _, generated_3_1) = run("valid as 3.1", document(FULL).prop_map(as_3_1).boxed(), true);
    let (loaded_2_0, _, generated_2_0) = run("valid as 2.0", document(FULL).prop_map(as_2_0).boxed(), true);
    run(
        "broken",
        broken_document().prop_map(|(_, d)| d).boxed(),
        false,
    );
    println!("{report}");
    assert!(loaded * 100 >= n * 98, "the valid strategy writes documents the loader refuses:\n{report}");
    assert!(ops >= loaded, "documents without operations:\n{report}");
    assert!(
        generated * 100 >= n * 90,
        "too few valid documents generate a crate:\n{report}"
    );
    assert!(loaded_3_1 * 100 >= n * 98 && generated_3_1 * 100 >= n * 90, "the 3.1 rewrite:\n{report}");
    assert!(loaded_2_0 * 100 >= n * 98 && generated_2_0 * 100 >= n * 90, "the 2.0 rewrite:\n{report}");
}

/// The checks hold for the output of every feature fixture, so a failure above is about the
/// hostile strings, not about what the generator writes for ordinary documents.
#[test]
fn checks_accept_the_feature_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seen = 0;
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let dir = entry.path();
        let Ok(text) = std::fs::read(dir.join("openapi.yaml")) else { continue };
        let cfg_text = std::fs::read_to_string(dir.join("codegen.yaml")).unwrap_or_default();
        let config = generator::Config::parse("codegen.yaml", &cfg_text).unwrap();
        let doc = generator::load_bytes("openapi.yaml", &text).unwrap();
        let input = generator::Input {
            doc: &doc,
            config: &config,
            default_crate_name: DEFAULT_NAME,
            command: "fuzz",
            inputs_label: "openapi.yaml",
            standalone: true,
            module: None,
        };
        let files = generator::generate(&input).unwrap().files;
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        problems.extend(checks::check(&files, &Expect::new(&doc.raw, &config, DEFAULT_NAME), reference()).into_iter().map(|p| format!("{name}: {p}")));
        seen += 1;
    }
    assert!(seen >= 8, "expected the feature fixtures, found {seen}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

type Map = serde_json::Map<String, Value>;

/// How many documents the compiled sample holds by default.
const COMPILE_CASES: usize = 12;

/// Generates a fixed-seed sample of hostile documents into one cargo workspace and builds it:
/// `cargo check` must pass, and so must `cargo test --doc` (the generated docs' examples and
/// the README samples), without writing the marker file any payload would write if it ran.
/// The workspace builds in the workspace's `target/`, as the fixtures do, so dependencies
/// build once. The runtime's own doctests are skipped for time: the property tests check that
/// the runtime is copied verbatim outside its marked examples, and that those parse; the
/// examples hold the same setup and call as the operation's own doc example, which is compiled.
#[test]
fn robustness_compiles() {
    let k: usize = std::env::var("ROBUSTNESS_COMPILE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(COMPILE_CASES);
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ws = manifest_dir.join("../target/robustness-check");
    let _ = std::fs::remove_dir_all(ws.join("crates"));
    let _ = std::fs::remove_dir_all(ws.join("inputs"));
    std::fs::create_dir_all(ws.join("crates")).unwrap();
    let marker = Path::new(MARKER);
    let _ = std::fs::remove_file(marker);
    std::fs::write(EVIL_BUILD, format!("fn main() {{ std::fs::write(r\"{MARKER}\", \"build script\").unwrap(); }}\n")).unwrap();

    let strategy = (document(SMALL), prop::option::weighted(0.5, config(false)));
    let mut runner = TestRunner::new_with_rng(ProptestConfig::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]));
    let mut failures = Vec::new();
    let mut members = Vec::new();
    let mut refused = 0;
    // Draws continue until `k` crates have been generated (or failed), so a refusal never
    // shrinks the compiled sample; at most as many draws again may be refused.
    let mut i = 0;
    while members.len() + failures.len() < k && i < 2 * k {
        let (doc, config) = strategy.new_tree(&mut runner).expect("value").current();
        let name = format!("robust-{i:02}");
        i += 1;
        let mut config = config.unwrap_or_else(|| serde_json::json!({"crate": {}}));
        config["crate"]["name"] = Value::String(name.clone());
        // The inputs stay beside the workspace for replay: `openapi-rustgen --spec
        // inputs/NAME/openapi.json --config inputs/NAME/codegen.yaml --out OUT`.
        let inputs = ws.join("inputs").join(&name);
        std::fs::create_dir_all(&inputs).unwrap();
        std::fs::write(inputs.join("openapi.json"), serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        std::fs::write(inputs.join("codegen.yaml"), yaml_safe_json(&config)).unwrap();
        let dir = ws.join("crates").join(&name);
        let config_path = inputs.join("codegen.yaml");
        let outcome = support::generate(&inputs.join("openapi.json"), &dir, &["--config", config_path.to_str().unwrap()], Duration::from_secs(60));
        if outcome.code == Some(2) && refused_config_value(&outcome.stderr) {
            // A configured value no crate can carry (an environment prefix or a type name with
            // a fence in it) is refused with its place; that is the documented outcome.
            refused += 1;
            continue;
        }
        if outcome.code != Some(0) {
            failures.push(format!("{name}: the generator ended with {:?} (signal {:?}): {}", outcome.code, outcome.signal, printable(&support::tail(&outcome.stderr))));
            continue;
        }
        let manifest_path = dir.join("Cargo.toml");
        let manifest = std::fs::read_to_string(&manifest_path).unwrap_or_default();
        // A manifest that is not the template's would stop cargo for every member; it is a
        // failure of its own, and the crate stays out of the workspace when cargo cannot read it.
        match manifest.parse::<toml::Table>() {
            Ok(m) if m.get("package").and_then(|p| p.get("build")).is_none() && m.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str()) == Some(name.as_str()) => {}
            Ok(m) => failures.push(format!("{name}: manifest has keys the template does not write: {:?}", m.get("package"))),
            Err(e) => {
                failures.push(format!("{name}: manifest is not TOML: {e}"));
                continue;
            }
        }
        let manifest: String = manifest.lines().filter(|l| l.trim() != "[workspace]").map(|l| format!("{l}\n")).collect();
        std::fs::write(&manifest_path, manifest).unwrap();
        members.push(format!("\"crates/{name}\""));
    }
    std::fs::write(ws.join("Cargo.toml"), format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", "))).unwrap();
    support::pin_lock(&ws);

    let cargo = |args: &[&str]| {
        let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(&ws)
            .args(args)
            .env("CARGO_TARGET_DIR", support::shared_target())
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("RUSTDOCFLAGS")
            .output()
            .expect("run cargo");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout))
    };
    if !members.is_empty() {
        let (ok, log) = cargo(&["check", "--workspace", "--lib", "--keep-going", "--message-format", "short"]);
        if !ok {
            failures.push(format!("cargo check failed:\n{}", errors_of(&log)));
        }
        let skip_runtime: Vec<String> = generator::internal::TEMPLATES
            .iter()
            .filter_map(|(n, _)| n.strip_prefix("runtime/"))
            .flat_map(|f| ["--skip".to_string(), format!("src/{f}")])
            .collect();
        let mut args = vec!["test", "--doc", "--workspace", "--no-fail-fast", "--", "--test-threads", "2"];
        args.extend(skip_runtime.iter().map(String::as_str));
        let (ok, log) = cargo(&args);
        if !ok {
            failures.push(format!("cargo test --doc failed:\n{}", errors_of(&log)));
        }
    }
    // Refusals must stay the exception, or the sample would compile nothing.
    if refused > k {
        failures.push(format!("{refused} of {i} configurations were refused, leaving {} crates", members.len()));
    }
    if let Ok(what) = std::fs::read_to_string(marker) {
        failures.push(format!("a payload ran as code: the marker file says {what:?}"));
    }
    assert!(
        failures.is_empty(),
        "{} of {k} hostile crates failed (inputs in {}):\n{}",
        failures.len(),
        ws.join("inputs").display(),
        printable(&failures.join("\n"))
    );
}

/// The generator's refusal of a value in the configuration, naming the file, the line when the
/// key can be found, and the key (`error: …/codegen.yaml:3: `crate.env_prefix` is …`).
fn refused_config_value(stderr: &str) -> bool {
    stderr.lines().any(|l| {
        l.strip_prefix("error: ").and_then(|l| l.split_once("codegen.yaml:")).is_some_and(|(_, rest)| {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            rest[digits..].starts_with(": `") || (digits == 0 && rest.starts_with(" `"))
        })
    })
}

/// `text` with control characters other than newlines escaped, for a readable report.
fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' { c.escape_debug().to_string() } else { c.to_string() }).collect()
}

/// The error lines of a cargo log and the doctests that failed, without the progress lines.
fn errors_of(log: &str) -> String {
    let lines: Vec<String> = log
        .lines()
        .filter(|l| l.contains("error") || l.contains("FAILED") || l.starts_with("failures:") || l.contains("panicked"))
        .map(printable)
        .collect();
    let mut out = lines.iter().take(60).cloned().collect::<Vec<_>>().join("\n");
    if lines.len() > 60 {
        out.push_str(&format!("\n… {} more lines", lines.len() - 60));
    }
    out
}
