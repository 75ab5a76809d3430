//! Feature fixtures: each `tests/fixtures/NAME/openapi.yaml` (with an optional `codegen.yaml`) is
//! generated in memory and compared with `tests/fixtures/NAME/expected/` — the schema-derived
//! files (`src/models.rs`, `src/resources*`), `api.md` and `diagnostics.txt`. `BLESS=1` rewrites them.
//!
//! Then every fixture crate is written under `target/fixture-check/` as a member of one cargo
//! workspace and checked with a single `cargo check`, so the output of each fixture must compile
//! without warnings. A fixture with a `tests/` folder (`tests/fixtures/NAME/tests/*.rs`) has
//! those files copied into its crate's `tests/` and run with `cargo test` there: tests of the
//! generated client against servers on 127.0.0.1. `FIXTURES_NO_COMPILE=1` skips that step.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root())
        .expect("tests/fixtures")
        .flatten()
        .filter(|e| e.path().join("openapi.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Generates one fixture's crate in memory: (files, diagnostics text).
fn generate(name: &str) -> (BTreeMap<String, String>, String) {
    let dir = root().join(name);
    let text = std::fs::read(dir.join("openapi.yaml")).unwrap();
    let doc = generator::load_bytes("openapi.yaml", &text)
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    let cfg_text = std::fs::read_to_string(dir.join("codegen.yaml")).unwrap_or_default();
    let config = generator::Config::parse("codegen.yaml", &cfg_text).unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    generate_from(name, &doc, &config)
}

/// Generates fixture `name`'s crate from a loaded document and configuration.
fn generate_from(name: &str, doc: &generator::Document, config: &generator::Config) -> (BTreeMap<String, String>, String) {
    let crate_name = format!("fixture-{}", name.replace('_', "-"));
    let input = generator::Input {
        doc,
        config,
        default_crate_name: &crate_name,
        command: "BLESS=1 cargo test -p openapi-rustgen --test fixtures",
        inputs_label: "openapi.yaml and codegen.yaml",
        // Standalone output has no project-only sections (benches); its `[workspace]` table is
        // dropped when the crate joins the fixture workspace.
        standalone: true,
        module: None,
    };
    let generated = generator::generate(&input).unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    let mut diags = String::new();
    for d in &generated.diagnostics {
        diags.push_str(&d.to_string());
        diags.push('\n');
    }
    (generated.files, diags)
}

/// The files compared with `expected/`: what the schemas and operations decide.
fn compared(path: &str) -> bool {
    path == "api.md" || path == "src/models.rs" || path == "src/resources.rs" || path.starts_with("src/resources/") || path == "src/auth.rs" || path == "src/servers.rs"
}

#[test]
fn fixtures_match_expected_and_compile() {
    let bless = std::env::var_os("BLESS").is_some();
    let names = fixture_names();
    assert!(names.len() >= 8, "expected the feature fixtures, found {names:?}");
    let mut failures = Vec::new();
    let mut crates = Vec::new();
    for name in &names {
        let (files, diags) = generate(name);
        let mut want: BTreeMap<String, String> = files
            .iter()
            .filter(|(p, _)| compared(p))
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
        want.insert("diagnostics.txt".into(), diags);
        let expected_dir = root().join(name).join("expected");
        if bless {
            let _ = std::fs::remove_dir_all(&expected_dir);
            for (p, t) in &want {
                let f = expected_dir.join(p);
                std::fs::create_dir_all(f.parent().unwrap()).unwrap();
                std::fs::write(f, t).unwrap();
            }
        } else {
            let have = support::read_tree(&expected_dir);
            for (p, t) in &want {
                match have.get(p) {
                    None => failures.push(format!("{name}: expected/{p} is missing")),
                    Some(h) if h != t => {
                        let diff = similar::TextDiff::from_lines(h.as_str(), t.as_str())
                            .unified_diff()
                            .header(&format!("expected/{p}"), "generated")
                            .to_string();
                        failures.push(format!("{name}: {p} differs:\n{diff}"));
                    }
                    _ => {}
                }
            }
            for p in have.keys().filter(|p| !want.contains_key(*p)) {
                failures.push(format!("{name}: expected/{p} is no longer generated"));
            }
        }
        crates.push((name.clone(), files));
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended, run `BLESS=1 cargo test -p openapi-rustgen --test fixtures`.",
        failures.join("\n")
    );
    if std::env::var_os("FIXTURES_NO_COMPILE").is_some() {
        support::skip::skip("compiling the fixtures (FIXTURES_NO_COMPILE is set)");
        return;
    }
    compile_all(&crates);
}

/// Doc examples build every value they pass (see the `examples` fixture): none is left to the
/// reader as a `todo!()`.
#[test]
fn doc_examples_build_every_value() {
    for name in fixture_names() {
        let (files, _) = generate(&name);
        for (path, text) in files.iter().filter(|(p, _)| compared(p)) {
            assert!(!text.contains("todo!()"), "{name}: {path} has an example with a `todo!()`");
        }
    }
}

/// Writes every fixture crate into one workspace and runs `cargo check` once.
fn compile_all(crates: &[(String, BTreeMap<String, String>)]) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ws = manifest.join("../target/fixture-check");
    let _ = std::fs::remove_dir_all(ws.join("crates"));
    std::fs::create_dir_all(&ws).unwrap();
    let mut members = Vec::new();
    for (name, files) in crates {
        let dir = ws.join("crates").join(name);
        for (p, t) in files {
            let f = dir.join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            let text = if p == "Cargo.toml" {
                t.lines().filter(|l| l.trim() != "[workspace]").map(|l| format!("{l}\n")).collect()
            } else {
                t.clone()
            };
            std::fs::write(f, text).unwrap();
        }
        let _ = std::fs::remove_dir_all(dir.join("tests"));
        if let Ok(tests) = std::fs::read_dir(root().join(name).join("tests")) {
            std::fs::create_dir_all(dir.join("tests")).unwrap();
            for t in tests.flatten() {
                std::fs::copy(t.path(), dir.join("tests").join(t.file_name())).unwrap();
            }
        }
        members.push(format!("\"crates/{name}\""));
    }
    std::fs::write(
        ws.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", ")),
    )
    .unwrap();
    // The project's lock file pins the same dependency versions the generated crate uses.
    support::pin_lock(&ws);
    let cargo = || {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(&ws)
            .env("CARGO_TARGET_DIR", support::shared_target())
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
        cmd
    };
    let output = cargo().args(["check", "--workspace", "--lib", "--message-format", "short"]).output().expect("run cargo check");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let ours: Vec<&str> = stderr
        .lines()
        // Cargo's progress lines name packages, and a fixture may be called `error_…`.
        .filter(|l| !l.trim_start().starts_with("Checking ") && !l.trim_start().starts_with("Compiling "))
        .filter(|l| l.contains("warning") || l.contains("error"))
        .filter(|l| l.starts_with("crates/") || l.contains("fixture-") || l.starts_with("error"))
        .collect();
    assert!(output.status.success() && ours.is_empty(), "fixture crates do not check cleanly:\n{stderr}");

    // Fixtures with tests of their own run them, and every crate is checked with each feature
    // set alone. Crates whose manifests declare the same dependencies share one cargo run (cargo
    // builds them side by side; its output names the crate of a failure): with the same
    // declarations, building them together cannot lend one crate a dependency feature it does
    // not ask for itself, which checking each crate alone is there to catch.
    let package = |name: &str| format!("fixture-{}", name.replace('_', "-"));
    let mut alike: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, files)) in crates.iter().enumerate() {
        let manifest = files.get("Cargo.toml").map(String::as_str).unwrap_or("");
        alike.entry(dependency_sections(manifest)).or_default().push(i);
    }
    for indices in alike.values() {
        let group: Vec<&(String, BTreeMap<String, String>)> = indices.iter().map(|&i| &crates[i]).collect();
        let tested: Vec<String> =
            group.iter().filter(|(name, _)| root().join(name).join("tests").is_dir()).map(|(name, _)| package(name)).collect();
        if !tested.is_empty() {
            let mut cmd = cargo();
            cmd.args(["test", "--tests", "--no-fail-fast", "--message-format", "short"]);
            for p in &tested {
                cmd.args(["-p", p]);
            }
            let output = cmd.output().expect("run cargo test");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            let warned = stderr.lines().any(|l| l.contains("warning") && l.starts_with("crates/"));
            assert!(output.status.success() && !warned, "the tests of {tested:?} fail:\n{stdout}\n{stderr}");
        }

        // A crate split into features must also build with none of them and with each one
        // alone: round `i` checks the group's crates each with its `i`-th set.
        let sets: Vec<(String, Vec<String>)> = group
            .iter()
            .map(|(name, files)| {
                let mut sets = vec![String::new()];
                sets.extend(features_of(files.get("Cargo.toml").map(String::as_str).unwrap_or("")));
                (package(name), sets)
            })
            .collect();
        let rounds = sets.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
        for round in 0..rounds {
            let picked: Vec<(&str, &str)> =
                sets.iter().filter_map(|(p, s)| s.get(round).map(|set| (p.as_str(), set.as_str()))).collect();
            let features: Vec<String> = picked.iter().filter(|(_, f)| !f.is_empty()).map(|(p, f)| format!("{p}/{f}")).collect();
            let mut cmd = cargo();
            cmd.args(["check", "--lib", "--message-format", "short", "--no-default-features", "--features", &features.join(",")]);
            for (p, _) in &picked {
                cmd.args(["-p", p]);
            }
            let output = cmd.output().expect("run cargo check");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let clean = !stderr.lines().any(|l| l.contains("warning") || l.starts_with("error"));
            assert!(output.status.success() && clean, "with only the features {picked:?} (crate, feature), a crate does not check cleanly:\n{stderr}");
        }
    }
}

