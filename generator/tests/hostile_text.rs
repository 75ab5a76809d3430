//! Text from a spec or its configuration must never become code, manifest entries or doctests
//! in the generated crate.
//!
//! Each hostile document under `tests/hostile/text-*` carries payloads that, if they ever ran,
//! would write a marker file (`@MARKER@` is replaced by a fresh folder) or pull in a crate whose
//! build script does (`@EVIL@`). Cheap checks read the generated text: the manifest as cargo
//! parses it, `lib.rs` and every Rust file as syn parses them. Then every crate that generated
//! is compiled in one workspace under `target/hostile-text/` (built in the workspace's
//! `target/`, dependencies shared with it and the feature fixtures): `cargo check` and `cargo test --doc` must
//! pass, and the marker folder must stay empty.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use quote::ToTokens as _;

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// A scratch folder for one test: the marker folder, the evil crate and the specs.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("marker")).unwrap();
        // A crate whose build script writes the marker: reachable only through an injected
        // manifest entry.
        let evil = dir.path().join("evil");
        std::fs::create_dir_all(evil.join("src")).unwrap();
        std::fs::write(evil.join("Cargo.toml"), "[package]\nname = \"evil\"\nversion = \"0.1.0\"\nedition = \"2021\"\n").unwrap();
        std::fs::write(evil.join("src/lib.rs"), "").unwrap();
        std::fs::write(
            evil.join("build.rs"),
            format!("fn main() {{ std::fs::write({:?}, \"\").unwrap(); }}\n", dir.path().join("marker/build-rs").display().to_string()),
        )
        .unwrap();
        Scratch { dir }
    }

    fn marker(&self) -> PathBuf {
        self.dir.path().join("marker")
    }

    /// Markers written so far.
    fn markers(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.marker())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Copies a hostile file into the scratch folder with its placeholders filled in.
    fn place(&self, name: &str) -> PathBuf {
        let text = std::fs::read_to_string(hostile_dir().join(name)).unwrap();
        let text = text
            .replace("@MARKER@", &self.marker().display().to_string())
            .replace("@EVIL@", &self.dir.path().join("evil").display().to_string());
        let to = self.dir.path().join(name);
        std::fs::write(&to, text).unwrap();
        to
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }
}

fn run(spec: &Path, out: &Path, extra: &[&str]) -> support::Outcome {
    let o = support::generate(spec, out, extra, Duration::from_secs(60));
    o.assert_bounded(&spec.display().to_string(), 60.0, 2048);
    o
}

/// The package as cargo reads the manifest (`cargo metadata`, no dependency resolution).
fn cargo_package(crate_dir: &Path) -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo cannot read the generated manifest:\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap_or_default()
    );
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = v["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 1, "one package");
    packages[0].clone()
}

const DEPENDENCIES: &[&str] = &[
    "axum", "bytes", "fastrand", "futures-core", "httpdate", "percent-encoding", "reqwest", "serde", "serde_json",
    "serde_path_to_error", "tokio", "tracing", "tracing-subscriber",
];

/// The manifest parses, names exactly the runtime's dependencies (nothing conditional, no build
/// script) and carries `description` as given.
fn check_manifest(crate_dir: &Path, description: Option<&str>, license: Option<&str>) {
    let p = cargo_package(crate_dir);
    let deps: BTreeSet<String> = p["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert!(d["target"].is_null(), "a target-specific dependency: {d}");
            d["name"].as_str().unwrap().to_string()
        })
        .collect();
    let want: BTreeSet<String> = DEPENDENCIES.iter().map(|s| s.to_string()).collect();
    assert_eq!(deps, want, "dependencies of the generated crate");
    let kinds: Vec<String> = p["targets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["kind"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()))
        .collect();
    assert!(!kinds.iter().any(|k| k == "custom-build"), "a build script: {kinds:?}");
    if let Some(d) = description {
        assert_eq!(p["description"].as_str(), Some(d), "description as cargo reads it");
    }
    if let Some(l) = license {
        assert_eq!(p["license"].as_str(), Some(l), "license as cargo reads it");
    }
}

