//! Runs the generator over every OpenAPI document in `../shared/upstream/` (or `UPSTREAM_DIR`)
//! and its subfolders: each must generate without error, with at least one operation; every
//! file must be non-empty, use LF line endings and open with the generator's marker (the
//! writer's test of ownership), and every diagnostic must carry a JSON pointer. The `.rs` files
//! were parsed by the formatter on the way. Compiling the two whole-Cloudflare crates takes
//! minutes, so that is `cargo xtask bench --only none --check-output` (see BENCHMARKS.md), not
//! part of this test; the users excerpts are compiled by `upstream_compile.rs`.
//!
//! A missing folder is a skip that shows, and a failure on CI (see `support/skip.rs`).

mod support;

use std::path::{Path, PathBuf};

fn documents(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            documents(&p, out);
        } else if let Some(ext) = p.extension().and_then(|e| e.to_str()) {
            if matches!(ext, "json" | "yaml" | "yml") {
                out.push(p);
            }
        }
    }
}

#[test]
fn every_upstream_document_generates() {
    let Some(dir) = support::skip::upstream_or_skip() else { return };
    let mut docs = Vec::new();
    documents(&dir, &mut docs);
    if docs.is_empty() {
        support::skip::skip(&format!("no OpenAPI documents under {}", dir.display()));
        return;
    }
    for path in docs {
        let started = std::time::Instant::now();
        let doc = generator::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
        let config = generator::Config::default();
        let input = generator::Input {
            doc: &doc,
            config: &config,
            default_crate_name: "upstream-client",
            command: "cargo test -p openapi-rustgen --test upstream",
            inputs_label: "an upstream document",
            standalone: true,
            module: None,
        };
        let generated = generator::generate(&input).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(generated.files.contains_key("Cargo.toml"));
        assert!(generated.files.contains_key("src/models.rs"));
        assert!(generated.files.contains_key("src/lib.rs"));
        for (name, text) in &generated.files {
            assert!(!text.is_empty(), "{}: {name} is empty", path.display());
            assert!(!text.contains('\r'), "{}: {name} has CR line endings", path.display());
            let head: String = text.lines().take(3).collect::<Vec<_>>().join("\n");
            assert!(head.contains(generator::MARKER), "{}: {name} does not open with the marker:\n{head}", path.display());
        }
        let ops = generated
            .files
            .iter()
            .filter(|(n, _)| n.starts_with("src/resources"))
            .map(|(_, t)| t.matches("crate::Request::new(").count())
            .sum::<usize>();
        assert!(ops > 0, "{}: no operation was generated", path.display());
        for d in &generated.diagnostics {
            assert!(d.pointer.starts_with('/'), "{}: diagnostic without a pointer: {d}", path.display());
        }
        println!(
            "{}: {} files, {ops} operations, {} diagnostics, {:.1?}",
            path.strip_prefix(&dir).unwrap_or(&path).display(),
            generated.files.len(),
            generated.diagnostics.len(),
            started.elapsed()
        );
    }
}

/// The README's promise for dropping in the upstream document: with `spec/codegen.yaml`, every
/// method keeps its name and signature and every model the upstream excerpt defines keeps its
/// name. What goes is exactly the SCIM user model our document adds for the reference's
/// `AccessUser` (upstream's excerpt has no such schema), with a warning naming it.
#[test]
fn the_upstream_excerpt_with_our_config_keeps_the_rust_api() {
    let Some(dir) = support::skip::upstream_or_skip() else { return };
    let excerpt = dir.join("cloudflare-access-users.openapi.yaml");
    if !excerpt.is_file() {
        support::skip::skip(&format!("{} is absent", excerpt.display()));
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config_text = std::fs::read_to_string(root.join("spec/codegen.yaml")).unwrap();
    let generate = |spec: &Path| {
        let doc = generator::load_bytes(&spec.display().to_string(), &std::fs::read(spec).unwrap()).unwrap();
        let config = generator::Config::parse("spec/codegen.yaml", &config_text).unwrap();
        generator::generate(&support::project_input(&doc, &config)).unwrap()
    };
    let ours = generate(&root.join("spec/openapi.yaml"));
    let upstream = generate(&excerpt);
    // Each method's whole signature (prettyplease spreads it over lines): `pub fn` up to `{`.
    let methods = |g: &generator::Generated| -> Vec<String> {
        let mut out = Vec::new();
        for (p, t) in g.files.iter().filter(|(p, _)| p.starts_with("src/resources")) {
            let code: String = t.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join(" ");
            for (i, _) in code.match_indices("pub fn ") {
                let sig = &code[i..i + code[i..].find('{').unwrap_or(code.len() - i)];
                out.push(format!("{p}: {}", sig.split_whitespace().collect::<Vec<_>>().join(" ")));
            }
        }
        out
    };
    // Each model's name with its fields, their types and attributes (docs left out).
    let models = |g: &generator::Generated| -> std::collections::BTreeMap<String, String> {
        let code: Vec<&str> = g.files["src/models.rs"].lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        let mut out = std::collections::BTreeMap::new();
        for (i, line) in code.iter().enumerate() {
            let Some(rest) = line.strip_prefix("pub struct ").or_else(|| line.strip_prefix("pub enum ")) else { continue };
            let name = rest.split([' ', '{', '(', '<', ';']).next().unwrap().to_string();
            // Field order is not part of the API (the upstream excerpt orders some differently).
            let mut body: Vec<String> = Vec::new();
            let mut attrs = String::new();
            for l in code[i + 1..].iter().take_while(|l| **l != "}").map(|l| l.trim()) {
                if l.starts_with("#[") {
                    attrs.push_str(l);
                } else {
                    body.push(format!("{l} {attrs}"));
                    attrs.clear();
                }
            }
            body.sort();
            out.insert(name, format!("{line}\n{}", body.join("\n")));
        }
        out
    };
    assert_eq!(methods(&ours), methods(&upstream), "a method changed with the upstream excerpt");
    assert!(methods(&ours).len() >= 9, "{:?}", methods(&ours));
    let (ours_models, upstream_models) = (models(&ours), models(&upstream));
    let gone: Vec<&String> = ours_models.keys().filter(|k| !upstream_models.contains_key(*k)).collect();
    assert_eq!(gone, ["AccessUser", "AccessUserEmail", "AccessUserMeta"]);
    let added: Vec<&String> = upstream_models.keys().filter(|k| !ours_models.contains_key(*k)).collect();
    assert!(added.is_empty(), "models only upstream has: {added:?}");
    for (name, body) in &upstream_models {
        assert_eq!(&ours_models[name], body, "model {name} changed with the upstream excerpt");
    }
    assert!(
        upstream.diagnostics.iter().any(|d| d.to_string().contains("access_scim_user")),
        "no warning names the missing extra schema"
    );
}
