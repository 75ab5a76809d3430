//! The default base URL a document's servers give, and what the generated crate says when they
//! give none: `DEFAULT_BASE_URL` in `lib.rs` only for an http(s) URL with a host, the README
//! naming what to set instead, the configured `crate.base_url` winning, and an operation whose
//! path item repeats the document's first server sent to the client's base URL.

use std::collections::BTreeMap;

/// The files generated from `servers` (a JSON array, or nothing) and `config` YAML.
fn generate(servers: Option<serde_json::Value>, config: &str) -> BTreeMap<String, String> {
    let mut doc = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/things": {
            "servers": servers.clone().unwrap_or(serde_json::json!([])),
            "get": {"operationId": "list-things", "tags": ["things"], "responses": {"204": {"description": "ok"}}}
        }}
    });
    if let Some(s) = servers {
        doc["servers"] = s;
    }
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let doc = generator::load_bytes("openapi.json", text.as_bytes()).unwrap();
    let config = generator::Config::parse("codegen.yaml", config).unwrap();
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "servers-test",
        command: "test",
        inputs_label: "openapi.json",
        standalone: true,
        module: None,
    };
    generator::generate(&input).unwrap().files
}

fn default_base_url(files: &BTreeMap<String, String>) -> Option<String> {
    let lib = &files["src/lib.rs"];
    let line = lib.lines().find(|l| l.starts_with("pub const DEFAULT_BASE_URL: &str = "))?;
    Some(line.trim_start_matches("pub const DEFAULT_BASE_URL: &str = \"").trim_end_matches("\";").to_string())
}

#[test]
fn the_first_server_with_its_defaults_is_the_default() {
    let files = generate(
        Some(serde_json::json!([
            {"url": "https://{region}.api.example.com:{port}/v1/", "variables": {"region": {"default": "eu", "enum": ["eu", "us"]}, "port": {"default": "8443"}}},
            {"url": "https://other.example.com"}
        ])),
        "",
    );
    assert_eq!(default_base_url(&files).as_deref(), Some("https://eu.api.example.com:8443/v1"));
    assert!(files["src/lib.rs"].contains("pub(crate) const DOCUMENT_BASE_URL: Option<&str> = Some(DEFAULT_BASE_URL);"));
    // The path item repeats the document's servers: the operation follows the client's choice.
    assert!(!files["src/resources/things.rs"].contains(".server("), "{}", files["src/resources/things.rs"]);
    // Two servers and variables: the README shows how to pick one.
    assert!(files["README.md"].contains(".server(0)\n        .server_variable(\"port\", \"8443\")\n        .server_variable(\"region\", \"eu\")"), "{}", files["README.md"]);
}

#[test]
fn a_configured_base_url_wins() {
    let files = generate(Some(serde_json::json!([{"url": "/relative"}])), "crate:\n  base_url: https://configured.example/v2\n");
    assert_eq!(default_base_url(&files).as_deref(), Some("https://configured.example/v2"));
}

#[test]
fn relative_or_missing_servers_give_no_default_and_the_readme_says_what_to_set() {
    for (servers, reason) in [
        (None, "the API's document lists no server".to_string()),
        (Some(serde_json::json!([{"url": "/api/v1"}])), "such as `https://api.example.com/api/v1`".to_string()),
        (Some(serde_json::json!([{"url": "//api.example.org/v2"}])), "such as `https://api.example.org/v2`".to_string()),
        (Some(serde_json::json!([{"url": ""}])), "such as `https://api.example.com`".to_string()),
        (Some(serde_json::json!([{"url": "https://{host}/v1"}])), "makes no http(s) URL with a host".to_string()),
    ] {
        let files = generate(servers.clone(), "");
        assert_eq!(default_base_url(&files), None, "{servers:?}");
        assert!(files["src/lib.rs"].contains("pub(crate) const DOCUMENT_BASE_URL: Option<&str> = None;"), "{servers:?}");
        let readme = &files["README.md"];
        assert!(readme.contains("This crate has no default base URL: ") && readme.contains(&reason), "{servers:?}: {readme}");
        assert!(readme.contains("| `SERVERS_TEST_BASE_URL` | base URL (required: this API has no default"), "{servers:?}");
    }
}