/// Every identifier in a Rust file, outside comments and literals.
fn idents(text: &str) -> Vec<String> {
    fn walk(ts: proc_macro2::TokenStream, out: &mut Vec<String>) {
        for t in ts {
            match t {
                proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    let file = syn::parse_file(text).unwrap_or_else(|e| panic!("not valid Rust ({e}):\n{}", support::tail(text)));
    let mut out = Vec::new();
    walk(file.into_token_stream(), &mut out);
    out
}

/// Every Rust file parses, opens with the two-line header and holds no injected identifier;
/// `lib.rs` has exactly the items the template writes (`DEFAULT_BASE_URL` only when the crate
/// has a default base URL), and its base URL is `base_url` when that is given.
fn check_rust(files: &BTreeMap<String, String>, base_url: Option<&str>) {
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        let mut lines = text.lines();
        let (a, b, c) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""), lines.next().unwrap_or(""));
        assert!(
            a.starts_with("// @generated by openapi-rustgen from ") && b.starts_with("// Regenerate with `") && !c.starts_with("//") ,
            "{path}: the header is not two comment lines:\n{a}\n{b}\n{c}"
        );
        let injected: Vec<String> = idents(text).into_iter().filter(|i| i.starts_with("injected")).collect();
        assert!(injected.is_empty(), "{path}: injected items {injected:?}");
    }
    let lib = syn::parse_file(&files["src/lib.rs"]).unwrap();
    let mut consts = BTreeMap::new();
    for item in &lib.items {
        match item {
            syn::Item::Mod(_) | syn::Item::Use(_) => {}
            syn::Item::Const(c) => {
                let value = match &*c.expr {
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => s.value(),
                    _ => String::new(),
                };
                consts.insert(c.ident.to_string(), value);
            }
            syn::Item::Struct(s) if s.ident == "ReadmeDoctests" => {}
            other => panic!("lib.rs: unexpected item {}", other.to_token_stream()),
        }
    }
    let names: Vec<&str> = consts.keys().map(String::as_str).filter(|n| *n != "DEFAULT_BASE_URL").collect();
    assert_eq!(names, ["API_NAME", "DOCUMENT_BASE_URL", "ENV_BASE_URL", "IDEMPOTENCY_HEADER", "REQUEST_ID_HEADERS", "USER_AGENT"]);
    if let Some(url) = base_url {
        assert_eq!(consts.get("DEFAULT_BASE_URL").map(String::as_str), Some(url));
    }
}

fn fail(o: &support::Outcome) -> String {
    format!("exit {:?}\nstdout:\n{}\nstderr:\n{}", o.code, o.stdout, support::tail(&o.stderr))
}

/// Generates a hostile spec that must be accepted; returns the files.
fn accepted(s: &Scratch, spec: &str, extra: &[&str]) -> (PathBuf, BTreeMap<String, String>) {
    let spec_path = s.place(spec);
    let out = s.out(spec.trim_end_matches(".json"));
    let o = run(&spec_path, &out, extra);
    assert_eq!(o.code, Some(0), "{spec}: {}", fail(&o));
    let files = support::read_tree(&out);
    (out, files)
}

#[test]
fn title_cannot_add_manifest_entries() {
    let s = Scratch::new();
    let (out, files) = accepted(&s, "text-toml.json", &[]);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(s.place("text-toml.json")).unwrap()).unwrap();
    let title = doc["info"]["title"].as_str().unwrap();
    // One line: cargo passes the description to rustc in an environment variable, where a NUL
    // would stop every compile of the crate.
    let one_line = title.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    assert!(title.contains('\0') && title.contains('\n'), "the title carries a NUL and line breaks");
    check_manifest(&out, Some(&format!("Async Rust client for {one_line}")), None);
    check_rust(&files, None);
}

#[test]
fn server_url_and_version_cannot_add_items() {
    let s = Scratch::new();
    let (out, files) = accepted(&s, "text-librs.json", &[]);
    check_manifest(&out, None, None);
    // `{}` reads as a server variable the document does not define: the URL makes no default
    // base URL, and reaches the code only as the literal of `SERVERS`.
    check_rust(&files, None);
    assert!(!files["src/lib.rs"].contains("DEFAULT_BASE_URL"), "{}", files["src/lib.rs"]);
    let literals = string_literals(&files["src/servers.rs"]);
    assert!(literals.contains("http://x/\"; pub fn injected_server() {} const _: &str = \""), "{literals:?}");
}

