//! `$ref` following: local references only, percent-decoded, with the keywords written beside
//! each `$ref` collected on the way.

use serde_json::{Map, Value};

use super::{Spec, SpecError};
use crate::limits::MAX_SCHEMA_DEPTH;
use crate::locate::join;

/// Keywords read from a schema node and from the `$ref`s that lead to it.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub description: Option<String>,
    pub nullable: bool,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
    /// `x-stainless-deprecation-message`: why, and what to use instead (it marks the schema
    /// deprecated too).
    pub deprecation_note: Option<String>,
    /// `default`, as JSON text.
    pub default: Option<String>,
}

impl Meta {
    /// The keywords of one node.
    pub fn of(node: &Map<String, Value>) -> Meta {
        let mut meta = Meta::default();
        meta.absorb(node);
        meta
    }

    /// Fills what is still unset from `node` (outer nodes are read first and win).
    pub fn absorb(&mut self, node: &Map<String, Value>) {
        if self.description.is_none() {
            self.description = node
                .get("description")
                .and_then(Value::as_str)
                .or_else(|| node.get("title").and_then(Value::as_str))
                .map(str::to_string);
        }
        let flag = |k: &str| node.get(k).and_then(Value::as_bool).unwrap_or(false);
        self.nullable |= flag("nullable");
        self.read_only |= flag("readOnly");
        self.write_only |= flag("writeOnly");
        self.deprecated |= flag("deprecated");
        if self.deprecation_note.is_none() {
            self.deprecation_note = deprecation_note(node);
            self.deprecated |= self.deprecation_note.is_some();
        }
        if self.default.is_none() {
            self.default = node.get("default").map(Value::to_string);
        }
        if let Some(Value::Array(values)) = node.get("enum") {
            self.nullable |= values.iter().any(Value::is_null);
        }
    }

    /// Fills what is still unset from the keywords of nodes further on (as [`Meta::absorb`]
    /// of each of them in turn would).
    fn then(&mut self, later: &Meta) {
        if self.description.is_none() {
            self.description.clone_from(&later.description);
        }
        self.nullable |= later.nullable;
        self.read_only |= later.read_only;
        self.write_only |= later.write_only;
        self.deprecated |= later.deprecated;
        if self.deprecation_note.is_none() {
            self.deprecation_note.clone_from(&later.deprecation_note);
        }
        if self.default.is_none() {
            self.default.clone_from(&later.default);
        }
    }
}

/// `x-stainless-deprecation-message` on a schema, parameter or operation: a non-empty string.
pub fn deprecation_note(node: &Map<String, Value>) -> Option<String> {
    node.get("x-stainless-deprecation-message").and_then(Value::as_str).filter(|m| !m.trim().is_empty()).map(str::to_string)
}

/// `#/a/b` → `/a/b`, percent-decoded; `None` for a reference outside the document.
pub fn ref_to_pointer(reference: &str) -> Option<String> {
    reference.strip_prefix('#').map(percent_decode)
}

