//! Paths: templates, the methods an operation sits under, operations and their parameters.

use std::fmt;

use serde_json::Value;

use super::{Spec, SpecError};
use crate::locate::join;

/// The keys of a path item that hold an operation, in the order operations are walked.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// OpenAPI 3.2's `query` method (a safe request with a body), walked after [`METHODS`] in 3.2
/// documents, then the methods under `additionalOperations` in sorted order.
pub const QUERY: &str = "query";

/// One piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text sent as written (it may hold a `{` that no `}` closes).
    Literal(String),
    /// `{name}`: the parameter's name, as written between the braces.
    Param(String),
}

/// A path template (`/zones/{zone_id}/dns_records`), parsed once: a `{` opens a parameter that
/// the next `}` closes; a `{` with no `}` after it is literal text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    text: String,
    segments: Vec<Segment>,
}

impl PathTemplate {
    pub fn parse(path: &str) -> Self {
        let mut segments = Vec::new();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else { break };
            if start > 0 {
                segments.push(Segment::Literal(rest[..start].to_string()));
            }
            segments.push(Segment::Param(rest[start + 1..start + len].to_string()));
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_string()));
        }
        PathTemplate { text: path.to_string(), segments }
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The parameter names in the order the template names them (repeats included).
    pub fn param_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// Where parameter `name` first stands among the parameters (`/a/{x}/{y}`: `y` is 1).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.param_names().position(|n| n == name)
    }

    /// The template with every parameter written `{}`, so templates that differ only in
    /// parameter names compare equal.
    pub fn normalized(&self) -> String {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(text) => text.as_str(),
                Segment::Param(_) => "{}",
            })
            .collect()
    }
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One operation found under `paths`.
#[derive(Debug, Clone)]
pub struct PathOp<'a> {
    /// The path key it is written under.
    pub path: &'a str,
    pub template: PathTemplate,
    /// Lowercase for the fixed fields (`get`, …, `query`); as written for a method under
    /// `additionalOperations`.
    pub method: String,
    /// Where the operation object is (inside the path item a `$ref` leads to, when it does).
    pub op_ptr: String,
    /// The path items whose `parameters` apply, outermost (the `$ref` target) first.
    pub items: Vec<String>,
}

/// A parameter that applies to an operation, after `$ref`s.
/// The `style` the Swagger 2.0 conversion gives a query parameter of `collectionFormat: tsv`
/// (values joined by a tab), for which OpenAPI 3 has none.
pub const TAB_DELIMITED: &str = "x-tabDelimited";

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// `in`: `path`, `query`, `header`, `cookie` (or whatever the document says).
    pub location: String,
    /// The parameter object.
    pub ptr: String,
    /// The entry in a `parameters` list that names it (a `$ref`, or the object itself).
    pub site: String,
}

/// Whether a key of `paths` is a path. Only a key that begins with `/` is: the others are
/// extensions (`x-…`), which the checks let through and which are no paths (an `x-p` with a
/// `get` made a method), or keys the checks refuse.
pub fn is_path(key: &str) -> bool {
    key.starts_with('/')
}

impl<'a> Spec<'a> {
    /// Every operation, paths and methods sorted, so the walk does not depend on key order.
    pub fn operations(&self) -> Result<Vec<PathOp<'a>>, SpecError> {
        let mut ops = Vec::new();
        for path in self.path_keys() {
            ops.extend(self.path_operations(path)?);
        }
        Ok(ops)
    }

    /// The paths of `paths`, sorted: its keys that begin with `/` (see [`is_path`]).
    pub fn path_keys(&self) -> Vec<&'a str> {
        let mut keys: Vec<&'a str> = self.object("/paths").map(|p| p.keys().map(String::as_str).filter(|k| is_path(k)).collect()).unwrap_or_default();
        keys.sort_unstable();
        keys
    }

    /// The operations under one path, in [`METHODS`] order. A path item may be a `$ref` (to a
    /// reusable item or to another path's): followed like a schema `$ref`, with operations
    /// written beside it taking precedence.
    pub fn path_operations(&self, path: &'a str) -> Result<Vec<PathOp<'a>>, SpecError> {
        let mut ops = Vec::new();
        let local = join("/paths", path);
        let Some(item) = self.object(&local) else {
            return Ok(ops);
        };
        let mut items = vec![local.clone()];
        if item.contains_key("$ref") {
            items.insert(0, self.target(&local)?);
        }
        let template = PathTemplate::parse(path);
        for method in METHODS.into_iter().chain(self.v32.then_some(QUERY)) {
            let found = items.iter().rev().find(|i| self.object(i).and_then(|o| o.get(method)).is_some_and(Value::is_object));
            if let Some(item_ptr) = found {
                ops.push(PathOp {
                    path,
                    template: template.clone(),
                    method: method.to_string(),
                    op_ptr: join(item_ptr, method),
                    items: items.clone(),
                });
            }
        }
        if self.v32 {
            // Each method under `additionalOperations`, the path item's own first.
            let mut extra: Vec<(&str, String)> = Vec::new();
            for item_ptr in items.iter().rev() {
                let at = join(item_ptr, "additionalOperations");
                for (method, op) in self.object(&at).into_iter().flatten() {
                    // A method is sent as written, so it must be an HTTP token, and not one of
                    // the fixed fields under another case (3.2 forbids both; a path item reached
                    // through `$ref` is not checked at load).
                    let fixed = METHODS.iter().chain([&QUERY]).any(|m| m.eq_ignore_ascii_case(method));
                    if op.is_object() && is_token(method) && !fixed && !extra.iter().any(|(m, _)| *m == method) {
                        extra.push((method, join(&at, method)));
                    }
                }
            }
            extra.sort();
            for (method, op_ptr) in extra {
                ops.push(PathOp { path, template: template.clone(), method: method.to_string(), op_ptr, items: items.clone() });
            }
        }
        Ok(ops)
    }

    /// The parameters of an operation: path-item level first, then operation level, a later
    /// one replacing an earlier one of the same name and `in` (and moving to the end).
    pub fn parameters(&self, op: &PathOp<'_>) -> Result<Vec<Param>, SpecError> {
        // Slots in order, a replaced one emptied; (name, in) → its slot.
        let mut params: Vec<Option<Param>> = Vec::new();
        let mut slot: std::collections::HashMap<(String, String), usize> = std::collections::HashMap::new();
        for scope in op.items.iter().chain([&op.op_ptr]) {
            let Some(list) = self.object(scope).and_then(|s| s.get("parameters")).and_then(Value::as_array) else {
                continue;
            };
            for i in 0..list.len() {
                let site = format!("{scope}/parameters/{i}");
                let target = self.target(&site)?;
                let Some(p) = self.object(&target) else { continue };
                let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let (name, location) = (text("name"), text("in"));
                if let Some(old) = slot.insert((name.clone(), location.clone()), params.len()) {
                    params[old] = None;
                }
                params.push(Some(Param { name, location, ptr: target, site }));
            }
        }
        Ok(params.into_iter().flatten().collect())
    }
}

/// An HTTP method token (RFC 9110 `tchar`s, at least one).
fn is_token(method: &str) -> bool {
    !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let t = PathTemplate::parse("/a/{x}/b{y}.json");
        assert_eq!(t.param_names().collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(t.normalized(), "/a/{}/b{}.json");
        assert_eq!(t.position("y"), Some(1));
        let open = PathTemplate::parse("/a/{x}/{y");
        assert_eq!(open.segments().last(), Some(&Segment::Literal("/{y".into())));
        assert_eq!(open.as_str(), "/a/{x}/{y");
    }
}