/// The dependency sections of a manifest (`[dependencies]`, `[dev-dependencies]` and the like),
/// as written: crates with the same text resolve their dependencies' features alike.
fn dependency_sections(manifest: &str) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = line.trim_end_matches(']').ends_with("dependencies");
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The features a generated manifest declares (besides `default`).
fn features_of(manifest: &str) -> Vec<String> {
    let Some(start) = manifest.find("\n[features]\n") else { return Vec::new() };
    manifest[start + 12..]
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.strip_suffix(" = []"))
        .map(str::to_string)
        .collect()
}

/// An API with several top-level resources gets one feature per resource, all on by default;
/// models only read from responses implement `Deserialize` alone, models only sent `Serialize`
/// alone, and a schema no operation reaches keeps both and no gate. One top-level resource
/// means no features at all.
#[test]
fn features_split_large_apis_and_trim_derives() {
    let (files, _) = generate("request_nulls");
    let manifest = &files["Cargo.toml"];
    assert_eq!(features_of(manifest), ["audit", "gadgets", "reports"], "{manifest}");
    assert!(manifest.contains("default = [\n    \"audit\",\n    \"gadgets\",\n    \"reports\",\n]"), "{manifest}");
    let models = &files["src/models.rs"];
    let item = |name: &str| -> String {
        let at = models.find(&format!(" {name} ")).or_else(|| models.find(&format!(" {name}:"))).unwrap_or_else(|| panic!("{name} missing"));
        let start = models[..at].rfind("\n\n").unwrap_or(0);
        models[start..at].to_string()
    };
    let gadget = item("Gadget");
    // Models implement `Deserialize` through the runtime's `object!`, not a derive.
    let reads = |name: &str| models.contains(&format!("crate::object! {{\n    {name} {{\n"));
    assert!(gadget.contains("#[cfg(feature = \"gadgets\")]") && reads("Gadget") && !gadget.contains("Serialize"), "{gadget}");
    let label = item("Label");
    assert!(label.contains("serde::Serialize") && !reads("Label") && !label.contains("Deserialize"), "{label}");
    let owner = item("Owner");
    assert!(owner.contains("#[cfg(any(feature = \"gadgets\", feature = \"reports\"))]"), "{owner}");
    for always in ["Snapshot", "ReportKind"] {
        let t = item(always);
        assert!(!t.contains("#[cfg("), "{always} should not be gated: {t}");
    }
    assert!(item("Snapshot").contains("serde::Serialize)") && reads("Snapshot"));
    let root = &files["src/resources.rs"];
    assert!(root.contains("#[cfg(feature = \"audit\")]\npub mod audit;"), "{root}");

    // One top-level resource: no features, both derives.
    let (files, _) = generate("basics");
    assert!(!files["Cargo.toml"].contains("[features]"));
    assert!(!files["src/models.rs"].contains("#[cfg("));
}

