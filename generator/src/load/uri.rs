//! `$id` and `$anchor` references inside one document (JSON Schema 2020-12): the schemas that
//! name themselves, and the rewriting of `$ref`s that use those names into plain JSON pointers,
//! which is all that `spec`'s reference following reads.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

/// Longest `$id` or `$anchor` read; a longer one is ignored with a diagnostic, so a document
/// cannot make the index hold huge keys.
pub const MAX_NAME_LEN: usize = 2048;

/// The schema resource a node sits in: the nearest enclosing `$id` (resolved), and its place.
///
/// Shared, not copied: every schema node, anchor and kept `$ref` below an `$id` holds its base,
/// and a resolved `$id` may be 2 KB long, so copies cost 2 KB for each `$ref: '#a'` of 14 bytes
/// (400,000 of them, 5.6 MB, took 1.13 GB).
#[derive(Debug, Clone, Default)]
pub struct Base {
    /// The resolved `$id`; empty for the document itself.
    pub id: Rc<str>,
    /// The pointer of the schema that declares it; empty for the document.
    pub ptr: Rc<str>,
}

/// A `$ref` that is neither `#` nor a plain `#/pointer` into the document, kept for rewriting
/// once every name is known.
#[derive(Debug)]
struct Pending {
    /// Where the `$ref` member is.
    at: String,
    reference: String,
    base: Base,
}

/// The names schemas give themselves, and the references to resolve against them.
#[derive(Debug, Default)]
pub struct Names {
    /// Resolved `$id` → the pointer of the schema that declares it.
    ids: HashMap<Rc<str>, Rc<str>>,
    /// Resolved `$id` of the resource → anchor name → the pointer of the schema.
    anchors: HashMap<Rc<str>, HashMap<String, String>>,
    pending: Vec<Pending>,
}

/// `reference` resolved against `base` (RFC 3986 in the forms documents use: an absolute URI,
/// a fragment alone, or a relative path replacing the base's last segment).
pub fn resolve(base: &str, reference: &str) -> String {
    if reference.contains("://") || reference.starts_with("urn:") || base.is_empty() {
        return reference.to_string();
    }
    if let Some(fragment) = reference.strip_prefix('#') {
        let stem = base.split_once('#').map_or(base, |(s, _)| s);
        return format!("{stem}#{fragment}");
    }
    if reference.starts_with('/') {
        // Absolute path: keep the base's scheme and authority.
        if let Some(i) = base.find("://") {
            let after = &base[i + 3..];
            let end = after.find('/').map_or(base.len(), |j| i + 3 + j);
            return format!("{}{reference}", &base[..end]);
        }
        return reference.to_string();
    }
    match base.rfind('/') {
        Some(i) => format!("{}{reference}", &base[..=i]),
        None => reference.to_string(),
    }
}

impl Names {
    /// Records the `$id` of the schema at `ptr`; answers the base its contents resolve against,
    /// or `None` (and the caller warns) when the `$id` is too long to index.
    pub fn declare_id(&mut self, parent: &Base, id: &str, ptr: &str) -> Option<Base> {
        if id.len() > MAX_NAME_LEN {
            return None;
        }
        let resolved = resolve(&parent.id, id);
        let resolved = resolved.trim_end_matches('#');
        // Relative ids add up level by level; bound what they add up to, since every `$ref`
        // below keeps its base.
        if resolved.len() > MAX_NAME_LEN {
            return None;
        }
        let ptr: Rc<str> = ptr.into();
        // The first schema to declare an `$id` is the one it names; later ones share its text.
        let id = match self.ids.get_key_value(resolved) {
            Some((id, _)) => id.clone(),
            None => {
                let id: Rc<str> = resolved.into();
                self.ids.insert(id.clone(), ptr.clone());
                id
            }
        };
        Some(Base { id, ptr })
    }

    /// Records an `$anchor` (or `$dynamicAnchor`) of the schema at `ptr`; false when too long.
    pub fn declare_anchor(&mut self, base: &Base, name: &str, ptr: &str) -> bool {
        if name.len() > MAX_NAME_LEN {
            return false;
        }
        self.anchors.entry(base.id.clone()).or_default().entry(name.to_string()).or_insert_with(|| ptr.to_string());
        true
    }

    /// Keeps a `$ref` written at `at` for [`Names::rewrite`] when it needs a name to resolve.
    pub fn reference(&mut self, base: &Base, at: String, reference: &str) {
        let plain = reference == "#" || (reference.starts_with("#/") && base.id.is_empty());
        if !plain && reference.len() <= MAX_NAME_LEN {
            self.pending.push(Pending { at, reference: reference.to_string(), base: base.clone() });
        }
    }

