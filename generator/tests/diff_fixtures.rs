//! The spec diff on pairs of small documents: `tests/diff-fixtures/<case>/{old.yaml, new.yaml}`
//! and `expected.txt`, the exact list of `id level` lines the diff must report (in any order;
//! `#` starts a comment). Every change kind has a case at each level it can have; cases named
//! `no-change-…` expect nothing, `same-wire-…` only Rust-API (`rust-…`) changes.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use generator::diff::{
    diff_documents, render_github, render_json, render_markdown, render_markdown_comment,
    render_text, ChangeKind, CodeSummary, CommentLimits, Level, Report, COMMENT_MAX_BYTES,
    MAX_ANNOTATIONS, SHOWN_ROWS,
};
use generator::{load_path, Document};

mod support;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff-fixtures")
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(fixtures())
        .expect("tests/diff-fixtures exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    assert!(
        out.len() > 40,
        "expected the fixture pairs in {}",
        fixtures().display()
    );
    out
}

fn load(dir: &Path, name: &str) -> Document {
    load_path(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"))
}

fn expected(dir: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
    let mut out: Vec<(String, String)> = text
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            let id = parts.next().unwrap().to_string();
            let level = parts
                .next()
                .unwrap_or_else(|| panic!("{}: `{l}` has no level", dir.display()));
            assert!(
                Level::parse(level).is_some(),
                "{}: bad level `{level}`",
                dir.display()
            );
            (id, level.to_string())
        })
        .collect();
    out.sort();
    out
}

fn got(report: &Report) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report
        .changes
        .iter()
        .map(|c| (c.kind.to_string(), c.level.to_string()))
        .collect();
    out.sort();
    out
}

