//! The spec diff on real documents: Cloudflare's upstream history, and every upstream document
//! against itself (including the full 4 MB and 12.5 MB ones). Speed is the benchmarks' concern
//! (`cargo xtask bench`), not these tests'.
//!
//! The documents live outside the repository, in `../shared/upstream/` (or `UPSTREAM_DIR`);
//! a missing one is a skip that shows, and a failure on CI (see `support/skip.rs`).

mod support;

use std::path::Path;
use std::time::Instant;

use generator::diff::{
    diff_documents, render_github, render_markdown, render_markdown_comment, render_text, ChangeKind, CommentLimits, Level,
    Report, COMMENT_MAX_BYTES, MAX_ANNOTATIONS, SHOWN_ROWS,
};
use generator::{load_path, Document};

/// Whether every document of `names` is under `dir`; if not, a skip naming the missing ones.
fn present(dir: &Path, names: &[&str]) -> bool {
    let missing: Vec<String> = names
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        support::skip::skip(&format!("{} absent", missing.join(", ")));
    }
    missing.is_empty()
}

fn load(dir: &Path, name: &str) -> Document {
    load_path(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"))
}

const OLD: &str = "cloudflare-access-users.api-schemas-2024-08-06.openapi.yaml";
const NEW: &str = "cloudflare-access-users.openapi.yaml";
const LIST: &str = "GET /accounts/{account_id}/access/users";
const OLD_OPS: [&str; 5] = [
    "GET /accounts/{account_id}/access/users",
    "GET /accounts/{account_id}/access/users/{user_id}/active_sessions",
    "GET /accounts/{account_id}/access/users/{user_id}/active_sessions/{nonce}",
    "GET /accounts/{account_id}/access/users/{user_id}/failed_logins",
    "GET /accounts/{account_id}/access/users/{user_id}/last_seen_identity",
];

/// The wire reading alone: the history tests below are about the documents; the Rust API of
/// the crate they generate is `upstream_history_rust_api`'s.
fn wire_diff(old: &Document, new: &Document) -> Report {
    let report = diff_documents(old, new);
    Report { changes: report.changes.into_iter().filter(|c| !c.kind.id().starts_with("rust-")).collect(), ..Report::default() }
}

fn ids(report: &Report, op: &str) -> Vec<(&'static str, Level, String)> {
    report
        .changes
        .iter()
        .filter(|c| c.operation.as_deref() == Some(op))
        .map(|c| (c.kind.id(), c.level, c.location.clone()))
        .collect()
}

#[test]
fn upstream_history_2024_to_current() {
    let Some(dir) = support::skip::upstream_or_skip() else { return };
    if !present(&dir, &[OLD, NEW]) {
        return;
    }
    let (old, new) = (load(&dir, OLD), load(&dir, NEW));
    let report = wire_diff(&old, &new);
    println!("{}", render_text(&report));
    println!("{}", render_markdown(&report, None));

    // Upstream only added things. One schema type changes: in 2024 the list response was
    // `allOf: [collection envelope, {result_info: {properties: {count: {example: 1}, …}}}, …]`,
    // and a property defined again in a later branch replaces the earlier one (in the generator
    // as here), so `result_info.count`, `page`, `per_page` and `total_count` were untyped; now
    // they are `number`. But `result_info` is an envelope member: the generated method returns
    // `result`, and the runtime decodes `result_info` with its fixed `ResultInfo` (lenient
    // `Option<u64>`s), so no generated Rust type changes: info, saying why.
    assert_eq!(report.count(Level::Breaking), 0, "{}", render_text(&report));
    assert_eq!(report.count(Level::Warning), 0, "{}", render_text(&report));
    let type_changes: Vec<(&str, Level, &str)> = report
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::ResponsePropertyTypeChanged)
        .map(|c| (c.operation.as_deref().unwrap(), c.level, c.message.as_str()))
        .collect();
    let expected: Vec<String> = ["count", "page", "per_page", "total_count"]
        .iter()
        .map(|field| {
            format!(
                "response type changed from `serde_json::Value` to `f64` (envelope member decoded by \
                 the runtime's fixed `ResultInfo`; the generated API does not change): \
                 `result_info.{field}` (200)"
            )
        })
        .collect();
    assert_eq!(
        type_changes,
        expected
            .iter()
            .map(|m| (LIST, Level::Info, m.as_str()))
            .collect::<Vec<_>>()
    );

    // The four added endpoints.
    let mut added: Vec<&str> = report
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::EndpointAdded)
        .map(|c| c.operation.as_deref().unwrap())
        .collect();
    added.sort();
    assert_eq!(
        added,
        [
            "DELETE /accounts/{account_id}/access/users/{user_id}",
            "GET /accounts/{account_id}/access/users/{user_id}",
            "POST /accounts/{account_id}/access/users",
            "PUT /accounts/{account_id}/access/users/{user_id}",
        ]
    );

    // The five new optional query parameters of the list operation.
    let params: Vec<&str> = report
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::OptionalRequestParameterAdded)
        .inspect(|c| assert_eq!(c.operation.as_deref(), Some(LIST)))
        .map(|c| c.message.as_str())
        .collect();
    assert_eq!(
        params,
        [
            "optional query parameter `name` added",
            "optional query parameter `email` added",
            "optional query parameter `search` added",
            "optional query parameter `page` added",
            "optional query parameter `per_page` added",
        ]
    );

    // New optional response properties, as info: `total_pages` in `result_info` of the three
    // paginated lists, `documentation_url` and `source` in `errors[]`/`messages[]` everywhere.
    let messages = "/components/schemas/access_messages/items/properties";
    for op in OLD_OPS {
        let mut expected = vec![
            (
                "response-property-added",
                Level::Info,
                format!("{messages}/documentation_url"),
            ),
            (
                "response-property-added",
                Level::Info,
                format!("{messages}/source"),
            ),
        ];
        let result_info = match op {
            LIST => Some("access_response_collection-24"),
            o if o.ends_with("/active_sessions") => Some("access_active_sessions_response"),
            o if o.ends_with("/failed_logins") => Some("access_failed_login_response"),
            _ => None,
        };
        if let Some(schema) = result_info {
            expected.push((
                "response-property-added",
                Level::Info,
                format!(
                    "/components/schemas/{schema}/properties/result_info/properties/total_pages"
                ),
            ));
        }
        // `api_token` became an accepted alternative to `api_email` + `api_key`.
        let security_index = match op {
            LIST => "/paths/~1accounts~1{account_id}~1access~1users/get/security/0".to_string(),
            _ => format!(
                "/paths/{}/get/security/0",
                generator::internal::escape_token(op.strip_prefix("GET ").unwrap())
            ),
        };
        expected.push(("security-requirement-added", Level::Info, security_index));
        if op == LIST {
            for field in ["count", "page", "per_page", "total_count"] {
                expected.push((
                    "response-property-type-changed",
                    Level::Info,
                    format!("/components/schemas/access_response_collection-24/properties/result_info/properties/{field}"),
                ));
            }
            for i in 1..=5 {
                expected.push((
                    "optional-request-parameter-added",
                    Level::Info,
                    format!("/paths/~1accounts~1{{account_id}}~1access~1users/get/parameters/{i}"),
                ));
            }
        }
        let mut got = ids(&report, op);
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "changes of {op}");
    }

    // The property messages name where the property sits, in every response that has it.
    let doc_url = report
        .changes
        .iter()
        .find(|c| {
            c.operation.as_deref() == Some(LIST) && c.location.ends_with("/documentation_url")
        })
        .unwrap();
    assert_eq!(
        doc_url.message,
        "optional response property added (envelope member decoded by the runtime's fixed \
         `ResponseInfo`; the generated API does not change): `errors[].documentation_url` \
         (200, 4XX), `messages[].documentation_url` (200, 4XX)"
    );
    for c in &report.changes {
        assert_eq!(c.level, Level::Info, "{c:?}");
    }

    // Nothing else at all: renamed components (access_users → access_users-2, the allOf
    // envelopes flattened by Stainless, `readOnly` added beside `$ref`s, …) report nothing.
    assert_eq!(
        report.changes.len(),
        4 + 5 + 5 * 3 + 3 + 4,
        "{}",
        render_text(&report)
    );
}

