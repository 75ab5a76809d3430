//! `api.md`, the API reference page generated with every crate: it names every method and
//! model of the TypeScript reference page for the users API (a page kept beside the repository,
//! `../shared/reference/`), it stays one well-formed page whatever the document's strings
//! hold, and it is sorted.

mod support;

use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};


/// TypeScript resource paths → our accessor chains.
const RESOURCES: &[(&str, &str)] = &[
    ("zeroTrust.access.users", "client.zero_trust().access().users()"),
    ("zeroTrust.access.users.activeSessions", "client.zero_trust().access().users().active_sessions()"),
    ("zeroTrust.access.users.failedLogins", "client.zero_trust().access().users().failed_logins()"),
    ("zeroTrust.access.users.lastSeenIdentity", "client.zero_trust().access().users().last_seen_identity()"),
];

/// TypeScript params types → ours. `None`: the TypeScript type carries only path parameters
/// (`account_id`), which are arguments of our method, so it has no struct.
const PARAMS: &[(&str, Option<&str>)] = &[
    ("UserListParams", Some("UserListParams")),
    ("UserGetParams", None),
    ("UserCreateParams", Some("UserCreateParams")),
    ("UserUpdateParams", Some("UserUpdateParams")),
    ("UserDeleteParams", None),
    ("ActiveSessionListParams", None),
    ("ActiveSessionGetParams", None),
    ("LastSeenIdentityGetParams", None),
    ("FailedLoginListParams", None),
];

/// TypeScript model names → ours (the same names: both follow the document's schema names).
const MODELS: &[(&str, &str)] = &[
    ("AccessUser", "AccessUser"),
    ("UserListResponse", "UserListResponse"),
    ("UserGetResponse", "UserGetResponse"),
    ("UserCreateResponse", "UserCreateResponse"),
    ("UserUpdateResponse", "UserUpdateResponse"),
    ("ActiveSessionListResponse", "ActiveSessionListResponse"),
    ("ActiveSessionGetResponse", "ActiveSessionGetResponse"),
    ("Identity", "Identity"),
    ("FailedLoginListResponse", "FailedLoginListResponse"),
];

/// TypeScript method names are ours in camelCase (all five are one word).
fn method_name(ts: &str) -> String {
    let mut out = String::new();
    for c in ts.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn lookup<'a, T: Copy>(table: &'a [(&'a str, T)], key: &str) -> T {
    table
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("the reference page names `{key}`, which the mapping in this test does not list"))
}

/// The lines of `api.md` under the `### <heading>` section.
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    let start = format!("### {heading}");
    let mut lines = md.lines().skip_while(|l| *l != start);
    assert!(lines.next().is_some(), "api.md has no section `{start}`");
    lines.take_while(|l| !l.starts_with("#")).collect()
}

#[test]
fn every_method_and_model_of_the_reference_page_is_in_api_md() {
    let page = support::reference_page();
    let Ok(reference) = std::fs::read_to_string(&page) else {
        support::skip::skip(&format!("{} is absent (the TypeScript reference page)", page.display()));
        return;
    };
    let api = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/api.md")).expect("generated/api.md");
    let (mut methods, mut models) = (0, 0);
    for line in reference.lines() {
        if let Some(call) = line.strip_prefix("client.") {
            let (path, args) = call.split_once('(').expect("a method line has arguments");
            let (resource, method) = path.rsplit_once('.').expect("resource.method");
            let accessor = lookup(RESOURCES, resource);
            let ours = format!("- `fn {}(&self", method_name(method));
            let lines = section(&api, &format!("`{accessor}`"));
            let found = lines.iter().find(|l| l.starts_with(&ours)).unwrap_or_else(|| panic!("{resource}.{method}: no `{ours}` under `{accessor}` in api.md"));
            let ts_params = args.split(|c: char| !c.is_ascii_alphanumeric()).find(|w| w.ends_with("Params")).expect("a params type");
            match lookup(PARAMS, ts_params) {
                Some(p) => assert!(found.contains(&format!("params: &models::{p}")), "{resource}.{method}: {found}"),
                None => assert!(found.contains("account_id: &str") && !found.contains("params:"), "{resource}.{method}: {found}"),
            }
            methods += 1;
        } else if let Some((name, _)) = line.split_once(" {").filter(|(n, _)| n.starts_with(|c: char| c.is_ascii_uppercase()) && n.chars().all(|c| c.is_ascii_alphanumeric())) {
            let ours = lookup(MODELS, name);
            assert!(api.contains(&format!("\n### `models::{ours}` (")), "model {name}: no `models::{ours}` section in api.md");
            models += 1;
        }
    }
    // The page lists nine methods and nine models; fewer means it was not read as intended.
    assert_eq!((methods, models), (9, 9), "methods and models read from {}", page.display());
}