#[test]
fn every_fixture_reports_exactly_its_expected_changes() {
    let mut failures = Vec::new();
    for (name, dir) in cases() {
        let report = diff_documents(&load(&dir, "old.yaml"), &load(&dir, "new.yaml"));
        let (want, have) = (expected(&dir), got(&report));
        if want != have {
            failures.push(format!(
                "{name}:\n  expected {want:?}\n  got      {have:?}\n{}",
                render_text(&report)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_document_against_itself_reports_nothing() {
    for (name, dir) in cases() {
        // Schemas nested beyond the limit are reported as such, changed or not.
        if name == "nesting-too-deep" {
            continue;
        }
        for side in ["old.yaml", "new.yaml"] {
            let doc = load(&dir, side);
            let report = diff_documents(&doc, &doc);
            assert!(
                report.changes.is_empty(),
                "{name}/{side}: {}",
                render_text(&report)
            );
        }
    }
}

#[test]
fn every_change_kind_has_a_fixture_at_every_level_it_can_have() {
    let mut covered = BTreeSet::new();
    for (name, dir) in cases() {
        for (id, level) in expected(&dir) {
            let kind = ChangeKind::parse(&id)
                .unwrap_or_else(|| panic!("{name}: `{id}` is no change kind"));
            let level = Level::parse(&level).expect("checked by `expected`");
            assert!(
                kind.levels().contains(&level),
                "{name}: `{id}` cannot be {level}"
            );
            covered.insert((kind.id(), level));
        }
    }
    let missing: Vec<String> = ChangeKind::ALL
        .iter()
        .flat_map(|k| k.levels().iter().map(move |l| (k.id(), *l)))
        .filter(|pair| !covered.contains(pair))
        .map(|(id, level)| format!("{id} {level}"))
        .collect();
    assert!(missing.is_empty(), "no fixture reports: {missing:#?}");
}

#[test]
fn locations_point_into_new_or_old_for_removals() {
    for (name, dir) in cases() {
        let (old, new) = (load(&dir, "old.yaml"), load(&dir, "new.yaml"));
        for c in diff_documents(&old, &new).changes {
            let in_new = generator::internal::get(&new.raw, &c.location).is_some();
            let in_old = generator::internal::get(&old.raw, &c.location).is_some();
            assert!(
                in_new || in_old,
                "{name}: {} points nowhere: {}",
                c.kind,
                c.location
            );
            let id = c.kind.id();
            // A Rust type has no operation, and no pointer (the document's root, "") unless a
            // component has its name.
            let rust = id.starts_with("rust-");
            let located = !(rust && c.location.is_empty());
            if !located {
                assert!(c.operation.is_none(), "{name}: {c:?}");
            } else if id.ends_with("-removed") && !id.contains("enum-value") {
                assert!(
                    in_old,
                    "{name}: {} should point into OLD: {}",
                    c.kind, c.location
                );
            } else {
                assert!(
                    in_new,
                    "{name}: {} should point into NEW: {}",
                    c.kind, c.location
                );
            }
            // A security scheme is the document's: one change, not one per operation using it.
            let document_wide = id == "security-scheme-changed";
            assert!(
                c.operation.as_deref().is_some_and(|o| o.contains(" /")) || rust || document_wide,
                "{name}: {c:?}"
            );
            assert!(
                !c.message.contains('\n'),
                "{name}: message on several lines: {c:?}"
            );
        }
    }
}

#[test]
fn messages_say_what_changed_and_where() {
    let check = |case: &str, id: &str, message: &str| {
        let dir = fixtures().join(case);
        let report = diff_documents(&load(&dir, "old.yaml"), &load(&dir, "new.yaml"));
        let c = report
            .changes
            .iter()
            .find(|c| c.kind.id() == id)
            .unwrap_or_else(|| panic!("{case}: no {id}"));
        assert_eq!(c.message, message, "{case}");
    };
    check(
        "response-property-type-changed-items",
        "response-property-type-changed",
        "response type changed from `String` to `i64`: `tags[]` (200)",
    );
    check(
        "response-property-became-optional",
        "response-property-became-optional",
        "response property became optional (Rust `String` → `Option<String>`): `name` (200)",
    );
    check(
        "request-parameter-became-optional",
        "request-parameter-became-optional",
        "query parameter `verbose` became optional: the generated argument changes from `bool` to `Option<bool>`",
    );
    check(
        "request-property-constraint-narrowed",
        "request-property-constraint-narrowed",
        "request schema narrowed: maxLength lowered from 64 to 32: `name`",
    );
    check(
        "response-enum-value-added",
        "response-enum-value-added",
        "response enum value \"archived\" added (the generated enum has a catch-all): `status` (200)",
    );
    check(
        "operation-id-changed",
        "operation-id-changed",
        "operationId changed from `get-item` to `fetch-item`: the generated method is renamed",
    );
    check(
        "response-envelope-members-changed",
        "response-property-became-optional",
        "response property became optional (envelope member decoded by the runtime's fixed `ResponseInfo`; the generated API does not change): `errors[].code` (200, 4XX), `messages[].code` (200)",
    );
    check(
        "response-envelope-member-shape-changed",
        "response-property-type-changed",
        "response type changed from `Vec<struct>` to `serde_json::Value` (envelope member decoded by the runtime's fixed `ResponseInfo` list, which may no longer decode it): `errors` (200)",
    );
    check(
        "response-envelope-changed",
        "response-envelope-changed",
        "response body became a Cloudflare envelope: the generated method now returns its `result` instead of the whole body: `(response body)` (200)",
    );
    check(
        "recursive-property-added",
        "response-property-added",
        "optional response property added: `color` (200)",
    );
}

#[test]
fn ordering_is_by_level_then_operation_then_location_and_is_stable() {
    let dir = fixtures().join("security-requirement-removed");
    let (old, new) = (load(&dir, "old.yaml"), load(&dir, "new.yaml"));
    let a = diff_documents(&old, &new);
    let b = diff_documents(&old, &new);
    assert_eq!(a, b);
    let keys: Vec<_> = a
        .changes
        .iter()
        .map(|c| (c.level, c.operation.clone(), c.location.clone(), c.kind))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(a.worst(), Some(Level::Breaking));
    assert_eq!(diff_documents(&new, &old).worst(), Some(Level::Info));
}

#[test]
fn renders_every_format() {
    let dir = fixtures().join("response-property-became-nullable");
    let (old, new) = (load(&dir, "old.yaml"), load(&dir, "new.yaml"));
    let full = diff_documents(&old, &new);
    let text = render_text(&full);
    assert!(
        text.starts_with("2 API changes: 2 breaking, 0 warnings, 0 info\nGenerated crate: 0.1.0 → 0.2.0 (a Rust item was removed or changed: a major change, which before 1.0 is a minor bump (0.x)).\n"),
        "{text}"
    );
    assert!(text.contains("`models::Item::id`: `String` → `Option<String>`"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&render_json(&full)).unwrap();
    assert_eq!(json["semver"]["bump"], "major");
    assert_eq!(json["semver"]["to"], "0.2.0");
    assert!(render_markdown(&full, None).contains("Generated crate: 0.1.0 → 0.2.0"));
    // The wire change alone, as the rest of this test reads it.
    let report = Report {
        changes: full.changes.into_iter().filter(|c| !c.kind.id().starts_with("rust-")).collect(),
        ..Report::default()
    };

    let text = render_text(&report);
    assert!(
        text.starts_with("1 API change: 1 breaking, 0 warnings, 0 info\n"),
        "{text}"
    );
    assert!(
        text.contains("GET /items/{id}: response property became nullable"),
        "{text}"
    );

    let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"changes": [{
            "id": "response-property-became-nullable",
            "level": "breaking",
            "operation": "GET /items/{id}",
            "location": "/components/schemas/Item/properties/id",
            "message": "response property became nullable (Rust `String` → `Option<String>`): `id` (200)",
            "acknowledged": null,
        }]})
    );

    let github = render_github(&report, &old, &new);
    let line =
        generator::internal::line_of(&new.text, "/components/schemas/Item/properties/id").unwrap();
    assert_eq!(
        github.trim_end(),
        format!(
            "::error file={},line={line},title=response-property-became-nullable (breaking)::GET /items/{{id}}: response property became nullable (Rust `String` → `Option<String>`): `id` (200)",
            new.name.replace(':', "%3A").replace(',', "%2C")
        )
    );

    let mut old_files = std::collections::BTreeMap::new();
    old_files.insert(
        "src/models.rs".to_string(),
        "pub struct Item {\n    pub id: String,\n}\n".to_string(),
    );
    let mut new_files = old_files.clone();
    new_files.insert(
        "src/models.rs".to_string(),
        "pub struct Item {\n    pub id: Option<String>,\n}\n".to_string(),
    );
    let summary = CodeSummary::between(&old_files, &new_files);
    let md = render_markdown(&report, Some(&summary));
    let order = [
        "## API changes",
        "### Breaking changes (1)",
        "| `GET /items/{id}` |",
        "### Generated code",
        "1 file changed (0 added, 0 removed), +1 −1 lines.",
        "Public items changed (1):",
        "- `struct Item` in `src/models.rs`",
    ];
    let mut at = 0;
    for part in order {
        let i = md[at..]
            .find(part)
            .unwrap_or_else(|| panic!("`{part}` missing or out of order in:\n{md}"));
        at += i + part.len();
    }

    let none = Report::default();
    assert_eq!(render_text(&none), "No API changes.\n");
    assert_eq!(render_json(&none), "{\n  \"changes\": []\n}\n");
    assert_eq!(render_github(&none, &old, &new), "");
    assert!(render_markdown(&none, None).contains("No API changes."));
}

#[test]
fn removals_are_annotated_on_the_nearest_surviving_line_of_new() {
    let dir = fixtures().join("endpoint-removed");
    let (old, new) = (load(&dir, "old.yaml"), load(&dir, "new.yaml"));
    let github = render_github(&diff_documents(&old, &new), &old, &new);
    let line = generator::internal::line_of(&new.text, "/paths/~1items~1{id}").unwrap();
    assert!(github.starts_with("::error file="), "{github}");
    assert!(github.contains(&format!(",line={line},")), "{github}");
    let was = generator::internal::line_of(&old.text, "/paths/~1items~1{id}/put").unwrap();
    assert!(github.contains(&format!("(was at {}:{was})", old.name)), "{github}");
}

/// The 1-based line of the first line of `text` that reads `needle` once trimmed, found
/// without `locate`.
fn line_reading(text: &str, needle: &str, after: usize) -> usize {
    text.lines().enumerate().skip(after).find(|(_, l)| l.trim() == needle).map(|(i, _)| i + 1).unwrap_or_else(|| panic!("no line `{needle}`"))
}

#[test]
fn annotations_land_on_the_parameter_that_changed_and_removals_name_their_old_line() {
    let doc = |third: &str, b: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /items/{{id}}:\n    parameters:\n      - name: id\n        in: path\n        required: true\n        schema: {{type: string}}\n    get:\n      operationId: get-item\n      parameters:\n        - name: a\n          in: query\n          schema: {{type: integer}}\n        - name: b\n          in: query\n          schema: {{type: {b}}}\n{third}      responses:\n        '200': {{description: ok}}\n"
        )
    };
    let old = generator::load_bytes("base:spec/openapi.yaml", doc("        - name: c\n          in: query\n          schema: {type: integer}\n", "integer").as_bytes()).unwrap();
    let new = generator::load_bytes("spec/openapi.yaml", doc("", "string").as_bytes()).unwrap();
    let report = diff_documents(&old, &new);
    let github = render_github(&report, &old, &new);
    let annotation = |id: &str| github.lines().find(|l| l.contains(&format!("title={id} "))).unwrap_or_else(|| panic!("no {id}: {github}")).to_string();
    // `b`, the second of three query parameters: its own schema line, not `a`'s or `id`'s.
    let b_schema = line_reading(&new.text, "schema: {type: string}", line_reading(&new.text, "- name: b", 0));
    assert!(annotation("request-parameter-type-changed").contains(&format!(",line={b_schema},")), "{github}");
    // `c` is gone: on NEW's parameter list, and named at its own line in OLD.
    let removed = annotation("request-parameter-removed");
    let c_in_old = line_reading(&old.text, "- name: c", 0);
    assert!(removed.contains(&format!(",line={},", line_reading(&new.text, "parameters:", 10))), "{removed}");
    assert!(removed.ends_with(&format!("(was at base:spec/openapi.yaml:{c_in_old})")), "{removed}");
}

#[test]
fn code_summary_counts_the_changed_files_and_lines() {
    let header = "// @generated by openapi-rustgen from spec. Do not edit by hand.\n// Regenerate with `cargo xtask codegen`.\n";
    let mut old_files = std::collections::BTreeMap::new();
    old_files.insert("src/lib.rs".to_string(), format!("{header}pub mod models;\n"));
    old_files.insert(
        "src/models.rs".to_string(),
        format!("{header}pub struct Item {{\n    pub id: String,\n}}\n"),
    );
    let mut new_files = old_files.clone();
    new_files.insert(
        "src/models.rs".to_string(),
        format!("{header}pub struct Item {{\n    pub id: String,\n    pub name: Option<String>,\n}}\n"),
    );
    let summary = CodeSummary::between(&old_files, &new_files);
    assert_eq!(summary.files_changed, ["src/models.rs"]);
    assert_eq!((summary.lines_added, summary.lines_removed), (1, 0));
    let md = render_markdown(&Report::default(), Some(&summary));
    assert!(md.contains("1 file changed (0 added, 0 removed), +1 −0 lines.\n"), "{md}");

    // A changed line anywhere counts, the header's included.
    let mut header_edit = old_files.clone();
    header_edit.insert("src/lib.rs".to_string(), format!("{}pub mod models;\n", header.replace("spec", "spec2")));
    let summary = CodeSummary::between(&old_files, &header_edit);
    assert_eq!(summary.files_changed, ["src/lib.rs"]);
    assert_eq!((summary.lines_added, summary.lines_removed), (1, 1));

    let summary = CodeSummary::between(&old_files, &old_files.clone());
    assert!(summary.is_empty());
    assert!(render_markdown(&Report::default(), Some(&summary)).contains("No change in the generated code.\n"));
}

/// A synthetic report far over a comment's size: 30,000 changes at every level, with long
/// operations, messages and locations.
fn big_report() -> Report {
    let kinds = [
        (ChangeKind::EndpointRemoved, Level::Breaking),
        (ChangeKind::EndpointDeprecated, Level::Warning),
        (ChangeKind::EndpointAdded, Level::Info),
    ];
    let mut changes = Vec::new();
    for i in 0..30_000 {
        let (kind, level) = kinds[i % 3];
        let resource = format!("r{}", i % 40);
        changes.push(generator::diff::Change {
            kind,
            level,
            operation: Some(format!("GET /accounts/{{account_id}}/{resource}/{i}/{}", "x".repeat(i % 500))),
            location: format!("/paths/~1accounts~1{{account_id}}~1{resource}~1{i}/get/{}", "y".repeat(i % 700)),
            message: format!("change {i}: {}", "word ".repeat(i % 400)),
            acknowledged: None,
        });
    }
    changes.sort_by(|a, b| (a.level, &a.operation).cmp(&(b.level, &b.operation)));
    Report { changes, ..Report::default() }
}

#[test]
fn a_big_report_fits_a_comment_with_the_most_important_rows_first() {
    let report = big_report();
    let full = render_markdown(&report, None);
    assert!(full.len() > 1_000_000, "the synthetic report is big: {} bytes", full.len());
    let (rows, left_out) = support::comment_rows(&full);
    assert_eq!((rows.len(), left_out), (report.changes.len(), 0), "the full report lists every row");

    let md = render_markdown_comment(&report, None, &CommentLimits { max_bytes: COMMENT_MAX_BYTES, full_report: Some("spec-diff.json") });
    assert!(md.len() <= COMMENT_MAX_BYTES, "{} bytes", md.len());
    let (rows, left_out) = support::comment_rows(&md);
    assert_eq!(rows.len() + left_out, report.changes.len(), "every change is listed or counted in the note");
    assert!(left_out > 0 && rows.len() > SHOWN_ROWS, "{} rows, {left_out} left out", rows.len());
    // Breaking first: the rows listed are the first of the report, in its order.
    for ((heading, row), change) in rows.iter().zip(&report.changes) {
        assert!(heading.starts_with("Breaking changes"), "{heading}: {row}");
        let id = change.message.split(':').next().unwrap();
        assert!(row.contains(&format!("| {id}:")), "{row} is not {id}");
    }
    // The first SHOWN_ROWS rows before the fold, the rest inside it.
    let fold = md.find("<details>").expect("a fold");
    assert_eq!(md[..fold].lines().filter(|l| l.starts_with("| `GET")).count(), SHOWN_ROWS);
    assert!(md[fold..].contains("</details>"));
    assert!(md.contains(&format!("> **{left_out} of 30000 changes not listed**")), "{}", &md[md.len() - 400..]);
    assert!(md.contains("The full report: `spec-diff.json`."));
    // Counts by change and by resource come before the rows.
    let by_change = md.find("**By change:**").expect("counts by change");
    assert!(by_change < fold && md.contains("- `endpoint-removed` (breaking): 10000\n"), "{}", &md[..2000]);
    assert!(md.contains("**By resource** (40 in all, the 20 with most breaking changes):"), "{}", &md[..3000]);

    // Without a file named, the note says how to get one.
    let md = render_markdown_comment(&report, None, &CommentLimits { max_bytes: COMMENT_MAX_BYTES, full_report: None });
    assert!(md.contains("Run `cargo xtask spec-diff --out-full FILE` for the full report."));

    // A small report is listed whole, with no counts and no note.
    let small = Report { changes: report.changes[..3].to_vec(), ..Report::default() };
    let md = render_markdown_comment(&small, None, &CommentLimits { max_bytes: COMMENT_MAX_BYTES, full_report: None });
    assert_eq!(support::comment_rows(&md).0.len(), 3);
    assert!(!md.contains("<details>") && !md.contains("**By change:**") && !md.contains("not listed"), "{md}");
}

#[test]
fn github_annotations_stop_at_fifty_with_the_most_important() {
    let report = big_report();
    let new = generator::load_bytes("new.yaml", b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap();
    let out = render_github(&report, &new, &new);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), MAX_ANNOTATIONS);
    assert!(lines[..MAX_ANNOTATIONS - 1].iter().all(|l| l.starts_with("::error ")), "{out}");
    assert!(lines[MAX_ANNOTATIONS - 1].starts_with("::notice title=more API changes::29951 more changes (9951 breaking, 10000 warnings, 10000 info) are not annotated"), "{}", lines[MAX_ANNOTATIONS - 1]);
    // Fifty or fewer: one each, no notice.
    let fifty = Report { changes: report.changes[..MAX_ANNOTATIONS].to_vec(), ..Report::default() };
    let out = render_github(&fifty, &new, &new);
    assert_eq!(out.lines().count(), MAX_ANNOTATIONS);
    assert!(!out.contains("::notice"));
}

