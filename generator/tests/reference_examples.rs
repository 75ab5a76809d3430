//! The users crate's README shows every call of Cloudflare's TypeScript SDK reference page for
//! this API in Rust (the README's examples compile as doctests of the crate): each
//! `client.zeroTrust…` method the page lists is named in a comment above its Rust call.

mod support;

use std::path::Path;

#[test]
fn the_readme_rewrites_every_call_of_the_reference_page() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let reference = root.join("../shared/reference/000_e3852d0c2af423d6.txt");
    let Ok(page) = std::fs::read_to_string(&reference) else {
        support::skip::skip(&format!("{} is absent (the TypeScript SDK reference)", reference.display()));
        return;
    };
    let readme = std::fs::read_to_string(root.join("generated/README.md")).unwrap();
    let calls: Vec<&str> = page
        .lines()
        .filter(|l| l.starts_with("client."))
        .filter_map(|l| l.split_once('(').map(|(call, _)| call))
        .collect();
    assert_eq!(calls.len(), 9, "the reference page lists nine calls: {calls:?}");
    for call in calls {
        assert!(readme.contains(&format!("// {call}(")), "generated/README.md does not show `{call}` in Rust");
    }
}