#[test]
fn upstream_history_current_to_2024_is_breaking() {
    let Some(dir) = support::skip::upstream_or_skip() else { return };
    if !present(&dir, &[OLD, NEW]) {
        return;
    }
    let (new, old) = (load(&dir, OLD), load(&dir, NEW));
    // Going back in time removes what was added: the endpoints, the parameters (their Rust
    // fields disappear) and the `api_token` alternative, all breaking. The response properties
    // that go away (`total_pages`, `documentation_url`, `source`) and the four `result_info`
    // numbers that become untyped again are envelope members the runtime decodes: info.
    let report = wire_diff(&old, &new);
    println!("{}", render_text(&report));
    let count = |kind: ChangeKind, level: Level| {
        report
            .changes
            .iter()
            .filter(|c| c.kind == kind && c.level == level)
            .count()
    };
    assert_eq!(count(ChangeKind::EndpointRemoved, Level::Breaking), 4);
    assert_eq!(
        count(ChangeKind::RequestParameterRemoved, Level::Breaking),
        5
    );
    assert_eq!(
        count(ChangeKind::SecurityRequirementRemoved, Level::Breaking),
        5
    );
    assert_eq!(
        count(ChangeKind::ResponsePropertyRemoved, Level::Info),
        3 + 5 * 2
    );
    assert_eq!(
        count(ChangeKind::ResponsePropertyTypeChanged, Level::Info),
        4
    );
    assert_eq!(report.count(Level::Breaking), 4 + 5 + 5);
    assert_eq!(report.changes.len(), 4 + 5 + 5 + 13 + 4);
}