/// The README's table of change ids, levels and meanings, written from [`ChangeKind`].
fn change_kind_table() -> String {
    let mut table = String::from("| Id | Level | Meaning |\n| --- | --- | --- |\n");
    for kind in ChangeKind::ALL {
        let levels: Vec<&str> = kind.levels().iter().map(|l| l.as_str()).collect();
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            kind.id(),
            levels.join(" or "),
            kind.description()
        ));
    }
    table
}

#[test]
fn readme_lists_every_change_kind_with_its_levels() {
    const START: &str = "<!-- change kinds: start -->\n";
    const END: &str = "<!-- change kinds: end -->";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = fs::read_to_string(&path).expect("README.md");
    let start = readme
        .find(START)
        .expect("README marks the change kinds table")
        + START.len();
    let end = start
        + readme[start..]
            .find(END)
            .expect("README ends the change kinds table");
    let want = change_kind_table();
    if readme[start..end] == want {
        return;
    }
    if std::env::var_os("BLESS").is_some() {
        fs::write(
            &path,
            format!("{}{want}{}", &readme[..start], &readme[end..]),
        )
        .expect("write README.md");
        return;
    }
    panic!(
        "README.md's change kinds table differs from `ChangeKind`; run \
         `BLESS=1 cargo test -p openapi-rustgen --test diff_fixtures` to rewrite it:\n{want}"
    );
}