/// The value of every string literal in a Rust file.
fn string_literals(text: &str) -> BTreeSet<String> {
    fn walk(ts: proc_macro2::TokenStream, out: &mut BTreeSet<String>) {
        for t in ts {
            match t {
                proc_macro2::TokenTree::Literal(l) => {
                    if let Ok(s) = syn::parse_str::<syn::LitStr>(&l.to_string()) {
                        out.insert(s.value());
                    }
                }
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    let file = syn::parse_file(text).unwrap_or_else(|e| panic!("not valid Rust ({e})"));
    let mut out = BTreeSet::new();
    walk(file.into_token_stream(), &mut out);
    out
}

/// Server URLs, descriptions, variable names, defaults and `enum` values (the document's
/// servers, a path item's and an operation's) reach the code only as string literals holding
/// them as written, and doc text: no file calls `evil()`, the default base URL is the template
/// with its defaults, and a variable the URL does not define is a located warning. (Compiled,
/// doctests and the README's example included, by `hostile_crates_compile_and_run_nothing`.)
#[test]
fn server_strings_cannot_add_code() {
    let s = Scratch::new();
    let spec = s.place("text-servers.json");
    let (_, files) = accepted(&s, "text-servers.json", &[]);
    assert_no_evil_call(&files);
    check_rust(&files, Some("https://eu.example.com/x\"); evil(); (\""));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    let literals = string_literals(&files["src/servers.rs"]);
    let lists = [&doc["servers"], &doc["paths"]["/a"]["servers"], &doc["paths"]["/b"]["get"]["servers"]];
    let mut expected = Vec::new();
    for server in lists.iter().flat_map(|l| l.as_array().unwrap()) {
        expected.push(server["url"].as_str().unwrap().to_string());
        expected.extend(server["description"].as_str().map(str::to_string));
        for (name, var) in server["variables"].as_object().into_iter().flatten() {
            expected.push(name.clone());
            expected.extend(var["default"].as_str().map(str::to_string));
            expected.extend(var["enum"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)));
            expected.extend(var["description"].as_str().map(str::to_string));
        }
    }
    assert!(expected.len() >= 15, "{expected:?}");
    for want in &expected {
        assert!(literals.contains(want), "{want:?} is not a literal of servers.rs:\n{}", files["src/servers.rs"]);
    }
    let o = run(&spec, &s.out("again"), &[]);
    let line = o.stderr.lines().find(|l| l.starts_with("warning[server-variable-undefined]")).unwrap_or_else(|| panic!("{}", o.stderr));
    assert!(line.contains("(at /servers/2/url, line "), "located: {line}");
}

/// SDK hints: a deprecation message (`x-stainless-deprecation-message`) holding quotes, line
/// breaks, `*/`, fences, bidi controls and a NUL stays one `#[deprecated(note = "…")]` literal
/// on the operation, the parameter and the field; names from `x-stainless-param` and
/// `x-stainless-naming` become identifiers through the naming rules, never raw; an operation
/// `x-fern-ignore` marks is left out with an info diagnostic. (Compiled, doctests run, by
/// `hostile_crates_compile_and_run_nothing`.)
#[test]
fn hint_strings_cannot_add_code() {
    let s = Scratch::new();
    let spec = s.place("text-hints.json");
    let (_, files) = accepted(&s, "text-hints.json", &[]);
    assert_no_evil_call(&files);
    check_rust(&files, None);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    let op = &doc["paths"]["/things"]["get"];
    let notes = [
        (op["x-stainless-deprecation-message"].as_str().unwrap(), "src/resources/things.rs"),
        (op["parameters"][0]["x-stainless-deprecation-message"].as_str().unwrap(), "src/models.rs"),
        (doc["components"]["schemas"]["Thing"]["properties"]["a"]["x-stainless-deprecation-message"].as_str().unwrap(), "src/models.rs"),
    ];
    for (note, file) in notes {
        let file_ast = syn::parse_file(&files[file]).unwrap();
        let mut found = Vec::new();
        deprecated_notes(file_ast.to_token_stream(), &mut found);
        assert!(found.iter().any(|n| n == note.trim()), "{file}: no #[deprecated] note reads {note:?}; found {found:?}");
    }
    let models = &files["src/models.rs"];
    for field in ["pub self_evil_fn_r:", "pub type_:", "pub r_evil_fn:"] {
        assert!(models.contains(field), "{field} is not a field:\n{models}");
    }
    assert!(!files["src/resources/things.rs"].contains("pub fn create"), "the ignored operation is not generated");
    let o = run(&spec, &s.out("again"), &[]);
    assert!(o.stderr.contains("info[sdk-hint-skip]: `x-fern-ignore: true`"), "{}", o.stderr);
}

/// The `note = "…"` values of every `#[deprecated(…)]` in a token stream.
fn deprecated_notes(ts: proc_macro2::TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<proc_macro2::TokenTree> = ts.into_iter().collect();
    for (i, t) in tokens.iter().enumerate() {
        if let proc_macro2::TokenTree::Group(g) = t {
            let inner: Vec<proc_macro2::TokenTree> = g.stream().into_iter().collect();
            if matches!(inner.first(), Some(proc_macro2::TokenTree::Ident(id)) if id == "deprecated") && i > 0 {
                if let Some(proc_macro2::TokenTree::Group(args)) = inner.get(1) {
                    let args: Vec<proc_macro2::TokenTree> = args.stream().into_iter().collect();
                    if let [proc_macro2::TokenTree::Ident(k), _, proc_macro2::TokenTree::Literal(l)] = args.as_slice() {
                        if k == "note" {
                            if let Ok(syn::Lit::Str(s)) = syn::parse_str::<syn::Lit>(&l.to_string()) {
                                out.push(s.value());
                            }
                        }
                    }
                }
            }
            deprecated_notes(g.stream(), out);
        }
    }
}

/// A Swagger 2.0 document's `host` and `basePath` (which become its servers), an operation's
/// own `schemes`, security definitions, form parameter, definition and discriminator names
/// holding `"); evil(); ("` and fenced code reach the code only as string literals, identifiers
/// and doc text. (Compiled, doctests run, by `hostile_crates_compile_and_run_nothing`.)
#[test]
fn swagger_2_strings_cannot_add_code() {
    let s = Scratch::new();
    let spec = s.place("text-swagger2.json");
    let (_, files) = accepted(&s, "text-swagger2.json", &[]);
    assert_no_evil_call(&files);
    check_rust(&files, None);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    let (host, base) = (doc["host"].as_str().unwrap(), doc["basePath"].as_str().unwrap());
    let literals = string_literals(&files["src/servers.rs"]);
    for scheme in ["https", "http"] {
        let want = format!("{scheme}://{host}{base}");
        assert!(literals.contains(&want), "{want:?} is not a literal of servers.rs:\n{}", files["src/servers.rs"]);
    }
    let auth = &files["src/auth.rs"];
    assert!(auth.contains("Placement::Query(\"q\\\"); evil(); (\\\"&x=1\")"), "{auth}");
    // `collectionFormat: tsv` on the hostile query parameter: its name stays one string literal
    // and its values are joined by a tab.
    let resources: String = files.iter().filter(|(p, _)| p.starts_with("src/resources")).map(|(_, t)| t.as_str()).collect();
    assert!(resources.contains("\"t\\\"); evil(); (\\\"\",") && resources.contains(".join(\"\\t\")"), "{resources}");
    let o = run(&spec, &s.out("again"), &[]);
    assert!(!o.stderr.contains("collection-format-ignored"), "{}", o.stderr);
}

#[test]
fn config_strings_are_escaped() {
    let s = Scratch::new();
    let cfg = s.place("text-config.codegen.yaml");
    let (out, files) = accepted(&s, "text-config.json", &["--config", cfg.to_str().unwrap()]);
    let description = format!(
        "Desc \"quoted\" */ \"#\n\n```rust\nstd::fs::write(\"{}/config-description\", \"\").unwrap();\n```\n",
        s.marker().display()
    );
    check_manifest(&out, Some(&description), Some("MIT\" OR Apache-2.0 # \""));
    check_rust(&files, Some("http://b/\"; pub fn injected_base_url() {} const _: &str = \""));
}

#[test]
fn config_strings_that_cannot_be_represented_are_refused() {
    for (cfg, key) in [
        ("text-config-env-prefix.codegen.yaml", "crate.env_prefix"),
        ("text-config-name.codegen.yaml", "crate.name"),
        ("text-config-version.codegen.yaml", "crate.version"),
        ("text-config-license.codegen.yaml", "crate.license"),
        ("text-config-description.codegen.yaml", "crate.description"),
        ("text-config-type-name.codegen.yaml", "types.Thing"),
        ("text-config-reserved-type-name.codegen.yaml", "types.Thing"),
        ("text-config-std-type-name.codegen.yaml", "types.Thing"),
        ("text-config-method.codegen.yaml", "operations.list-things.method"),
    ] {
        let s = Scratch::new();
        let spec = s.place("text-config.json");
        let cfg_path = s.place(cfg);
        let out = s.out("refused");
        let o = run(&spec, &out, &["--config", cfg_path.to_str().unwrap()]);
        assert_eq!(o.code, Some(2), "{cfg}: {}", fail(&o));
        // Each file sets its one value on line 2.
        let place = format!("{cfg}:2: `{key}` is ");
        assert!(o.stderr.contains(&place), "{cfg}: the error names the file, the line and `{key}`:\n{}", o.stderr);
        assert!(!out.exists(), "{cfg}: nothing written");
    }
}

/// A carriage return in a configured description is a line break, not a refused control
/// character: `\r\n` and a lone `\r` reach the manifest as `\n`.
#[test]
fn description_carriage_returns_are_line_breaks() {
    let s = Scratch::new();
    let spec = s.place("text-config.json");
    let cfg = s.dir.path().join("crlf.codegen.yaml");
    std::fs::write(&cfg, "crate:\n  description: \"first line\\r\\nsecond\\rthird\"\n").unwrap();
    let out = s.out("crlf");
    let o = run(&spec, &out, &["--config", cfg.to_str().unwrap()]);
    assert_eq!(o.code, Some(0), "{}", fail(&o));
    assert_eq!(cargo_package(&out)["description"], "first line\nsecond\nthird");
}

/// Diagnostics and errors go to a terminal and to CI logs: names from the document reach them
/// escaped, so they cannot colour the log, forge a line or reorder what a reviewer reads.
#[test]
fn messages_cannot_forge_terminal_output() {
    let s = Scratch::new();
    let forged = "\u{1b}[2K\rwarning: all checks passed\u{7}\nerror[forged]: \u{202e}txt.exe";
    let doc = |reference: &str| {
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {forged: {"type": "string", "enum": [forged, "\n"]}, "r": {"$ref": reference}}
            }}}}}}}}
        })
    };
    // Accepted with diagnostics (an enum value no variant can carry), then refused with an
    // error quoting the reference.
    for (name, reference, code) in [("diags.json", "#/components/schemas/X".to_string(), 0), ("refused.json", format!("other.json#/{forged}"), 2)] {
        let mut doc = doc(&reference);
        doc["components"] = serde_json::json!({"schemas": {"X": {"type": "string"}}});
        let spec = s.dir.path().join(name);
        std::fs::write(&spec, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        let o = run(&spec, &s.out(name), &[]);
        assert_eq!(o.code, Some(code), "{name}: {}", fail(&o));
        assert!(o.stderr.contains("\\u{1b}[2K\\rwarning: all checks passed"), "{name}: the name is shown escaped:\n{}", o.stderr);
        let raw: Vec<char> = o.stderr.chars().filter(|&c| (c.is_control() && c != '\n') || c == '\u{202e}').collect();
        assert!(raw.is_empty(), "{name}: raw {raw:?} in:\n{}", o.stderr);
        assert!(!o.stderr.lines().any(|l| l.starts_with("error[forged]")), "{name}: a forged line:\n{}", o.stderr);
    }
}