/// An optional `nullable` body property is `Option<Option<T>>` in the params struct, so that
/// `null` and absent serialise differently.
#[test]
fn nullable_body_fields_tell_null_from_absent() {
    let (files, _) = generate("request_nulls");
    let models = &files["src/models.rs"];
    for field in [
        "pub nickname: Option<Option<String>>,",
        "pub limit: Option<Option<i64>>,",
        "pub tags: Option<Option<Vec<String>>>,",
        "pub label: Option<Option<Label>>,",
        "pub color: Option<Option<Color>>,",
        "pub extra: Option<serde_json::Value>,",
    ] {
        assert!(models.contains(field), "{field} missing:\n{models}");
    }
    // Response models keep a single `Option` (null and absent both mean "no value").
    assert!(models.contains("pub nickname: Option<String>,"));
    assert!(models.contains("/// Default: `1000`."), "the schema default is documented");
    assert!(models.contains("/// Default: `\"small\"`."));
}

/// A property the schema requires but lets be `null` is never left out: a contract test's
/// call with only the required arguments sets it, and a request model sends `None` as `null`.
#[test]
fn required_nullable_properties_are_sent() {
    let dir = root().join("request_nulls");
    let doc = generator::load_path(&dir.join("openapi.yaml")).unwrap();
    let cfg_text = std::fs::read_to_string(dir.join("codegen.yaml")).unwrap() + "tests: {contract: true}\n";
    let config = generator::Config::parse("codegen.yaml", &cfg_text).unwrap();
    let (files, _) = generate_from("request_nulls", &doc, &config);
    let test = &files["tests/contract.rs"];
    let start = test.find("fn call_gadgets_update_required").expect("the required-only call");
    let call = &test[start..start + test[start..].find("\n}\n").unwrap()];
    assert!(call.contains("note: Some(Some("), "the required, nullable `note` is left out:\n{call}");
    assert!(!call.contains("nickname"), "an optional property is sent:\n{call}");
    let models = &files["src/models.rs"];
    let label = &models[models.find("pub struct Label {").unwrap()..];
    assert!(label.contains("#[serde(default)]\n    pub text: Option<String>,"), "{label}");
}