/// The one change of `case` with this id.
fn change_of(case: &str, id: &str) -> generator::diff::Change {
    let dir = fixtures().join(case);
    let report = diff_documents(&load(&dir, "old.yaml"), &load(&dir, "new.yaml"));
    let mut found: Vec<_> = report.changes.into_iter().filter(|c| c.kind.id() == id).collect();
    assert_eq!(found.len(), 1, "{case}: {found:#?}");
    found.remove(0)
}

#[test]
fn rust_api_changes_are_messaged_with_rust_paths() {
    for (case, id, message) in [
        ("rust-component-renamed", "rust-type-renamed", "`models::Pet` is renamed `models::Animal`"),
        ("rust-tag-changed", "rust-resource-removed", "accessor `client.pets()` (returning `Pets`) is removed"),
        ("rust-tag-changed", "rust-method-moved", "`Pets::list()` is now `Animals::list_pets()`"),
        (
            "rust-first-optional-parameter",
            "rust-method-signature-changed",
            "`Health::retrieve()`: `fn retrieve(&self) -> Request<'c, models::HealthRetrieveResponse>` → `fn retrieve(&self) -> Request<'c, models::HealthRetrieveResponse, AsJson, models::HealthRetrieveParams>`",
        ),
        (
            "request-property-became-nullable-optional",
            "rust-field-type-changed",
            "`Option<String>` → `Option<Option<String>>`",
        ),
        ("response-enum-value-added", "rust-variant-added", "is `#[non_exhaustive]`, so every `match` on it already has a `_` arm"),
        ("rust-error-variant-changed", "rust-variant-changed", "`models::JobRetrieveError::NotFound`: payload `models::NotFound` → `models::Gone`"),
        ("rust-field-added-without-default", "rust-field-added", "`models::Job` has no `Default`"),
        ("rust-field-added-response-only", "rust-field-added", "`models::Job` is `#[non_exhaustive]`, built only by the crate"),
        ("rust-struct-became-non-exhaustive", "rust-type-changed", "`models::Job` is now `#[non_exhaustive]`"),
    ] {
        let c = change_of(case, id);
        assert!(c.message.contains(message), "{case}: {}", c.message);
    }
}