    /// The pointer a `$ref` names, when it names a schema of this document by `$id`/`$anchor`
    /// or by a pointer inside a resource that has an `$id`.
    fn target(&self, raw: &Value, p: &Pending) -> Option<String> {
        let full = resolve(&p.base.id, &p.reference);
        let (stem, fragment) = match full.split_once('#') {
            Some((s, f)) => (s.to_string(), Some(f)),
            None => (full.clone(), None),
        };
        let resource = if stem.is_empty() || *stem == *p.base.id {
            if stem.is_empty() && !p.base.id.is_empty() && !p.reference.starts_with('#') {
                return None;
            }
            p.base.ptr.to_string()
        } else {
            self.ids.get(stem.as_str())?.to_string()
        };
        let found = match fragment {
            None | Some("") => Some(resource),
            Some(f) if f.starts_with('/') => {
                let inside = format!("{resource}{}", crate::spec::ref_to_pointer(&format!("#{f}"))?);
                crate::locate::get(raw, &inside).is_some().then_some(inside)
            }
            Some(name) => self.anchors.get(stem.as_str()).and_then(|a| a.get(name)).cloned(),
        };
        found.filter(|t| crate::locate::get(raw, t).is_some())
    }

    /// Rewrites every kept `$ref` that resolves to `#<pointer>`; the others stay as written, for
    /// `spec` to report as references outside the document.
    pub fn rewrite(self, raw: &mut Value) {
        let targets: Vec<(String, String)> = self.pending.iter().filter_map(|p| Some((p.at.clone(), self.target(raw, p)?))).collect();
        for (at, target) in targets {
            if let Some(slot) = raw.pointer_mut(&at) {
                *slot = Value::String(format!("#{}", encode_pointer(&target)));
            }
        }
    }
}

/// A pointer written as a URI fragment: `%` escaped so `ref_to_pointer`'s decoding gives it back.
fn encode_pointer(ptr: &str) -> String {
    ptr.replace('%', "%25")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relative_references_resolve_against_the_base() {
        assert_eq!(resolve("https://x.test/a/b.json", "c.json"), "https://x.test/a/c.json");
        assert_eq!(resolve("https://x.test/a/b.json", "#foo"), "https://x.test/a/b.json#foo");
        assert_eq!(resolve("https://x.test/a/b.json", "/d.json"), "https://x.test/d.json");
        assert_eq!(resolve("", "#foo"), "#foo");
        assert_eq!(resolve("https://x.test/a", "urn:x"), "urn:x");
    }

    #[test]
    fn relative_ids_that_add_up_past_the_bound_are_not_indexed() {
        let mut names = Names::default();
        let step = format!("{}/", "a".repeat(MAX_NAME_LEN / 2));
        let mut base = names.declare_id(&Base::default(), &format!("https://x.test/{step}"), "/0").unwrap();
        let mut depth = 0;
        while let Some(next) = names.declare_id(&base, &step, &format!("/{depth}")) {
            assert!(next.id.len() <= MAX_NAME_LEN);
            base = next;
            depth += 1;
            assert!(depth < 4, "each id is short, but what they resolve to is bounded");
        }
    }

    #[test]
    fn anchors_and_ids_become_pointers() {
        let mut raw = json!({"a": {"$id": "https://x.test/pet", "$defs": {"n": {"$anchor": "name"}}}, "r1": {"$ref": "#name"}, "r2": {"$ref": "https://x.test/pet#name"}, "r3": {"$ref": "https://x.test/pet"}, "r4": {"$ref": "other.json"}});
        let mut names = Names::default();
        let root = Base::default();
        let pet = names.declare_id(&root, "https://x.test/pet", "/a").unwrap();
        assert!(names.declare_anchor(&pet, "name", "/a/$defs/n"));
        names.reference(&root, "/r1/$ref".into(), "#name");
        names.reference(&root, "/r2/$ref".into(), "https://x.test/pet#name");
        names.reference(&root, "/r3/$ref".into(), "https://x.test/pet");
        names.reference(&root, "/r4/$ref".into(), "other.json");
        names.rewrite(&mut raw);
        // `#name` at the document's level names no anchor of the document itself.
        assert_eq!(raw["r1"]["$ref"], "#name");
        assert_eq!(raw["r2"]["$ref"], "#/a/$defs/n");
        assert_eq!(raw["r3"]["$ref"], "#/a");
        assert_eq!(raw["r4"]["$ref"], "other.json");
    }
}