/// A `$ref` is percent-decoded; a `%` before a character of more than one byte once sliced the
/// text inside that character and panicked.
#[test]
fn percent_before_a_wide_character_in_a_ref_is_a_located_error() {
    let s = Scratch::new();
    let doc = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/%\u{2028}x"}}}}}}}}
    });
    let spec = s.dir.path().join("percent.json");
    std::fs::write(&spec, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let o = run(&spec, &s.out("percent"), &[]);
    assert_eq!(o.code, Some(2), "{}", fail(&o));
    assert!(o.stderr.contains("percent.json:") && o.stderr.contains("points to nothing"), "{}", fail(&o));
}

/// The spec's path is printed in every file's header and in the README.
#[test]
fn spec_path_cannot_add_items() {
    let s = Scratch::new();
    let text = std::fs::read_to_string(hostile_dir().join("text-config.json")).unwrap();
    let dir = s.dir.path().join("q\"\n*/ pub fn injected_path() {} /*\n```rust\n-->\n");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("spec.json");
    std::fs::write(&spec, text).unwrap();
    let out = s.out("spec-path");
    let o = run(&spec, &out, &["--name", "spec-path"]);
    assert_eq!(o.code, Some(0), "{}", fail(&o));
    let files = support::read_tree(&out);
    check_manifest(&out, None, None);
    check_rust(&files, None);
    let toml_header: Vec<&str> = files["Cargo.toml"].lines().take(2).collect();
    assert!(toml_header.iter().all(|l| l.starts_with("# ")), "Cargo.toml header: {toml_header:?}");
    let readme = &files["README.md"];
    let comment_end = readme.find("-->").unwrap();
    assert!(readme[..comment_end].starts_with("<!--\n") && readme[..comment_end].lines().count() == 3, "README header:\n{}", &readme[..comment_end + 3]);
}

