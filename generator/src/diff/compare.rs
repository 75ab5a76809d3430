//! Schema against schema: what changed, with no opinion yet on how much it matters.
//!
//! The walk is memoized by the pair of schemas compared (their keys, see
//! [`Norm::key`](super::resolve::Norm)), so a component shared by a thousand operations is
//! compared once. A pair met again while it is being compared (a recursive schema) contributes
//! nothing the second time; its changes are reported where it was first entered. Results that
//! relied on such an assumption are kept only once the pair they assumed has finished without
//! a change (then the assumption held), which keeps the memo sound.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

use crate::config::Formats;
use crate::limits::MAX_SCHEMA_DEPTH;

use super::resolve::{Constraints, Norm, Resolver};
use super::rust_type::{enum_has_catch_all, is_option, rust_type_text, with_option};
use crate::spec::RustHead;

/// What changed at one place in a schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    PropertyAdded {
        required: bool,
    },
    PropertyRemoved {
        required: bool,
    },
    RequiredChanged {
        now_required: bool,
        rust_changed: bool,
        from: String,
        to: String,
    },
    NullableChanged {
        now_nullable: bool,
        rust_changed: bool,
        from: String,
        to: String,
    },
    TypeChanged {
        from: String,
        to: String,
        rust_changed: bool,
    },
    EnumValueAdded {
        value: String,
        catch_all: bool,
    },
    EnumValueRemoved {
        value: String,
        rust_enum: bool,
    },
    ConstraintNarrowed {
        what: String,
    },
    /// Schemas nest deeper than [`MAX_SCHEMA_DEPTH`] here; the comparison goes no further.
    TooDeep,
}

/// A change inside a schema: what, where in the schema (`.a[].b`, relative to the schema
/// compared), and the JSON pointer (in NEW, or in OLD for a removal).
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub kind: Kind,
    pub path: String,
    pub location: Rc<str>,
    /// Further paths to the same change not listed (see [`MAX_LISTED_PATHS`]).
    pub also: u64,
}

/// The most paths one comparison lists to the same change (the same kind at the same place).
/// Schemas reached along many paths (two properties of the next schema, level after level)
/// reach a change along a number of paths that doubles with each level: 21 levels, 3 KB of
/// document, took 7.8 s and 2 GB. Further paths are counted, not listed.
const MAX_LISTED_PATHS: usize = 8;

type PairKey = (Rc<str>, Rc<str>);

pub(crate) struct Comparer<'a> {
    pub old: Resolver<'a>,
    pub new: Resolver<'a>,
    memo: HashMap<PairKey, Rc<Vec<Finding>>>,
    on_stack: HashMap<PairKey, usize>,
    provisional: Vec<(PairKey, Rc<Vec<Finding>>)>,
    depth: usize,
    empty: Rc<Vec<Finding>>,
}

impl<'a> Comparer<'a> {
    pub fn new(old: &'a Value, new: &'a Value, formats: &Formats) -> Self {
        Comparer {
            old: Resolver::new(old, formats),
            new: Resolver::new(new, formats),
            memo: HashMap::new(),
            on_stack: HashMap::new(),
            provisional: Vec::new(),
            depth: 0,
            empty: Rc::new(Vec::new()),
        }
    }

    /// Everything that changed from `o` (in OLD) to `n` (in NEW).
    pub fn schemas(&mut self, o: &Rc<Norm<'a>>, n: &Rc<Norm<'a>>) -> Rc<Vec<Finding>> {
        self.walk(o, n).0
    }

    fn walk(&mut self, o: &Rc<Norm<'a>>, n: &Rc<Norm<'a>>) -> (Rc<Vec<Finding>>, usize) {
        let key = (o.key.clone(), n.key.clone());
        if let Some(found) = self.memo.get(&key) {
            return (found.clone(), usize::MAX);
        }
        if let Some(&d) = self.on_stack.get(&key) {
            return (self.empty.clone(), d);
        }
        let d = self.depth;
        self.depth += 1;
        self.on_stack.insert(key.clone(), d);
        let mark = self.provisional.len();
        let mut out = Vec::new();
        let mut low = usize::MAX;
        self.body(o, n, &mut out, &mut low);
        self.on_stack.remove(&key);
        self.depth -= 1;
        let result = if out.is_empty() {
            self.empty.clone()
        } else {
            Rc::new(fold_paths(out))
        };
        if low >= d {
            if result.is_empty() {
                for (k, v) in self.provisional.drain(mark..) {
                    self.memo.insert(k, v);
                }
            } else {
                self.provisional.truncate(mark);
            }
            self.memo.insert(key, result.clone());
            (result, usize::MAX)
        } else {
            self.provisional.push((key, result.clone()));
            (result, low)
        }
    }

