//! Embeds `templates/` (inside the package, so `cargo package` ships it) into the generator,
//! so the library and binary are self-contained and a template edit rebuilds them.

use std::path::Path;

fn main() {
    // Read at run time: a build script compiled once may run for a package in another place.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("templates");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(&dir, &dir, &mut files);
    files.sort();
    // A generator without its templates would produce crates missing their runtime; a
    // package built without them must fail here, not later in a user's output.
    for needed in ["Cargo.toml.j2", "README.md.j2", "lib.rs.j2", "runtime/client.rs"] {
        if !files.iter().any(|f| f == needed) {
            panic!(
                "templates/{needed} is missing from {}: the generator cannot be built without its templates",
                dir.display()
            );
        }
    }
    let mut out = String::from("/// Every template file, by path relative to `templates/`, sorted.\npub static TEMPLATES: &[(&str, &str)] = &[\n");
    for rel in &files {
        let abs = dir.join(rel).canonicalize().expect("template path");
        println!("cargo:rerun-if-changed={}", abs.display());
        out.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", abs.display().to_string()));
    }
    out.push_str("];\n");
    let methods = methods_of(&dir.join("runtime"), "Client");
    names_static(&mut out, "/// Methods of the runtime's `Client` (inherent and trait impls, read from `templates/runtime/`):\n/// resource accessors must not take these names.", "CLIENT_METHODS", methods);
    let mut methods = methods_of(&dir.join("runtime"), "ClientBuilder");
    // Derived and trait methods a generated method would clash with too.
    methods.extend(["default", "fmt"].map(String::from));
    names_static(&mut out, "/// Methods of the runtime's `ClientBuilder`: the generated auth methods must not take these names.", "BUILDER_METHODS", methods);
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("templates.rs");
    std::fs::write(dest, out).expect("write templates.rs");
}

/// Appends `pub static NAME: &[&str]` holding `names`, sorted and deduplicated.
fn names_static(out: &mut String, doc: &str, name: &str, mut names: Vec<String>) {
    names.sort();
    names.dedup();
    out.push_str(&format!("{doc}\npub static {name}: &[&str] = &[\n"));
    for m in &names {
        out.push_str(&format!("    {m:?},\n"));
    }
    out.push_str("];\n");
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read templates folder {}: {e}", dir.display()));
    for e in entries {
        let p = e.unwrap_or_else(|e| panic!("cannot read templates folder {}: {e}", dir.display())).path();
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            collect(root, &p, out);
        } else {
            let rel = p.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
            out.push(rel);
        }
    }
}

/// Names of the functions in every `impl … {ty} {` block of the runtime files.
fn methods_of(runtime: &Path, ty: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(runtime) else { return out };
    for e in entries.flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let mut depth = 0usize;
        let mut in_client = false;
        for line in text.lines() {
            let t = line.trim();
            if depth == 0 && t.starts_with("impl") && t.ends_with('{') {
                let head = t.trim_end_matches('{').trim();
                in_client = head.ends_with(&format!(" {ty}")) || head.ends_with(&format!("::{ty}"));
            }
            if in_client && depth == 1 {
                let rest = t.trim_start_matches("pub(crate) ").trim_start_matches("pub ").trim_start_matches("async ");
                if let Some(f) = rest.strip_prefix("fn ") {
                    let name: String = f.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    out.push(name);
                }
            }
            depth += line.matches('{').count();
            depth = depth.saturating_sub(line.matches('}').count());
            if depth == 0 {
                in_client = false;
            }
        }
    }
    out
}