#[test]
fn request_body_became_optional_generates_the_same_code() {
    let dir = fixtures().join("request-body-became-optional");
    let generate = |side: &str| {
        let doc = load(&dir, side);
        let config = generator::Config::default();
        generator::generate(&generator::Input {
            doc: &doc,
            config: &config,
            default_crate_name: "case",
            command: "test",
            inputs_label: "case",
            standalone: true,
            module: None,
        })
        .unwrap_or_else(|e| panic!("{e}"))
        .files
    };
    let (old, new) = (generate("old.yaml"), generate("new.yaml"));
    assert!(old.len() > 5);
    assert!(old == new, "the generated crates differ");
    let c = change_of("request-body-became-optional", "request-body-became-optional");
    assert_eq!(c.level, Level::Info);
}

#[test]
fn the_report_states_the_version_bump() {
    use generator::diff::Bump;
    for (case, bump, to) in [
        ("rust-component-renamed", Bump::Major, "0.2.0"),
        ("endpoint-added", Bump::Minor, "0.1.1"),
        ("no-change-descriptions-and-examples", Bump::Patch, "0.1.1"),
        ("request-body-became-optional", Bump::Patch, "0.1.1"),
    ] {
        let dir = fixtures().join(case);
        let report = diff_documents(&load(&dir, "old.yaml"), &load(&dir, "new.yaml"));
        let s = report.semver.unwrap_or_else(|| panic!("{case}: no semver"));
        assert_eq!((s.needed, s.from.as_str(), s.to.as_str()), (bump, "0.1.0", to), "{case}: {}", s.reason);
    }
    // Past 1.0, semver's own rule.
    let dir = fixtures().join("rust-component-renamed");
    let config = generator::Config::parse("codegen.yaml", "crate:\n  version: 1.4.2\n").unwrap();
    let report = generator::diff::diff_documents_with(&load(&dir, "old.yaml"), &load(&dir, "new.yaml"), &config);
    assert_eq!(report.semver.map(|s| s.to), Some("2.0.0".into()));
}