    /// Compares two children; their findings get the path `{sep}{name}` in front.
    fn child(
        &mut self,
        o: &Rc<Norm<'a>>,
        n: &Rc<Norm<'a>>,
        sep: &str,
        name: &str,
        out: &mut Vec<Finding>,
        low: &mut usize,
    ) {
        let (found, l) = self.walk(o, n);
        *low = (*low).min(l);
        out.extend(found.iter().map(|f| Finding {
            kind: f.kind.clone(),
            path: format!("{sep}{name}{}", f.path),
            location: f.location.clone(),
            also: f.also,
        }));
    }

    fn body(
        &mut self,
        o: &Rc<Norm<'a>>,
        n: &Rc<Norm<'a>>,
        out: &mut Vec<Finding>,
        low: &mut usize,
    ) {
        let here = |kind: Kind| Finding {
            kind,
            path: String::new(),
            location: n.pointer.clone(),
            also: 0,
        };
        // Each level is a few stack frames: a document could nest thousands deep through `$ref`s.
        if self.depth > MAX_SCHEMA_DEPTH || o.too_deep || n.too_deep {
            out.push(here(Kind::TooDeep));
            return;
        }
        let (ho, hn) = (o.head, n.head);
        let union_size_changed =
            ho == RustHead::Union && o.alternatives.len() != n.alternatives.len();
        if ho != hn || union_size_changed || o.unresolved != n.unresolved {
            let from = rust_type_text(&mut self.old, o);
            let to = rust_type_text(&mut self.new, n);
            out.push(here(Kind::TypeChanged {
                from: describe_unresolved(from, o),
                to: describe_unresolved(to, n),
                rust_changed: true,
            }));
            return;
        }
        if o.format != n.format {
            out.push(here(Kind::TypeChanged {
                from: describe_format(o),
                to: describe_format(n),
                rust_changed: false,
            }));
        }
        match (o.enum_values, n.enum_values) {
            (Some(eo), Some(en)) => {
                // By their JSON text, looked up in a set: 50,000 values compared pairwise took 12 s.
                let texts = |values: &[Value]| values.iter().map(Value::to_string).collect::<std::collections::HashSet<String>>();
                let (to, tn) = (texts(eo), texts(en));
                for v in en.iter().filter(|v| !to.contains(&v.to_string())) {
                    out.push(here(Kind::EnumValueAdded {
                        value: v.to_string(),
                        catch_all: enum_has_catch_all(hn),
                    }));
                }
                for v in eo.iter().filter(|v| !tn.contains(&v.to_string())) {
                    out.push(here(Kind::EnumValueRemoved {
                        value: v.to_string(),
                        rust_enum: hn == RustHead::Enum,
                    }));
                }
            }
            (None, Some(en)) if !en.is_empty() => {
                let values: Vec<String> = en.iter().map(Value::to_string).collect();
                out.push(here(Kind::ConstraintNarrowed {
                    what: format!("enum added, values limited to {}", values.join(", ")),
                }));
            }
            _ => {}
        }
        for what in narrowed(&o.constraints, &n.constraints) {
            out.push(here(Kind::ConstraintNarrowed { what }));
        }
        match hn {
            RustHead::Struct | RustHead::Map => {
                if hn == RustHead::Struct {
                    self.properties(o, n, out, low);
                }
                // Map values, or the `additionalProperties` kept beside a struct's fields.
                if let (Some(a), Some(b)) = (&o.additional, &n.additional) {
                    let (a, b) = (self.old.node(a), self.new.node(b));
                    self.child(&a, &b, "{}", "", out, low);
                }
            }
            RustHead::Vec => {
                // A missing `items` is `Vec<serde_json::Value>`.
                let none: &[String] = &[];
                let a = self
                    .old
                    .node(o.items.as_deref().map_or(none, |v| v.as_slice()));
                let b = self
                    .new
                    .node(n.items.as_deref().map_or(none, |v| v.as_slice()));
                self.child(&a, &b, "[]", "", out, low);
            }
            RustHead::Union => {
                let kw = n.alternatives_kw.unwrap_or("oneOf");
                for (i, (a, b)) in o.alternatives.iter().zip(n.alternatives.iter()).enumerate() {
                    let (a, b) = (self.old.node(a), self.new.node(b));
                    self.child(&a, &b, &format!("<{kw} {i}>"), "", out, low);
                }
            }
            _ => {}
        }
    }