/// `select:` keeps the operations chosen by tag, path prefix or operationId, and only the
/// schemas they reach.
#[test]
fn subset_keeps_only_selected_operations_and_reached_schemas() {
    let (files, _) = generate("subset");
    let models = &files["src/models.rs"];
    for kept in ["pub struct User ", "pub struct Address ", "pub struct Group ", "pub struct DnsRecord ", "pub struct Zone "] {
        assert!(models.contains(kept), "{kept} missing:\n{models}");
    }
    assert!(!models.contains("Unreached"), "an unreached schema was generated:\n{models}");
    for resource in ["users", "groups", "dns"] {
        let file = files.get(&format!("src/resources/{resource}.rs")).unwrap_or_else(|| panic!("{resource} missing"));
        assert!(file.contains("pub fn list("), "{resource}().list() missing");
    }
    assert!(!files.contains_key("src/resources/zones.rs"), "listZones is not selected");
}

/// Without tags the resource tree comes from the path's words and methods from the verb and
/// the path's shape; hostile words (keywords, non-ASCII, overlong, differing only in case and
/// punctuation) still make distinct, valid names, and union variants are named by what tells
/// them apart.
#[test]
fn untagged_names_come_from_paths() {
    let (files, diags) = generate("untagged");
    let methods = |resource: &str| -> Vec<String> {
        let text = files.get(&format!("src/resources/{resource}.rs")).unwrap_or_else(|| panic!("{resource} missing"));
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("pub fn "))
            .filter_map(|l| l.split(['(', '<']).next())
            .map(str::to_string)
            .collect()
    };
    assert!(!files.contains_key("src/resources/default.rs"));
    // Version segments are left out; collection, item and action shapes name the methods.
    assert_eq!(methods("customers"), ["sources", "create", "delete", "list", "retrieve", "update"]);
    assert_eq!(methods("customers/sources"), ["list", "verify"]);
    assert_eq!(methods("account"), ["retrieve", "update"]);
    // `people` has items, so it is a collection; `search` beside it is a call on it.
    assert_eq!(methods("people"), ["all", "list", "retrieve", "search"]);
    // An operationId that says something else than the path's shape keeps its verb.
    assert_eq!(methods("markdown"), ["render"]);
    assert_eq!(methods("type_"), ["retrieve"]);
    // `/Foo-Bar` and `/foo_bar` are one resource; their methods stay distinct.
    assert_eq!(methods("foo_bar"), ["get", "get_2"]);
    assert!(diags.contains("duplicate-method-name"), "{diags}");
    let long: Vec<&String> = files.keys().filter(|k| k.starts_with("src/resources/very_long")).collect();
    // Module names are capped at 48 bytes (`naming::MAX_MODULE_NAME`), plus `.rs`.
    assert!(long.len() == 1 && long[0].len() <= "src/resources/".len() + 48 + 3, "{long:?}");
    let models = &files["src/models.rs"];
    assert!(!models.contains("Variant0"), "{models}");
    for variant in ["Type(ThingWhenType)", "Object(ThingWhenObject)", "StringList(Vec<String>)", "Empty(ThingWhenEmpty)", "Integer(i64)"] {
        assert!(models.contains(variant), "{variant} missing:\n{models}");
    }
}