#[test]
fn long_tag_gets_a_short_stable_file_name() {
    let s = Scratch::new();
    let tag = "t".repeat(150) + &"very-long-tag-".repeat(11);
    let spec = s.dir.path().join("long-tag.json");
    let doc = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Long", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "get-a", "tags": [tag], "responses": {"204": {"description": "ok"}}}}}
    });
    std::fs::write(&spec, doc.to_string()).unwrap();
    let mut names = Vec::new();
    for round in 0..2 {
        let out = s.out(&format!("long-tag-{round}"));
        let o = run(&spec, &out, &[]);
        assert_eq!(o.code, Some(0), "{}", fail(&o));
        let files: Vec<String> = support::read_tree(&out).into_keys().collect();
        for f in &files {
            for part in f.split('/') {
                assert!(part.len() <= 64, "file name part of {} bytes: {part}", part.len());
            }
        }
        names.push(files);
    }
    assert_eq!(names[0], names[1], "stable names");
}

/// Security scheme names, header, query and cookie names holding quotes, line breaks and
/// `"); evil(); ("` reach the code only as escaped literals, identifiers and doc text: no file
/// calls `evil()`. Header and cookie names that are not HTTP tokens are refused with a located
/// diagnostic, and a scheme named like a builder method is renamed. (The crate is compiled, its
/// doctests run, by `hostile_crates_compile_and_run_nothing`.)
#[test]
fn security_names_cannot_add_code() {
    let s = Scratch::new();
    let (_, files) = accepted(&s, "text-security.json", &[]);
    assert_no_evil_call(&files);
    let auth = &files["src/auth.rs"];
    for expected in ["pub fn x_evil(", "pub fn build_auth(", "Placement::Header(\"X-Key\")", "Placement::Query(\"q\\\"); evil(); (\\\"&x=1\")"] {
        assert!(auth.contains(expected), "{expected} missing:\n{auth}");
    }
    assert!(!auth.contains("bad header") && !auth.contains("a=b"), "refused schemes are left out:\n{auth}");
    let o = run(&s.place("text-security.json"), &s.out("again"), &[]);
    for refused in ["warning[unsupported-security-scheme]: security scheme `bad header`", "warning[unsupported-security-scheme]: security scheme `bad cookie`"] {
        let line = o.stderr.lines().find(|l| l.starts_with(refused)).unwrap_or_else(|| panic!("{refused} missing:\n{}", o.stderr));
        assert!(line.contains(", line "), "located: {line}");
    }
    assert!(o.stderr.contains("warning[auth-name-clash]"), "{}", o.stderr);
}

