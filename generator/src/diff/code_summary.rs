//! What a spec change does to the generated code: files and lines, and the public Rust items
//! added, removed or changed.
//!
//! Items are found by scanning lines that start (after indentation) with
//! `pub struct|enum|fn|type|trait|const|static|union|mod NAME` (also `pub async fn`,
//! `pub const fn`, `pub unsafe fn`); `pub(crate)` and narrower are not public. A `pub fn` inside an
//! `impl Type` block is named `Type::name`. An item "changed" when its signature (for a function:
//! everything up to its body) or its definition (for a type: the whole item, comments dropped and
//! whitespace collapsed) differs. This is a line scanner tuned for prettyplease-formatted code, not
//! a Rust parser: a macro that expands to items is not seen.

use std::collections::BTreeMap;

/// Added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// New in the new output.
    Added,
    /// Gone from the new output.
    Removed,
    /// In both, with a different signature.
    Changed,
}

/// One public item that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    /// Added, removed or changed.
    pub kind: ItemKind,
    /// The file, as keyed in the maps given to [`CodeSummary::between`].
    pub file: String,
    /// `fn Client::get_user`, `struct User`, …
    pub item: String,
}

/// The generated-code side of a spec change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeSummary {
    /// Files only the new output has.
    pub files_added: Vec<String>,
    /// Files only the old output has.
    pub files_removed: Vec<String>,
    /// Files in both whose text changed.
    pub files_changed: Vec<String>,
    /// Lines added and removed.
    pub lines_added: usize,
    /// See `lines_added`.
    pub lines_removed: usize,
    /// Sorted by kind, file, item.
    pub items: Vec<ItemChange>,
}

impl CodeSummary {
    /// Compares two sets of generated files (relative path → contents).
    pub fn between(
        old_files: &BTreeMap<String, String>,
        new_files: &BTreeMap<String, String>,
    ) -> CodeSummary {
        let mut s = CodeSummary::default();
        let empty = String::new();
        let names: std::collections::BTreeSet<&String> =
            old_files.keys().chain(new_files.keys()).collect();
        for name in names {
            let (old, new) = (old_files.get(name), new_files.get(name));
            match (old, new) {
                (None, Some(n)) => {
                    s.files_added.push(name.clone());
                    s.lines_added += n.lines().count();
                }
                (Some(o), None) => {
                    s.files_removed.push(name.clone());
                    s.lines_removed += o.lines().count();
                }
                (Some(o), Some(n)) if o != n => {
                    // Myers' diff takes time in the lines times the changes: a `models.rs`
                    // whose 50,000 lines all changed took 70 s. Past the deadline the diff is
                    // finished coarsely (lines counted as changed that a longer search would
                    // have matched); only such a diff's counts depend on the machine's speed.
                    let diff = similar::TextDiff::configure()
                        .timeout(std::time::Duration::from_secs(2))
                        .diff_lines(o.as_str(), n.as_str());
                    let (mut added, mut removed) = (0, 0);
                    for change in diff.iter_all_changes() {
                        match change.tag() {
                            similar::ChangeTag::Insert => added += 1,
                            similar::ChangeTag::Delete => removed += 1,
                            similar::ChangeTag::Equal => {}
                        }
                    }
                    s.files_changed.push(name.clone());
                    s.lines_added += added;
                    s.lines_removed += removed;
                }
                _ => continue,
            }
            if !name.ends_with(".rs") {
                continue;
            }
            let items_o = public_items(old.unwrap_or(&empty));
            let items_n = public_items(new.unwrap_or(&empty));
            for (item, sig) in &items_o {
                match items_n.get(item) {
                    None => s.items.push(ItemChange {
                        kind: ItemKind::Removed,
                        file: name.clone(),
                        item: item.clone(),
                    }),
                    Some(sig_n) if sig_n != sig => s.items.push(ItemChange {
                        kind: ItemKind::Changed,
                        file: name.clone(),
                        item: item.clone(),
                    }),
                    Some(_) => {}
                }
            }
            for item in items_n.keys() {
                if !items_o.contains_key(item) {
                    s.items.push(ItemChange {
                        kind: ItemKind::Added,
                        file: name.clone(),
                        item: item.clone(),
                    });
                }
            }
        }
        s.items
            .sort_by(|a, b| (a.kind, &a.file, &a.item).cmp(&(b.kind, &b.file, &b.item)));
        s
    }

    /// Items of one kind.
    pub fn items_of(&self, kind: ItemKind) -> impl Iterator<Item = &ItemChange> {
        self.items.iter().filter(move |i| i.kind == kind)
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.files_added.is_empty()
            && self.files_removed.is_empty()
            && self.files_changed.is_empty()
    }
}

const KINDS: [&str; 9] = [
    "struct", "enum", "fn", "type", "trait", "const", "static", "union", "mod",
];

