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