/// True when the tokens call `evil()` anywhere.
fn calls_evil(ts: proc_macro2::TokenStream) -> bool {
    let tokens: Vec<proc_macro2::TokenTree> = ts.into_iter().collect();
    tokens.windows(2).any(|w| match (&w[0], &w[1]) {
        (proc_macro2::TokenTree::Ident(i), proc_macro2::TokenTree::Group(g)) => i == "evil" && g.stream().is_empty(),
        _ => false,
    }) || tokens.iter().any(|t| matches!(t, proc_macro2::TokenTree::Group(g) if calls_evil(g.stream())))
}

/// Every Rust file parses and none calls `evil()`.
fn assert_no_evil_call(files: &BTreeMap<String, String>) {
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{path}: not valid Rust ({e})"));
        assert!(!calls_evil(file.into_token_stream()), "{path} calls evil()");
    }
}

/// Multipart part names, `encoding` content types and media types reach the code only as
/// escaped string literals and doc text; a media type that is not one printable concrete type
/// is replaced by the kind's default rather than sent. (Compiled, doctests run, by
/// `hostile_crates_compile_and_run_nothing`.)
#[test]
fn content_names_cannot_add_code() {
    let s = Scratch::new();
    let (_, files) = accepted(&s, "text-content.json", &[]);
    assert_no_evil_call(&files);
    check_rust(&files, None);
    let a = &files["src/resources/a.rs"];
    for expected in [
        r#"form.file("p\"); evil(); (\"\n", v)"#,
        r#".content_type("application/x\"); evil(); (\"")"#,
        r#"req.upload(body, "application/octet-stream")"#,
    ] {
        assert!(a.contains(expected), "{expected} missing:\n{a}");
    }
    // A part content type with a line break is not sent.
    assert!(!a.contains("evil: 1"), "{a}");
}

