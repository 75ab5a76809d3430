//! A generated crate speaks of its own API: outside what the document itself says (models,
//! resources and the `api.md` that lists them), no file of a crate generated from another API's document mentions Cloudflare,
//! its `cf-ray` header or its environment names, and its errors carry the document's title.
//! The users crate, generated from Cloudflare's document, is the control: it keeps them.

use std::path::Path;

fn generate(spec: &Path, config: &str) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read(spec).unwrap();
    let doc = generator::load_bytes(&spec.display().to_string(), &text).unwrap();
    let config = generator::Config::parse("codegen.yaml", config).unwrap();
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "own-words",
        command: "cargo test",
        inputs_label: "a test document",
        standalone: true,
        module: None,
    };
    generator::generate(&input).unwrap().files
}

/// The files that do not come from the document's schemas and operations (`api.md` lists those
/// with their summaries, so it is the document's words too).
fn crate_words(files: &std::collections::BTreeMap<String, String>) -> Vec<(&str, &str)> {
    files
        .iter()
        .filter(|(p, _)| !matches!(p.as_str(), "src/models.rs" | "api.md") && !p.starts_with("src/resources"))
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect()
}

fn vendor_words(text: &str) -> Vec<&'static str> {
    let lower = text.to_ascii_lowercase();
    ["cloudflare", "cf-ray", "ray_id"].into_iter().filter(|w| lower.contains(w)).collect()
}

#[test]
fn crates_of_other_apis_carry_no_cloudflare_words() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let spec = entry.unwrap().path().join("openapi.yaml");
        if !spec.exists() {
            continue;
        }
        let files = generate(&spec, "");
        for (path, text) in crate_words(&files) {
            let found = vendor_words(text);
            assert!(found.is_empty(), "{}: {path} mentions {found:?}", spec.display());
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures found under {}", fixtures.display());
}

#[test]
fn the_users_crate_keeps_its_cloudflare_words() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = std::fs::read_to_string(root.join("spec/codegen.yaml")).unwrap();
    let files = generate(&root.join("spec/openapi.yaml"), &config);
    let error = &files["src/error.rs"];
    assert!(error.contains("pub fn ray_id(&self)"), "ray_id() is gone from the users crate");
    assert!(!error.contains("//@"), "a runtime marker line was left in");
    assert!(files["src/lib.rs"].contains(r#"pub(crate) const API_NAME: &str = "Cloudflare API";"#));
    assert!(files["src/lib.rs"].contains(r#"REQUEST_ID_HEADERS: &[&str] = &["cf-ray", "#));
}

#[test]
fn a_hostile_title_reaches_the_error_message_as_one_escaped_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.yaml");
    let title = "\"); panic!(\"x\n\u{202e}{}";
    let doc = format!(
        "openapi: 3.0.3\ninfo: {{ title: {}, version: '1' }}\npaths: {{}}\n",
        serde_json::to_string(title).unwrap()
    );
    std::fs::write(&spec, doc).unwrap();
    let files = generate(&spec, "");
    let line = files["src/lib.rs"].lines().find(|l| l.contains("const API_NAME")).unwrap().to_string();
    assert_eq!(line, r#"pub(crate) const API_NAME: &str = "\"); panic!(\"x {} API";"#);
    assert!(!files["src/error.rs"].contains("ray_id"));
}

/// The runtime's doc examples of `Request` and `auto_paging` call the crate's own operations
/// where it has them (`client.things().list_by_cursor(…)`), and fall back to a request built by
/// hand where it has none.
#[test]
fn runtime_examples_call_the_crates_own_operations() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let paging = generate(&fixtures.join("paging/openapi.yaml"), "");
    assert!(paging["src/pagination.rs"].contains("/// let mut items = client.things()."), "auto_paging's example");
    assert!(paging["src/request.rs"].contains("/// let response = client.things()."), "Request's example");
    let none = generate(&fixtures.join("enums/openapi.yaml"), "");
    assert!(!none["src/pagination.rs"].contains("let mut items = client."), "enums has no paged operation");
    assert!(none["src/pagination.rs"].contains("Request::<Vec<serde_json::Value>>::new(&client"));
    for text in paging.values().chain(none.values()) {
        assert!(!text.contains("{call}") && !text.contains("{setup}") && !text.contains("//@"));
    }
}