    fn properties(
        &mut self,
        o: &Rc<Norm<'a>>,
        n: &Rc<Norm<'a>>,
        out: &mut Vec<Finding>,
        low: &mut usize,
    ) {
        for (name, child) in &o.properties {
            if !n.properties.contains_key(name) {
                out.push(Finding {
                    kind: Kind::PropertyRemoved {
                        required: o.is_required(name),
                    },
                    path: format!(".{name}"),
                    location: Rc::from(child[0].as_str()),
                    also: 0,
                });
            }
        }
        for (name, child_n) in &n.properties {
            let required_n = n.is_required(name);
            let Some(child_o) = o.properties.get(name) else {
                out.push(Finding {
                    kind: Kind::PropertyAdded {
                        required: required_n,
                    },
                    path: format!(".{name}"),
                    location: Rc::from(child_n[0].as_str()),
                    also: 0,
                });
                continue;
            };
            let required_o = o.is_required(name);
            let eo = self.old.node(child_o);
            let en = self.new.node(child_n);
            let (null_o, null_n) = (eo.is_nullable(), en.is_nullable());
            if required_o != required_n || null_o != null_n {
                let (opt_o, opt_n) = (is_option(required_o, null_o), is_option(required_n, null_n));
                let ty_o = rust_type_text(&mut self.old, &eo);
                let ty_n = rust_type_text(&mut self.new, &en);
                let (from, to) = (with_option(&ty_o, opt_o), with_option(&ty_n, opt_n));
                if required_o != required_n {
                    out.push(Finding {
                        kind: Kind::RequiredChanged {
                            now_required: required_n,
                            rust_changed: opt_o != opt_n,
                            from: from.clone(),
                            to: to.clone(),
                        },
                        path: format!(".{name}"),
                        location: Rc::from(child_n[0].as_str()),
                        also: 0,
                    });
                }
                if null_o != null_n {
                    out.push(Finding {
                        kind: Kind::NullableChanged {
                            now_nullable: null_n,
                            rust_changed: opt_o != opt_n,
                            from,
                            to,
                        },
                        path: format!(".{name}"),
                        location: en.pointer.clone(),
                        also: 0,
                    });
                }
            }
            self.child(&eo, &en, ".", name, out, low);
        }
    }
}

fn describe_format(n: &Norm<'_>) -> String {
    let ty = n.ty.unwrap_or("untyped");
    match n.format {
        Some(f) => format!("{ty} (format {f})"),
        None => format!("{ty} (no format)"),
    }
}

fn describe_unresolved(text: String, n: &Norm<'_>) -> String {
    match n.unresolved {
        Some(r) => format!("unresolved {r}"),
        None => text,
    }
}

/// Keywords that accept less in `n` than in `o`, described.
pub(crate) fn narrowed(o: &Constraints<'_>, n: &Constraints<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut upper = |name: &str, a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) if y < x => out.push(format!("{name} lowered from {x} to {y}")),
        (None, Some(y)) => out.push(format!("{name} {y} added")),
        _ => {}
    };
    upper("maxLength", o.max_length, n.max_length);
    upper("maximum", o.maximum, n.maximum);
    upper("maxItems", o.max_items, n.max_items);
    upper("maxProperties", o.max_properties, n.max_properties);
    let mut lower = |name: &str, a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) if y > x => out.push(format!("{name} raised from {x} to {y}")),
        (None, Some(y)) if y > 0.0 => out.push(format!("{name} {y} added")),
        _ => {}
    };
    lower("minLength", o.min_length, n.min_length);
    lower("minimum", o.minimum, n.minimum);
    lower("minItems", o.min_items, n.min_items);
    lower("minProperties", o.min_properties, n.min_properties);
    let mut flag = |name: &str, a: Option<bool>, b: Option<bool>| {
        if a != Some(true) && b == Some(true) {
            out.push(format!("{name} became true"));
        }
    };
    flag("exclusiveMaximum", o.exclusive_maximum, n.exclusive_maximum);
    flag("exclusiveMinimum", o.exclusive_minimum, n.exclusive_minimum);
    flag("uniqueItems", o.unique_items, n.unique_items);
    match (o.pattern, n.pattern) {
        (None, Some(p)) => out.push(format!("pattern {} added", super::code(p))),
        (Some(a), Some(b)) if a != b => {
            out.push(format!("pattern changed from {} to {}", super::code(a), super::code(b)))
        }
        _ => {}
    }
    match (o.multiple_of, n.multiple_of) {
        (None, Some(m)) => out.push(format!("multipleOf {m} added")),
        // Every multiple of `a` stays valid only when `a` is itself a multiple of `b`.
        (Some(a), Some(b)) if b != 0.0 && (a / b).fract() != 0.0 => {
            out.push(format!("multipleOf changed from {a} to {b}"))
        }
        _ => {}
    }
    out
}

/// Keeps the first [`MAX_LISTED_PATHS`] paths to each change and counts the rest in the first
/// one's `also`.
fn fold_paths(found: Vec<Finding>) -> Vec<Finding> {
    let mut first: HashMap<(Rc<str>, Kind), (usize, usize)> = HashMap::new();
    let mut out: Vec<Finding> = Vec::with_capacity(found.len());
    for f in found {
        match first.get_mut(&(f.location.clone(), f.kind.clone())) {
            Some((_, listed)) if *listed < MAX_LISTED_PATHS => {
                *listed += 1;
                out.push(f);
            }
            Some((at, _)) => {
                let also = out[*at].also.saturating_add(1).saturating_add(f.also);
                out[*at].also = also;
            }
            None => {
                first.insert((f.location.clone(), f.kind.clone()), (out.len(), 1));
                out.push(f);
            }
        }
    }
    out
}
