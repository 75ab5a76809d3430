//! Hostile documents against the wire parts of the model: an OpenAPI 3.2 method reached
//! through a path item `$ref` (where load's checks do not look) is still only sent when it is
//! an HTTP token, and error responses the generator cannot resolve do not stop generation.

use std::collections::BTreeMap;

fn generate(text: &str) -> Result<BTreeMap<String, String>, String> {
    generated(text).map(|g| g.files)
}

/// The whole output (files and diagnostics) for a document given as text.
fn generated(text: &str) -> Result<generator::Generated, String> {
    let doc = generator::load_bytes("openapi.json", text.as_bytes()).map_err(|e| e.to_string())?;
    let config = generator::Config::parse("codegen.yaml", "").map_err(|e| e.to_string())?;
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "hostile-wire",
        command: "cargo test",
        inputs_label: "openapi.json",
        standalone: true,
        module: None,
    };
    generator::generate(&input).map_err(|e| e.to_string())
}

fn resources(files: &BTreeMap<String, String>) -> String {
    files.iter().filter(|(p, _)| p.starts_with("src/resources")).map(|(_, t)| t.as_str()).collect()
}

#[test]
fn methods_reached_through_a_path_item_ref_must_be_tokens() {
    let spec = r##"{
      "openapi": "3.2.0",
      "info": {"title": "t", "version": "1"},
      "servers": [{"url": "https://api.example.com"}],
      "paths": {"/a": {"$ref": "#/x-item"}},
      "x-item": {
        "get": {"operationId": "plainGet", "responses": {"204": {"description": "ok"}}},
        "additionalOperations": {
          "BAD METHOD": {"operationId": "spaced", "responses": {"204": {"description": "ok"}}},
          "GET": {"operationId": "shoutedGet", "responses": {"204": {"description": "ok"}}},
          "PURGE": {"operationId": "purge", "responses": {"204": {"description": "ok"}}}
        }
      }
    }"##;
    let files = generate(spec).expect("generates");
    let code = resources(&files);
    assert!(code.contains("fn plain_get"), "{code}");
    assert!(code.contains("fn purge") && code.contains(r#"b"PURGE""#), "{code}");
    assert!(!code.contains("spaced") && !code.contains("BAD METHOD"), "a method that is not a token is not generated:\n{code}");
    assert!(!code.contains("shouted_get"), "a fixed method under another case is not a second operation:\n{code}");
}

#[test]
fn an_error_response_that_cannot_be_resolved_gives_no_detail_type() {
    let spec = r##"{
      "openapi": "3.0.3",
      "info": {"title": "t", "version": "1"},
      "servers": [{"url": "https://api.example.com"}],
      "paths": {"/a": {"get": {
        "operationId": "getA",
        "responses": {
          "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}},
          "404": {"$ref": "errors.yaml#/NotFound"},
          "409": {"$ref": "#/components/responses/Missing"}
        }
      }}}
    }"##;
    let files = generate(spec).expect("an unresolvable error response does not stop generation");
    let code = resources(&files);
    assert!(code.contains("fn retrieve"), "{code}");
    assert!(!code.contains("Error::detail"), "{code}");
}

/// Parameter names are the document's text: in a `matrix` path parameter the name is written
/// into the path, and a cookie's name into the `Cookie` header. Each reaches the code only as
/// an escaped string literal (the runtime percent-encodes it when the request is built), and a
/// cookie name that is not an HTTP token is left out with a warning.
#[test]
fn hostile_parameter_names_stay_string_literals() {
    let spec = r##"{
      "openapi": "3.0.3",
      "info": {"title": "t", "version": "1"},
      "servers": [{"url": "https://api.example.com"}],
      "paths": {"/a/{x\"); panic!(\"/b}": {"get": {
        "operationId": "getA",
        "parameters": [
          {"name": "x\"); panic!(\"/b", "in": "path", "required": true, "style": "matrix", "explode": true,
           "schema": {"type": "array", "items": {"type": "string"}}},
          {"name": "s;evil=1\r\nX-Injected", "in": "cookie", "schema": {"type": "string"}},
          {"name": "sid", "in": "cookie", "schema": {"type": "string"}}
        ],
        "responses": {"204": {"description": "ok"}}
      }}}
    }"##;
    let files = generate(spec).expect("generates");
    let code = resources(&files);
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        syn::parse_file(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
    }
    assert!(code.contains(r#"PathStyle::Matrix"#) && code.contains(r#""x\"); panic!(\"/b""#), "{code}");
    assert!(!code.contains("panic!(\"/b\n") && !code.contains("X-Injected"), "{code}");
    assert!(code.contains(r#"cookie_param("sid""#), "{code}");
}

/// A path parameter `style` a path cannot carry (3.1 input, which openapiv3's 3.0 model does
/// not check) is written as `simple`, with a located warning.
#[test]
fn a_path_style_a_path_cannot_carry_is_simple_with_a_warning() {
    let spec = r##"{
      "openapi": "3.1.0",
      "info": {"title": "t", "version": "1"},
      "servers": [{"url": "https://api.example.com"}],
      "paths": {"/a/{id}": {"get": {
        "operationId": "getA",
        "parameters": [{"name": "id", "in": "path", "required": true, "style": "form", "schema": {"type": "string"}}],
        "responses": {"204": {"description": "ok"}}
      }}}
    }"##;
    let generated = generated(spec).expect("generates");
    let shown: Vec<String> = generated.diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        shown.iter().any(|d| d.contains("unsupported-parameter-style") && d.contains("/parameters/0/style")),
        "{shown:?}"
    );
    assert!(resources(&generated.files).contains("crate::encode_path(id)"), "written as `simple`");
}
