//! The users crate's README shows every call of Cloudflare's TypeScript SDK reference page for
//! this API in Rust (the README's examples compile as doctests of the crate): each
//! `client.zeroTrust…` method the page lists is named in a comment above the Rust call of the
//! same resource path and method.

mod support;

use std::path::Path;

#[test]
fn the_readme_rewrites_every_call_of_the_reference_page() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let reference = support::reference_page();
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
        let comment = format!("// {call}(");
        let at = readme.find(&comment).unwrap_or_else(|| panic!("generated/README.md does not show `{call}` in Rust"));
        // The Rust below the comment, up to the next comment or the end of the block.
        let after = &readme[at + comment.len()..];
        let after = &after[after.find('\n').unwrap_or(0)..];
        let code: String = after[..after.find("//").or_else(|| after.find("```")).unwrap_or(after.len())]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // `client.zeroTrust.access.users.activeSessions.get` → `users.active_sessions().get(`.
        let rest = call.strip_prefix("client.zeroTrust.access.users.").expect("a users call");
        let mut words: Vec<String> = rest.split('.').map(generator::internal::snake).collect();
        let method = words.pop().unwrap();
        let expected: String = std::iter::once("users".to_string()).chain(words.iter().map(|w| format!(".{w}()"))).chain([format!(".{method}(")]).collect();
        assert!(code.contains(&expected), "below `{call}` the README calls no `{expected}`: {code}");
    }
}