/// Public items of one file: `kind [Type::]name` → normalized signature or definition.
pub(crate) fn public_items(text: &str) -> BTreeMap<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = BTreeMap::new();
    let mut impl_type: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("impl") && (line[4..].starts_with(' ') || line[4..].starts_with('<')) {
            impl_type = impl_target(line);
            continue;
        }
        if line.starts_with('}') {
            impl_type = None;
            continue;
        }
        let trimmed = line.trim_start();
        let Some(mut rest) = trimmed.strip_prefix("pub ") else {
            continue;
        };
        loop {
            let before = rest;
            for q in ["async ", "unsafe ", "extern \"C\" ", "default "] {
                rest = rest.strip_prefix(q).unwrap_or(rest);
            }
            if let Some(r) = rest.strip_prefix("const ") {
                if r.starts_with("fn ") || r.starts_with("unsafe ") || r.starts_with("async ") {
                    rest = r;
                }
            }
            if before == rest {
                break;
            }
        }
        let Some((kind, after)) = KINDS.iter().find_map(|k| {
            rest.strip_prefix(k)
                .and_then(|a| a.strip_prefix(' '))
                .map(|a| (*k, a))
        }) else {
            continue;
        };
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        let indented = line.len() != trimmed.len();
        let qualified = match (&impl_type, indented) {
            (Some(t), true) => format!("{kind} {t}::{name}"),
            _ => format!("{kind} {name}"),
        };
        let signature = item_text(&lines[i..], matches!(kind, "fn" | "mod"));
        out.insert(qualified, signature);
    }
    out
}

/// `impl<T> Foo<T> {`, `impl Display for Foo {` → `Foo`.
fn impl_target(line: &str) -> Option<String> {
    let mut rest = line.strip_prefix("impl")?.trim_start();
    if rest.starts_with('<') {
        let mut depth = 0usize;
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = rest[end..].trim_start();
    }
    let head = rest.split(['{']).next().unwrap_or(rest);
    let head = head.split(" where").next().unwrap_or(head);
    let target = match head.find(" for ") {
        Some(i) => &head[i + 5..],
        None => head,
    };
    let target = target.trim();
    let base = target.split('<').next().unwrap_or(target);
    let name = base.rsplit("::").next().unwrap_or(base).trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// The item starting at `lines[0]`: up to its body for a function (`header_only`), the whole
/// item otherwise. Comments are dropped, whitespace collapsed.
fn item_text(lines: &[&str], header_only: bool) -> String {
    let mut out = String::new();
    let mut depth_paren = 0i32;
    let mut depth_brace = 0i32;
    let mut opened = false;
    for line in lines {
        let mut chars = line.chars().peekable();
        let mut in_string = false;
        while let Some(c) = chars.next() {
            if in_string {
                out.push(c);
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == '"' {
                    in_string = false;
                }
                continue;
            }
            match c {
                '/' if chars.peek() == Some(&'/') => break,
                '"' => in_string = true,
                '(' | '[' => depth_paren += 1,
                ')' | ']' => depth_paren -= 1,
                '{' if depth_paren == 0 => {
                    if header_only {
                        return collapse(&out);
                    }
                    depth_brace += 1;
                    opened = true;
                }
                '}' if depth_paren == 0 => {
                    depth_brace -= 1;
                    if opened && depth_brace == 0 {
                        out.push(c);
                        return collapse(&out);
                    }
                }
                ';' if depth_paren == 0 && depth_brace == 0 => return collapse(&out),
                _ => {}
            }
            out.push(c);
        }
        out.push(' ');
    }
    collapse(&out)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_items() {
        let code = "\
/// A user.
pub struct User {
    /// The id.
    pub id: String,
}
pub(crate) struct Hidden;
pub enum Kind { A, B }
impl Client {
    pub async fn get_user(
        &self,
        id: &str,
    ) -> Result<User, Error> {
        let x = \"{\";
        todo!()
    }
    fn private(&self) {}
}
pub const LIMIT: u32 = 5;
pub type Alias = Vec<User>;
";
        let items = public_items(code);
        let keys: Vec<&str> = items.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "const LIMIT",
                "enum Kind",
                "fn Client::get_user",
                "struct User",
                "type Alias"
            ]
        );
        assert_eq!(items["struct User"], "pub struct User { pub id: String, }");
        assert_eq!(
            items["fn Client::get_user"],
            "pub async fn get_user( &self, id: &str, ) -> Result<User, Error>"
        );
    }

    #[test]
    fn summarizes_files() {
        let mut old = BTreeMap::new();
        let mut new = BTreeMap::new();
        old.insert(
            "src/a.rs".to_string(),
            "pub struct A {\n    pub x: i64,\n}\npub fn gone() {}\n".to_string(),
        );
        new.insert(
            "src/a.rs".to_string(),
            "pub struct A {\n    pub x: f64,\n}\npub fn fresh() {}\n".to_string(),
        );
        new.insert("README.md".to_string(), "hi\n".to_string());
        let s = CodeSummary::between(&old, &new);
        assert_eq!(s.files_added, ["README.md"]);
        assert_eq!(s.files_changed, ["src/a.rs"]);
        assert_eq!((s.lines_added, s.lines_removed), (3, 2));
        let items: Vec<(ItemKind, &str)> =
            s.items.iter().map(|i| (i.kind, i.item.as_str())).collect();
        assert_eq!(
            items,
            [
                (ItemKind::Added, "fn fresh"),
                (ItemKind::Removed, "fn gone"),
                (ItemKind::Changed, "struct A")
            ]
        );
    }
}