const HOSTILE: &str = r#"openapi: 3.0.3
info:
  title: T
  version: '1'
paths:
  /things/{id}`</details><script>:
    get:
      operationId: getThing
      tags: [things]
      summary: "</details><script>alert(1)</script>\n# Not a heading\n```\n- item | pipe ``"
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing`<~1details>'}
components:
  schemas:
    Thing`</details>:
      description: "</details><script>x</script>"
      type: object
      properties:
        "`na``me</summary>\n# h":
          type: string
          enum: ["</details>", "`", "a\n## b"]
"#;

#[test]
fn document_strings_cannot_break_the_page() {
    let doc = generator::load_bytes("hostile.yaml", HOSTILE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let config = generator::Config::default();
    let generated = generator::generate(&generator::Input {
        doc: &doc,
        config: &config,
        default_crate_name: "hostile",
        command: "cargo xtask codegen",
        inputs_label: "hostile.yaml",
        standalone: true,
        module: None,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let md = &generated.files["api.md"];
    let mut headings = Vec::new();
    let mut html = Vec::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut items = 0;
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => headings.extend(heading.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => html.push(t.to_string()),
            Event::Start(Tag::Item) => items += 1,
            Event::Start(Tag::CodeBlock(_)) => panic!("a code block opened in api.md:\n{md}"),
            _ => {}
        }
    }
    // Only the header comment is HTML.
    assert!(html.concat().starts_with("<!--") && html.concat().trim_end().ends_with("-->") && !html.concat().contains("<script"), "HTML in api.md: {html:?}\n{md}");
    let levels: Vec<(HeadingLevel, &str)> = headings.iter().map(|(l, t)| (*l, t.as_str())).collect();
    assert_eq!(
        levels,
        [
            (HeadingLevel::H1, "API reference: hostile 0.1.0"),
            (HeadingLevel::H2, "Resources"),
            (HeadingLevel::H3, "client.things()"),
            (HeadingLevel::H2, "Models"),
            (HeadingLevel::H3, "models::ThingDetails (struct)"),
            (HeadingLevel::H3, "models::ThingDetailsNaMeSummaryH (enum)"),
            (HeadingLevel::H3, "models::ThingGetResponse (type alias)"),
        ],
        "{md}"
    );
    // One method, one field, the enum's variants (the value with a line break is dropped with
    // a diagnostic) and its catch-all, the alias.
    assert_eq!(items, 6, "{md}");
    // The summary is one line of text, all of it kept.
    let text: String = Parser::new(md).filter_map(|e| if let Event::Text(t) = e { Some(t.to_string()) } else { None }).collect();
    assert!(text.contains("</details><script>alert(1)</script> # Not a heading ``` - item | pipe ``"), "{text}");
}

#[test]
fn sections_are_sorted() {
    let api = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/api.md")).expect("generated/api.md");
    let models: Vec<&str> = api.lines().filter_map(|l| l.strip_prefix("### `models::")?.split('`').next()).collect();
    assert!(models.len() > 20 && models.is_sorted(), "{models:#?}");
    let methods: Vec<&str> = section(&api, "`client.zero_trust().access().users()`").into_iter().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(methods.len(), 5);
    assert!(methods.is_sorted(), "{methods:#?}");
}