/// Examples a contract test sends (quotes, `"#`, line breaks, bidi controls, code) reach
/// `tests/contract.rs` only as string literals holding them as written: in a path argument, a
/// query and a header parameter, a body string, a list, a map and untyped JSON. (Compiled, test
/// targets included, by `hostile_crates_compile_and_run_nothing`.)
#[test]
fn contract_examples_stay_literals() {
    let s = Scratch::new();
    let (_, files) = accepted(&s, "text-contract.json", &["--contract-tests"]);
    assert_no_evil_call(&files);
    let test = &files["tests/contract.rs"];
    let literals = string_literals(test);
    let evil = "\"); evil(); (\"";
    let raw = "\"#); evil(); (r#\"";
    let multi = "line one\nline two\"\r\n\t\\";
    let bidi = "abc\u{202e}\u{2066} evil() \u{2069}def";
    let json = serde_json::json!({"k": multi, evil: [raw]}).to_string();
    for expected in [evil, raw, multi, bidi, json.as_str()] {
        assert!(literals.contains(expected), "{expected:?} is not a literal of tests/contract.rs:\n{test}");
    }
    assert!(!test.contains('\u{202e}'), "bidi controls are escaped in the text:\n{test}");
}

/// Every hostile document that generates, compiled together: `cargo check` (which runs build
/// scripts) and `cargo test --doc` (which runs doctests, the README's included). Nothing may
/// write the marker, and every crate must build and pass its doctests.
#[test]
fn hostile_crates_compile_and_run_nothing() {
    let s = Scratch::new();
    let cfg = s.place("text-config.codegen.yaml");
    let cfg = cfg.to_str().unwrap().to_string();
    let mut crates: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    let mut failed = Vec::new();
    for (spec, extra) in [
        ("text-toml.json", vec![]),
        ("text-doctests.json", vec![]),
        ("text-librs.json", vec![]),
        ("text-names.json", vec![]),
        ("text-config.json", vec!["--config", cfg.as_str()]),
        ("text-security.json", vec![]),
        ("text-content.json", vec![]),
        ("text-servers.json", vec![]),
        ("text-swagger2.json", vec![]),
        ("text-hints.json", vec![]),
        ("text-contract.json", vec!["--contract-tests"]),
    ] {
        let name = format!("hostile-{}", spec.trim_start_matches("text-").trim_end_matches(".json"));
        let spec_path = s.place(spec);
        let out = s.out(&name);
        let mut args = extra.clone();
        args.extend(["--name", name.as_str()]);
        let o = run(&spec_path, &out, &args);
        if o.code != Some(0) {
            failed.push(format!("{spec}: {}", fail(&o)));
            continue;
        }
        // A manifest cargo cannot read would stop the whole workspace from loading.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let meta = Command::new(cargo)
            .args(["metadata", "--no-deps", "--format-version", "1", "--offline", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .output()
            .expect("run cargo metadata");
        if !meta.status.success() {
            failed.push(format!("{spec}: cargo cannot read the manifest: {}", String::from_utf8_lossy(&meta.stderr)));
            continue;
        }
        crates.push((name, support::read_tree(&out)));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ws = manifest.join("../target/hostile-text");
    let _ = std::fs::remove_dir_all(ws.join("crates"));
    std::fs::create_dir_all(&ws).unwrap();
    let mut members = Vec::new();
    for (name, files) in &crates {
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
        members.push(format!("\"crates/{name}\""));
    }
    std::fs::write(ws.join("Cargo.toml"), format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", "))).unwrap();
    support::pin_lock(&ws);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = support::shared_target();
    let mut report = Vec::new();
    for args in [
        vec!["check", "--workspace", "--tests", "--keep-going", "--message-format", "short"],
        vec!["test", "--doc", "--workspace", "--no-fail-fast"],
    ] {
        let output = Command::new(&cargo)
            .current_dir(&ws)
            .args(&args)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("RUSTDOCFLAGS")
            .output()
            .expect("run cargo");
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            let lines: Vec<&str> = stderr
                .lines()
                .chain(stdout.lines())
                .filter(|l| l.contains("error") || l.contains("FAILED") || l.contains("failed") || l.starts_with("---- "))
                .take(60)
                .collect();
            report.push(format!("`cargo {}` failed:\n{}", args.join(" "), lines.join("\n")));
        }
    }
    let markers = s.markers();
    assert!(
        markers.is_empty() && report.is_empty() && failed.is_empty(),
        "markers written: {markers:?}\n\ngeneration failures:\n{}\n\n{}",
        failed.join("\n"),
        report.join("\n\n")
    );
}