/// With `formats:` mapping `date-time`, a string gaining that format changes its Rust type:
/// the wire change is breaking and the Rust-API diff names the field and both types. Without
/// the mapping the same edit only changes the format (a warning) and no Rust item.
#[test]
fn a_format_mapping_makes_a_format_change_a_rust_type_change() {
    let doc = |format: &str| {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /events:\n    get:\n      operationId: listEvents\n      tags: [events]\n      parameters:\n        - {{name: since, in: query, schema: {{type: string{format}}}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Event'}}\ncomponents:\n  schemas:\n    Event:\n      type: object\n      required: [at]\n      properties:\n        at: {{type: string{format}}}\n"
        );
        generator::load_bytes("openapi.yaml", text.as_bytes()).unwrap()
    };
    let (old, new) = (doc(""), doc(", format: date-time"));
    let plain = generator::diff::diff_documents(&old, &new);
    let mut kinds: Vec<String> = plain.changes.iter().map(|c| format!("{} {}", c.kind, c.level)).collect();
    kinds.sort();
    assert_eq!(kinds, ["request-parameter-type-changed warning", "response-property-type-changed warning"], "{:#?}", plain.changes);

    let config = generator::Config::parse("codegen.yaml", "formats: {date-time: jiff}\n").unwrap();
    let typed = generator::diff::diff_documents_with(&old, &new, &config);
    let mut kinds: Vec<String> = typed.changes.iter().map(|c| format!("{} {}", c.kind, c.level)).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["request-parameter-type-changed breaking", "response-property-type-changed breaking", "rust-field-type-changed breaking", "rust-field-type-changed breaking"],
        "{:#?}",
        typed.changes
    );
    let response = typed.changes.iter().find(|c| c.kind.to_string() == "response-property-type-changed").unwrap();
    assert!(response.message.contains("String") && response.message.contains("jiff::Timestamp"), "{}", response.message);
    let fields: Vec<&str> = typed.changes.iter().filter(|c| c.kind.to_string() == "rust-field-type-changed").map(|c| c.message.as_str()).collect();
    assert!(fields.contains(&"`models::Event::at`: `String` → `::jiff::Timestamp`"), "{fields:?}");
    assert!(fields.contains(&"`models::EventListParams::since`: `Option<String>` → `Option<::jiff::Timestamp>`"), "{fields:?}");
    assert_eq!(typed.semver.map(|s| s.needed), Some(generator::diff::Bump::Major));
}

#[test]
fn rust_api_changes_point_into_a_document() {
    let mut unplaced = Vec::new();
    let mut placed = 0;
    for (case, dir) in cases() {
        let (old, new) = (load(&dir, "old.yaml"), load(&dir, "new.yaml"));
        for c in diff_documents(&old, &new).changes.iter().filter(|c| c.kind.id().starts_with("rust-") && c.kind != ChangeKind::RustApiNotCompared) {
            let found = generator::internal::get(&new.raw, &c.location).or_else(|| generator::internal::get(&old.raw, &c.location));
            if c.location.is_empty() || found.is_none() {
                unplaced.push(format!("{case}: {} {} at {:?}", c.kind, c.message, c.location));
            } else {
                placed += 1;
            }
        }
    }
    assert!(placed > 30, "{placed}");
    assert!(unplaced.is_empty(), "{}", unplaced.join("\n"));
}