/// Names do not depend on the order of the document: the `untagged` fixture with its paths, and
/// the methods under each, in reverse order generates the same files.
#[test]
fn names_do_not_depend_on_document_order() {
    let (files, _) = generate("untagged");
    let text = std::fs::read(root().join("untagged/openapi.yaml")).unwrap();
    let doc = generator::load_bytes("openapi.yaml", &text).unwrap();
    let mut raw = doc.raw.clone();
    let paths = raw["paths"].as_object().unwrap().clone();
    let mut reversed = serde_json::Map::new();
    for (path, item) in paths.into_iter().rev() {
        let methods: serde_json::Map<String, serde_json::Value> = item.as_object().unwrap().clone().into_iter().rev().collect();
        reversed.insert(path, serde_json::Value::Object(methods));
    }
    raw["paths"] = serde_json::Value::Object(reversed);
    let json = serde_json::to_vec(&raw).unwrap();
    let doc = generator::load_bytes("openapi.json", &json).unwrap();
    let config = generator::Config::parse("codegen.yaml", "").unwrap();
    let (reordered, _) = generate_from("untagged", &doc, &config);
    assert_eq!(files.keys().collect::<Vec<_>>(), reordered.keys().collect::<Vec<_>>());
    for (path, text) in &files {
        if path.starts_with("src/resources") || path == "src/models.rs" {
            assert_eq!(text, &reordered[path], "{path} depends on the order of the document");
        }
    }
}