/// A description of four million lines: bounded time and memory, and linear in size.
#[test]
fn huge_description_is_bounded() {
    let s = Scratch::new();
    let spec = s.dir.path().join("huge.json");
    let description = "a line of prose\n".repeat(4_000_000);
    let doc = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Huge", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "get-a", "tags": ["a"], "description": description, "responses": {"204": {"description": "ok"}}}}}
    });
    std::fs::write(&spec, doc.to_string()).unwrap();
    drop(description);
    let out = s.out("huge");
    let o = support::generate(&spec, &out, &["--timings"], Duration::from_secs(120));
    // The 5 s bound is for the release binary (`cargo test --release`); an unoptimised build
    // spends most of the time parsing the 64 MB document, which is the loader's part.
    let secs = if cfg!(debug_assertions) { 60.0 } else { 5.0 };
    o.assert_bounded("4M-line description", secs, 1024);
    assert!(matches!(o.code, Some(0) | Some(2)), "{}", fail(&o));
    // Emitting and formatting the docs, this module's part, stays small even unoptimised.
    let line = o.stderr.lines().find(|l| l.starts_with("timings:")).expect("a timings line");
    let stage = |name: &str| -> f64 {
        let key = format!("{name}=");
        let v = line.split(' ').find_map(|kv| kv.strip_prefix(key.as_str())).expect("stage");
        v.parse().unwrap()
    };
    assert!(stage("emit") + stage("format") <= 2.0, "emit + format: {line}");
}
