//! Runs the generator over every OpenAPI document in `../shared/upstream/` (and its
//! subfolders): each must generate without error, and the output must parse as Rust (the
//! formatter already parsed it; here each file is checked to be non-empty and to have a header).
//! Compiling the two whole-Cloudflare crates takes minutes, so that is a documented manual step
//! (see the README), not part of this test.

use std::path::{Path, PathBuf};

fn upstream_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream")
}

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
    let dir = upstream_dir();
    if !dir.is_dir() {
        println!("SKIPPED: {} is absent", dir.display());
        return;
    }
    let mut docs = Vec::new();
    documents(&dir, &mut docs);
    if docs.is_empty() {
        println!("SKIPPED: no OpenAPI documents under {}", dir.display());
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
            extra_hash_input: b"",
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
