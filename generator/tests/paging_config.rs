//! `paginate:` in `codegen.yaml`: a style that cannot apply to the operation is an error naming
//! the file and line; and the detection rules leave alone what they do not recognise.

const SPEC: &str = r#"openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - { name: cursor, in: query, schema: { type: string } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: { type: array, items: { type: object, properties: { id: { type: string } } } }
                  next: { type: string, format: uri }
                  count: { type: integer }
"#;

fn generate(spec: &str, config: &str) -> Result<String, String> {
    let doc = generator::load_bytes("openapi.yaml", spec.as_bytes()).map_err(|e| e.to_string())?;
    let config = generator::Config::parse("codegen.yaml", config).map_err(|e| e.to_string())?;
    let input = generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "paging-config",
        command: "cargo test",
        inputs_label: "a test document",
        standalone: true,
        module: None,
    };
    let generated = generator::generate(&input).map_err(|e| e.to_string())?;
    Ok(generated.files.iter().filter(|(p, _)| p.starts_with("src/resources")).map(|(_, t)| t.as_str()).collect())
}

#[test]
fn a_uri_next_field_is_not_taken_for_a_cursor() {
    let code = generate(SPEC, "").unwrap();
    assert!(!code.contains(".paged(") && !code.contains(".paginated("), "{code}");
}

#[test]
fn a_forced_style_pages_the_operation() {
    let config = "operations:\n  listThings:\n    paginate: { style: cursor, param: cursor, next: next }\n";
    let code = generate(SPEC, config).unwrap();
    assert!(code.contains("crate::Paging::Cursor"), "{code}");
    assert!(code.contains("&[\"data\"]"), "{code}");
}

#[test]
fn a_next_link_is_detected_only_beside_a_page_number_and_can_be_forced() {
    // Without a page-number parameter the `next` URL is not taken for paging ...
    let code = generate(SPEC, "").unwrap();
    assert!(!code.contains("NextLink"), "{code}");
    // ... with one it is, and the configuration can name it for any operation.
    let paged = SPEC.replace("name: cursor, in: query", "name: page, in: query");
    let code = generate(&paged, "").unwrap();
    assert!(code.contains("crate::Paging::NextLink") && code.contains("next: &[\"next\"]"), "{code}");
    let config = "operations:\n  listThings:\n    paginate: { style: next_link }\n";
    let code = generate(SPEC, config).unwrap();
    assert!(code.contains("crate::Paging::NextLink") && code.contains("&[\"data\"]"), "{code}");
}

#[test]
fn bad_paginate_settings_name_the_line() {
    let cases = [
        ("operations:\n  listThings:\n    paginate: { style: cursor, param: after, next: next }\n", "codegen.yaml:3", "`after`"),
        ("operations:\n  listThings:\n    paginate: { style: cursor, param: cursor, next: a..b }\n", "codegen.yaml:3", "dotted"),
        ("operations:\n  listThings:\n    paginate: { style: offset_limit, items: count }\n", "codegen.yaml:3", "offset"),
        ("operations:\n  listThings:\n    paginate: { style: link_header, items: count }\n", "codegen.yaml:3", "not an array"),
        ("operations:\n  listThings:\n    paginate: { style: next_link, next: a..b }\n", "codegen.yaml:3", "dotted"),
        ("operations:\n  listThings:\n    paginate: true\n", "codegen.yaml:3", "no paging style"),
        ("operations:\n  listThings:\n    paginate: { style: sideways }\n", "codegen.yaml:3", "sideways"),
        ("operations:\n  listThings:\n    paginate: { style: cursor, param: cursor, next: n, extra: 1 }\n", "codegen.yaml:3", "extra"),
        ("operations:\n  listThings:\n    paginate: 3\n", "codegen.yaml:3", "paging style"),
    ];
    for (config, place, what) in cases {
        let err = generate(SPEC, config).expect_err(config);
        assert!(err.contains(place) && err.contains(what), "{config}: {err}");
    }
}