/// The crate's Rust API across the same history, generated with the project's
/// `spec/codegen.yaml`: the list method gained its params and paging (a wire change the wire
/// reading calls info), four methods were added, and types named by the 2024 document's
/// schemas took the configured names.
#[test]
fn upstream_history_rust_api() {
    let Some(dir) = support::skip::upstream_or_skip() else { return };
    if !present(&dir, &[OLD, NEW]) {
        return;
    }
    let (old, new) = (load(&dir, OLD), load(&dir, NEW));
    let config = generator::Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/codegen.yaml")).unwrap();
    let report = generator::diff::diff_documents_with(&old, &new, &config);
    println!("{}", render_text(&report));
    let rust = |kind: ChangeKind| report.changes.iter().filter(move |c| c.kind == kind);
    let list: Vec<&str> = rust(ChangeKind::RustMethodSignatureChanged).map(|c| c.message.as_str()).collect();
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(
        list[0].starts_with("`Users::list(account_id)`: `fn list(&self, account_id: &str) -> Request<'c, Vec<models::UserListResponse>>` → `fn list(&self, account_id: &str, params: &models::UserListParams) -> PageRequest<'c, models::UserListResponse>`"),
        "{}",
        list[0]
    );
    let added: Vec<&str> = rust(ChangeKind::RustMethodAdded).map(|c| c.operation.as_deref().unwrap()).collect();
    assert_eq!(added.len(), 4, "{added:?}");
    assert!(rust(ChangeKind::RustTypeRenamed).any(|c| c.message == "`models::AccessUsers` is renamed `models::User`"));
    let semver = report.semver.expect("both sides generate");
    assert_eq!((semver.needed, semver.to.as_str()), (generator::diff::Bump::Major, "0.2.0"));
    // Back in time the four methods go.
    let back = generator::diff::diff_documents_with(&new, &old, &config);
    assert_eq!(back.changes.iter().filter(|c| c.kind == ChangeKind::RustMethodRemoved && c.level == Level::Breaking).count(), 4);
}

#[test]
fn every_upstream_document_against_itself_reports_nothing() {
    let Some(dir) = support::skip::upstream_or_skip() else { return };
    let names = [
        NEW,
        OLD,
        "full/cloudflare-api.api-schemas-2024-08-06.openapi.json",
        "full/cloudflare-api.stainless-2026-08.openapi.json",
    ];
    if !present(&dir, &names) {
        return;
    }
    for name in names {
        let (a, b) = (load(&dir, name), load(&dir, name));
        let started = Instant::now();
        let report = diff_documents(&a, &b);
        println!("{name}: diffed in {:.2} s", started.elapsed().as_secs_f64());
        assert!(report.changes.is_empty(), "{name}: {}", render_text(&report));
    }
}

const FULL_OLD: &str = "full/cloudflare-api.api-schemas-2024-08-06.openapi.json";
const FULL_NEW: &str = "full/cloudflare-api.stainless-2026-08.openapi.json";

/// The whole Cloudflare API, 2024-08-06 → 2026-08: a report of thousands of changes (megabytes
/// of markdown in full) still fits a pull-request comment, breaking changes first, and every
/// change is either listed or counted in the note; the annotations stop at 50.
#[test]
fn cloudflare_2024_to_2026_fits_a_pull_request_comment() {
    let Some(dir) = support::skip::upstream_or_skip() else { return };
    if !present(&dir, &[FULL_OLD, FULL_NEW]) {
        return;
    }
    let (old, new) = (load(&dir, FULL_OLD), load(&dir, FULL_NEW));
    let report = diff_documents(&old, &new);
    let total = report.changes.len();
    assert!(total > 10_000 && report.count(Level::Breaking) > SHOWN_ROWS, "{total} changes");

    let full = render_markdown(&report, None);
    let md = render_markdown_comment(&report, None, &CommentLimits { max_bytes: COMMENT_MAX_BYTES, full_report: Some("spec-diff.md") });
    let (rows, left_out) = support::comment_rows(&md);
    println!(
        "full markdown {} bytes, {} rows; comment {} bytes ({} characters), {} rows listed, {left_out} left out",
        full.len(),
        support::comment_rows(&full).0.len(),
        md.len(),
        md.chars().count(),
        rows.len()
    );
    assert!(full.len() > COMMENT_MAX_BYTES);
    assert_eq!(support::comment_rows(&full).0.len(), total);
    assert!(md.len() <= COMMENT_MAX_BYTES, "{} bytes", md.len());
    assert_eq!(rows.len() + left_out, total);
    assert!(rows.len() >= SHOWN_ROWS);
    assert!(rows.iter().all(|(heading, _)| heading.starts_with("Breaking changes")), "breaking rows come first");
    assert!(md.contains(&format!("> **{left_out} of {total} changes not listed**")));
    assert!(md.contains(&format!("- `endpoint-removed` (breaking): {}\n", report.changes.iter().filter(|c| c.kind == ChangeKind::EndpointRemoved && c.level == Level::Breaking).count())));

    let github = render_github(&report, &new);
    assert_eq!(github.lines().count(), MAX_ANNOTATIONS);
    assert_eq!(github.lines().filter(|l| l.starts_with("::error ")).count(), MAX_ANNOTATIONS - 1);
}