/// `%XX` escapes decoded byte by byte (invalid UTF-8 replaced); malformed escapes kept as written.
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Two hex digits, read as bytes: the text after `%` may be any character.
        if bytes[i] == b'%' && i + 2 < bytes.len() && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit() {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl<'a> Spec<'a> {
    /// Resolves the `$ref` written at `at` to a pointer, or fails naming where it is.
    pub fn ref_target(&self, at: &str, reference: &str) -> Result<String, SpecError> {
        let error = |external: bool| {
            // A reference is quoted back at most this long: a document's may be megabytes.
            const SHOWN: usize = 200;
            // As written: a reference the 2.0 conversion rewrote names the place it was written for.
            let written = match reference.strip_prefix('#') {
                Some(p) if p.starts_with('/') => format!("#{}", self.written(p)),
                _ => reference.to_string(),
            };
            let reference = written.as_str();
            let reference = match reference.char_indices().nth(SHOWN) {
                Some((i, _)) => format!("{}…", &reference[..i]),
                None => reference.to_string(),
            };
            let (file, line, pointer) = (self.file.to_string(), self.line(at), self.written(at));
            if external {
                SpecError::ExternalRef { file, line, pointer, reference }
            } else {
                // The top-level member it points into, as written (`definitions` in 2.0).
                let section = written
                    .strip_prefix("#/")
                    .and_then(|p| p.split('/').next())
                    .filter(|s| !s.is_empty())
                    .unwrap_or("components");
                let section = crate::locate::unescape_token(section);
                SpecError::MissingRef {
                    file,
                    line,
                    pointer,
                    reference,
                    section,
                }
            }
        };
        let target = ref_to_pointer(reference).ok_or_else(|| error(true))?;
        if self.get(&target).is_none() {
            return Err(error(false));
        }
        Ok(target)
    }

    /// Follows `$ref`s from `ptr` to a node that is not a reference, collecting keywords found
    /// beside each `$ref` on the way. Used for schemas and for the objects that may be
    /// references (path items, parameters, request bodies, responses) alike.
    pub fn deref(&self, ptr: &str) -> Result<(String, Meta), SpecError> {
        let mut meta = Meta::default();
        let target = self.follow(ptr, Some(&mut meta))?;
        Ok((target, meta))
    }

    /// The pointer `ptr` leads to after `$ref`s.
    pub fn target(&self, ptr: &str) -> Result<String, SpecError> {
        self.follow(ptr, None)
    }

    /// [`Spec::deref`], reading the keywords on the way only when asked for or remembered (most
    /// callers want the target alone, and descriptions are long). Where a chain leads from each
    /// node holding a `$ref` is remembered, so a chain many schemas use is walked once.
    fn follow(&self, ptr: &str, meta: Option<&mut Meta>) -> Result<String, SpecError> {
        let memo = self.memo;
        let mut current = ptr.to_string();
        let mut seen: Vec<String> = Vec::new();
        // The nodes holding a `$ref` passed on the way, with their own keywords.
        let mut passed: Vec<(String, Meta)> = Vec::new();
        let (target, mut rest, mut hops) = loop {
            // The keywords are copied only when asked for or when a node passed will be remembered.
            let keep_meta = meta.is_some() || passed.len() > 1;
            let known = memo.and_then(|m| {
                let followed = m.followed.borrow();
                let known = followed.get(current.as_str())?;
                Some((known.target.clone(), known.hops, if keep_meta { known.meta.clone() } else { Meta::default() }))
            });
            if let Some((target, hops, known_meta)) = known {
                // Unless the whole chain would be too long: then it is walked, to fail where it does.
                if seen.len() + hops <= MAX_SCHEMA_DEPTH {
                    break (target, known_meta, hops);
                }
            }
            let Some(map) = self.object(&current) else {
                break (current, Meta::default(), 0);
            };
            // The keywords of a node further on are remembered with where it leads.
            let keywords = meta.is_some() || (memo.is_some() && !seen.is_empty());
            let own = if keywords { Meta::of(map) } else { Meta::default() };
            let Some(reference) = map.get("$ref").and_then(Value::as_str) else {
                break (current, own, 0);
            };
            let at = join(&current, "$ref");
            let target = self.ref_target(&at, reference)?;
            if seen.contains(&target) || target == current {
                seen.push(current.clone());
                seen.push(target.clone());
                let start = seen.iter().position(|s| *s == target).unwrap_or(0);
                return Err(SpecError::RefCycle {
                    file: self.file.to_string(),
                    line: self.line(&target),
                    cycle: seen[start..].iter().map(|p| format!("#{}", self.written(p))).collect::<Vec<_>>().join(" → "),
                });
            }
            if seen.len() >= MAX_SCHEMA_DEPTH {
                return Err(self.too_deep(&at, "more `$ref`s in a row than the limit before a schema is reached"));
            }
            passed.push((current.clone(), own));
            seen.push(current);
            current = target;
        };
        // Each node passed leads where the rest of the chain does, with its own keywords first.
        // The nodes a `$ref` led to (aliases, which many schemas may use) are remembered; the
        // first, where this call began (a property, a parameter), is seldom asked again.
        for (i, (node, mut own)) in passed.into_iter().enumerate().rev() {
            own.then(&rest);
            rest = own;
            hops += 1;
            if let Some(memo) = memo.filter(|_| i > 0) {
                memo.remember_followed(node, Followed { target: target.clone(), hops, meta: rest.clone() });
            }
        }
        if let Some(meta) = meta {
            meta.then(&rest);
        }
        Ok(target)
    }
}

/// Where following `$ref`s from a node leads: the node reached, after how many `$ref`s, and
/// the keywords met on the way (the node's own first).
#[derive(Debug, Clone)]
pub(super) struct Followed {
    target: String,
    hops: usize,
    meta: Meta,
}

impl Followed {
    /// The bytes it holds: its texts.
    pub(super) fn bytes(&self) -> usize {
        let m = &self.meta;
        self.target.len() + [&m.description, &m.deprecation_note, &m.default].into_iter().flatten().map(String::len).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_refuses_other_documents() {
        assert_eq!(ref_to_pointer("#/a%7Bb%7D").as_deref(), Some("/a{b}"));
        assert_eq!(ref_to_pointer("#/a%zz%").as_deref(), Some("/a%zz%"));
        // A `%` before a multi-byte character is kept, not sliced through.
        assert_eq!(ref_to_pointer("#/%aé").as_deref(), Some("/%aé"));
        assert_eq!(ref_to_pointer("other.yaml#/a"), None);
    }
}
