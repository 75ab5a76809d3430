//! Operations, parameters, bodies, responses and security: the API surface, compared, with each
//! schema finding given its id and level according to the direction it travels.

use std::collections::HashMap;
use std::rc::Rc;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::compare::{Comparer, Finding, Kind};
use super::resolve::{Child, Norm, Resolver};
use super::rust_type::{is_option, rust_type_text, with_option};
use super::{code, Change, ChangeKind, Level};
use crate::config::Formats;
use crate::locate::join;
use crate::spec::{is_envelope, is_success, PathOp, Requirement};

/// Compares the operations of two raw documents.
pub(crate) fn diff(old: &Value, new: &Value, formats: &Formats) -> Vec<Change> {
    let mut cmp = Comparer::new(old, new, formats);
    let old_ops = operations(&cmp.old);
    let new_ops = operations(&cmp.new);
    let mut sink = Sink::default();
    let moved = moved(&old_ops, &new_ops);
    for (key, o) in &old_ops {
        if !new_ops.contains_key(key) && !moved.values().any(|k| k == key) {
            sink.add(
                ChangeKind::EndpointRemoved,
                Level::Breaking,
                &o.display,
                &o.at.op_ptr,
                format!(
                    "endpoint removed{}: its generated method disappears",
                    op_id_note(o.obj)
                ),
                None,
            );
        }
    }
    for (key, n) in &new_ops {
        if let Some(o) = moved.get(key).and_then(|k| old_ops.get(k)) {
            sink.add(
                ChangeKind::EndpointMoved,
                Level::Warning,
                &n.display,
                &n.at.op_ptr,
                format!(
                    "endpoint moved from {}{}: the generated method calls the new path (where it lives and its path arguments follow the path)",
                    code(&o.display),
                    op_id_note(n.obj)
                ),
                None,
            );
            compare_operation(&mut cmp, &mut sink, o, n);
            continue;
        }
        match old_ops.get(key) {
            None => sink.add(
                ChangeKind::EndpointAdded,
                Level::Info,
                &n.display,
                &n.at.op_ptr,
                format!("endpoint added{}", op_id_note(n.obj)),
                None,
            ),
            Some(o) => compare_operation(&mut cmp, &mut sink, o, n),
        }
    }
    let mut changes = sink.finish();
    changes.extend(compare_schemes(old, new));
    changes
}

/// Security schemes both documents name whose credential now travels another way (another
/// `type`, HTTP `scheme`, or `in`/`name` of an API key): every client that sent it breaks.
fn compare_schemes(old: &Value, new: &Value) -> Vec<Change> {
    const AT: &str = "/components/securitySchemes";
    let (Some(a), Some(b)) = (crate::locate::get(old, AT).and_then(Value::as_object), crate::locate::get(new, AT).and_then(Value::as_object)) else {
        return Vec::new();
    };
    let sent = |v: &Value| -> String {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        match s("type").as_str() {
            "http" => format!("http {}", s("scheme").to_ascii_lowercase()),
            "apiKey" => format!("apiKey in {}: {}", s("in"), s("name")),
            other => other.to_string(),
        }
    };
    let mut out = Vec::new();
    for (name, o) in a {
        let Some(n) = b.get(name) else { continue };
        let (was, is) = (sent(o), sent(n));
        if was != is {
            out.push(Change {
                kind: ChangeKind::SecuritySchemeChanged,
                level: Level::Breaking,
                operation: None,
                location: format!("{AT}/{}", crate::locate::escape_token(name)),
                message: format!("security scheme {} changed: {} → {}", code(name), code(&was), code(&is)),
                acknowledged: None,
            });
        }
    }
    out
}

/// Endpoints that moved: an operation only OLD has and one only NEW has, with the same method
/// and operationId (each unique among them), as NEW's key → OLD's key.
fn moved(old: &IndexMap<String, Op<'_>>, new: &IndexMap<String, Op<'_>>) -> IndexMap<String, String> {
    /// (method, operationId) → the keys of the operations only this side has.
    fn only<'k>(side: &'k IndexMap<String, Op<'_>>, other: &IndexMap<String, Op<'_>>) -> IndexMap<(&'k str, &'k str), Vec<&'k String>> {
        let mut out: IndexMap<(&str, &str), Vec<&String>> = IndexMap::new();
        for (key, op) in side.iter().filter(|(k, _)| !other.contains_key(*k)) {
            if let Some(id) = op.obj.get("operationId").and_then(Value::as_str) {
                out.entry((op.at.method.as_str(), id)).or_default().push(key);
            }
        }
        out
    }
    let (gone, added) = (only(old, new), only(new, old));
    let mut out = IndexMap::new();
    for (id, keys) in &added {
        if let (Some([o]), [n]) = (gone.get(id).map(Vec::as_slice), keys.as_slice()) {
            out.insert((*n).clone(), (*o).clone());
        }
    }
    out
}

fn op_id_note(obj: &Map<String, Value>) -> String {
    match obj.get("operationId").and_then(Value::as_str) {
        Some(id) => format!(" (operationId {})", code(id)),
        None => String::new(),
    }
}

/// One operation of a document.
struct Op<'a> {
    /// `GET /a/{id}` as written.
    display: String,
    /// Where it is, as the generator walks it.
    at: PathOp<'a>,
    obj: &'a Map<String, Value>,
}

/// The operations of a document, keyed by method and template with the parameter names left
/// out (`GET /a/{}`), so renaming a path parameter is no change; where two paths share a key
/// the first in the generator's (sorted) order stands for both. A path whose item `$ref` cannot
/// be followed has none (the generator refuses it).
fn operations<'a>(res: &Resolver<'a>) -> IndexMap<String, Op<'a>> {
    let mut out = IndexMap::new();
    for path in res.spec.path_keys() {
        for at in res.spec.path_operations(path).unwrap_or_default() {
            let Some(obj) = res.spec.object(&at.op_ptr) else {
                continue;
            };
            let upper = at.method.to_ascii_uppercase();
            let key = format!("{upper} {}", at.template.normalized());
            out.entry(key).or_insert_with(|| Op {
                display: format!("{upper} {path}"),
                at,
                obj,
            });
        }
    }
    out
}

/// Collects changes, folding the same change reached along several schema paths (a component
/// used by `errors` and `messages`, by `200` and `4XX`) into one, with every path listed.
#[derive(Default)]
struct Sink {
    /// Each change's places, and how many further paths lead to it unlisted.
    entries: IndexMap<SinkKey, (Places, u64)>,
    /// The same change (kind, level, place, message) by operation: how many operations report
    /// it, and how many more were counted past [`MAX_OPERATIONS_PER_CHANGE`].
    spread: HashMap<(ChangeKind, Level, String, String), (usize, u64)>,
}

/// The most operations one change of a shared schema is reported for; the rest are counted on
/// the first. A component enum whose 1,000 values changed, used by 1,000 operations, wrote
/// 327 MB of report.
const MAX_OPERATIONS_PER_CHANGE: usize = 8;

/// (kind, level, operation, location, message without the places).
type SinkKey = (ChangeKind, Level, String, String, String);
/// Schema path → the responses (or media types) it was seen in.
type Places = IndexMap<String, Vec<String>>;

impl Sink {
    fn add(
        &mut self,
        kind: ChangeKind,
        level: Level,
        operation: &str,
        location: &str,
        base: String,
        place: Option<(String, String)>,
    ) {
        self.add_counted(kind, level, operation, location, base, place, 0);
    }

    /// [`Sink::add`] for a change found along `also` further paths that are not listed.
    #[expect(clippy::too_many_arguments, reason = "`add`'s place and a count beside it")]
    fn add_counted(
        &mut self,
        kind: ChangeKind,
        level: Level,
        operation: &str,
        location: &str,
        base: String,
        place: Option<(String, String)>,
        also: u64,
    ) {
        debug_assert!(
            kind.levels().contains(&level),
            "{kind} reported as {level}, which its catalog entry does not list"
        );
        let key = (kind, level, operation.to_string(), location.to_string(), base);
        if !self.entries.contains_key(&key) {
            let (listed, more) = self.spread.entry((key.0, key.1, key.3.clone(), key.4.clone())).or_default();
            if *listed >= MAX_OPERATIONS_PER_CHANGE {
                *more = more.saturating_add(1);
                return;
            }
            *listed += 1;
        }
        let (places, more) = self.entries.entry(key).or_default();
        *more = more.saturating_add(also);
        if let Some((path, context)) = place {
            let contexts = places.entry(path).or_default();
            if !context.is_empty() && !contexts.contains(&context) {
                contexts.push(context);
            }
        }
    }

    fn finish(mut self) -> Vec<Change> {
        const SHOWN: usize = 4;
        self.entries
            .into_iter()
            .map(|((kind, level, operation, location, base), (places, also))| {
                // The first operation's entry says how many more operations the change reaches.
                let elsewhere = match self.spread.get_mut(&(kind, level, location.clone(), base.clone())) {
                    Some((_, more)) if *more > 0 => std::mem::take(more),
                    _ => 0,
                };
                let mut list: Vec<String> = places
                    .iter()
                    .take(SHOWN)
                    .map(|(path, contexts)| {
                        if contexts.is_empty() {
                            code(path)
                        } else {
                            format!("{} ({})", code(path), contexts.join(", "))
                        }
                    })
                    .collect();
                let more = (places.len().saturating_sub(SHOWN) as u64).saturating_add(also);
                if more > 0 {
                    list.push(format!("and {more} more"));
                }
                let mut message = if list.is_empty() {
                    base
                } else {
                    format!("{base}: {}", list.join(", "))
                };
                if elsewhere > 0 {
                    message.push_str(&format!(" (and in {elsewhere} more operations, not listed)"));
                }
                Change {
                    kind,
                    level,
                    operation: Some(operation),
                    location,
                    message,
                    acknowledged: None,
                }
            })
            .collect()
    }
}

fn flag(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn compare_operation<'a>(cmp: &mut Comparer<'a>, sink: &mut Sink, o: &Op<'a>, n: &Op<'a>) {
    let op = n.display.as_str();
    if !flag(o.obj, "deprecated") && flag(n.obj, "deprecated") {
        sink.add(
            ChangeKind::EndpointDeprecated,
            Level::Warning,
            op,
            &join(&n.at.op_ptr, "deprecated"),
            "endpoint deprecated".to_string(),
            None,
        );
    }
    let id_o = o.obj.get("operationId").and_then(Value::as_str);
    let id_n = n.obj.get("operationId").and_then(Value::as_str);
    if id_o != id_n {
        let show = |id: Option<&str>| id.map_or("(none)".to_string(), code);
        let location = if id_n.is_some() {
            join(&n.at.op_ptr, "operationId")
        } else {
            n.at.op_ptr.clone()
        };
        sink.add(
            ChangeKind::OperationIdChanged,
            Level::Breaking,
            op,
            &location,
            format!(
                "operationId changed from {} to {}: the generated method is renamed",
                show(id_o),
                show(id_n)
            ),
            None,
        );
    }
    compare_parameters(cmp, sink, o, n);
    compare_request_body(cmp, sink, o, n);
    compare_responses(cmp, sink, o, n);
    compare_security(cmp, sink, o, n);
}

// ---------------------------------------------------------------------------------------------
// Parameters

struct Param<'a> {
    name: &'a str,
    location_in: &'a str,
    required: bool,
    /// The entry in the `parameters` list.
    site: String,
    /// The parameter object (after `$ref`).
    pointer: String,
    schema: Option<Child>,
}

/// The parameters of an operation (path-item level, then operation level, as the generator
/// applies them), keyed for matching: path parameters by their place in the template, so
/// renaming one is no change; header names case-insensitively.
fn parameters<'a>(res: &Resolver<'a>, op: &Op<'a>) -> IndexMap<(String, String), Param<'a>> {
    let mut out = IndexMap::new();
    // A `$ref` the generator refuses leaves the operation without parameters.
    for p in res.spec.parameters(&op.at).unwrap_or_default() {
        let Some(obj) = res.spec.object(&p.ptr) else {
            continue;
        };
        let (Some(name), Some(location_in)) = (
            obj.get("name").and_then(Value::as_str),
            obj.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let key = match location_in {
            "path" => match op.at.template.position(name) {
                Some(i) => ("path".to_string(), format!("#{i}")),
                None => ("path".to_string(), name.to_string()),
            },
            "header" => ("header".to_string(), name.to_ascii_lowercase()),
            other => (other.to_string(), name.to_string()),
        };
        // The generator types a parameter from its `schema` only; one described by `content`
        // becomes a `serde_json::Value`, so changes inside that content change no Rust.
        let schema = obj.get("schema").is_some_and(Value::is_object).then(|| Rc::new(vec![join(&p.ptr, "schema")]));
        out.insert(
            key,
            Param {
                name,
                location_in,
                required: location_in == "path" || flag(obj, "required"),
                site: p.site,
                pointer: p.ptr,
                schema,
            },
        );
    }
    out
}

fn compare_parameters<'a>(cmp: &mut Comparer<'a>, sink: &mut Sink, o: &Op<'a>, n: &Op<'a>) {
    let op = n.display.as_str();
    let old_params = parameters(&cmp.old, o);
    let new_params = parameters(&cmp.new, n);
    for (key, p) in &old_params {
        if !new_params.contains_key(key) {
            sink.add(
                ChangeKind::RequestParameterRemoved,
                Level::Breaking,
                op,
                &p.site,
                format!("{} parameter {} removed", p.location_in, code(p.name)),
                None,
            );
        }
    }
    for (key, pn) in &new_params {
        let Some(po) = old_params.get(key) else {
            let (id, level, word) = if pn.required {
                (
                    ChangeKind::RequiredRequestParameterAdded,
                    Level::Breaking,
                    "required",
                )
            } else {
                (ChangeKind::OptionalRequestParameterAdded, Level::Info, "optional")
            };
            sink.add(
                id,
                level,
                op,
                &pn.site,
                format!("{word} {} parameter {} added", pn.location_in, code(pn.name)),
                None,
            );
            continue;
        };
        let subject = format!("{} parameter {}", pn.location_in, code(pn.name));
        let (so, sn) = (
            po.schema.as_ref().map(|c| cmp.old.node(c)),
            pn.schema.as_ref().map(|c| cmp.new.node(c)),
        );
        if po.required != pn.required {
            let ty_o = so.as_ref().map_or("serde_json::Value".into(), |s| {
                rust_type_text(&mut cmp.old, s)
            });
            let ty_n = sn.as_ref().map_or("serde_json::Value".into(), |s| {
                rust_type_text(&mut cmp.new, s)
            });
            let null_o = so.as_ref().is_some_and(|s| s.is_nullable());
            let null_n = sn.as_ref().is_some_and(|s| s.is_nullable());
            let from = with_option(&ty_o, is_option(po.required, null_o));
            let to = with_option(&ty_n, is_option(pn.required, null_n));
            if pn.required {
                sink.add(
                    ChangeKind::RequestParameterBecameRequired,
                    Level::Breaking,
                    op,
                    &pn.pointer,
                    format!("{subject} became required (`{from}` → `{to}`)"),
                    None,
                );
            } else {
                sink.add(
                    ChangeKind::RequestParameterBecameOptional,
                    Level::Breaking,
                    op,
                    &pn.pointer,
                    format!("{subject} became optional: the generated argument changes from `{from}` to `{to}`"),
                    None,
                );
            }
        }
        if let (Some(so), Some(sn)) = (so, sn) {
            let found = cmp.schemas(&so, &sn);
            for f in found.iter() {
                emit(sink, op, Subject::Parameter, f, &subject, String::new());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Request bodies

fn compare_request_body<'a>(cmp: &mut Comparer<'a>, sink: &mut Sink, o: &Op<'a>, n: &Op<'a>) {
    let op = n.display.as_str();
    let bo = cmp.old.deref(&join(&o.at.op_ptr, "requestBody"));
    let bn = cmp.new.deref(&join(&n.at.op_ptr, "requestBody"));
    let (po, obj_o, pn, obj_n) = match (bo, bn) {
        (None, None) => return,
        (Some((p, _)), None) => {
            sink.add(
                ChangeKind::RequestBodyRemoved,
                Level::Breaking,
                op,
                &p,
                "request body removed: the generated method no longer takes it".into(),
                None,
            );
            return;
        }
        (None, Some((p, obj))) => {
            if flag(obj, "required") {
                sink.add(
                    ChangeKind::RequiredRequestBodyAdded,
                    Level::Breaking,
                    op,
                    &p,
                    "required request body added".into(),
                    None,
                );
            } else {
                sink.add(
                    ChangeKind::OptionalRequestBodyAdded,
                    Level::Info,
                    op,
                    &p,
                    "optional request body added".into(),
                    None,
                );
            }
            return;
        }
        (Some((po, oo)), Some((pn, on))) => (po, oo, pn, on),
    };
    let (req_o, req_n) = (flag(obj_o, "required"), flag(obj_n, "required"));
    if !req_o && req_n {
        sink.add(
            ChangeKind::RequestBodyBecameRequired,
            Level::Breaking,
            op,
            &pn,
            "request body became required".into(),
            None,
        );
    } else if req_o && !req_n {
        sink.add(
            ChangeKind::RequestBodyBecameOptional,
            Level::Info,
            op,
            &pn,
            "request body became optional: the server accepts a request without it".into(),
            None,
        );
    }
    let empty = Map::new();
    let co = obj_o
        .get("content")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let cn = obj_n
        .get("content")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (mt, media_o) in co {
        let Some(media_n) = cn.get(mt) else {
            sink.add(
                ChangeKind::RequestMediaTypeRemoved,
                Level::Breaking,
                op,
                &join(&join(&po, "content"), mt),
                format!("request media type {} removed", code(mt)),
                None,
            );
            continue;
        };
        if media_o.get("schema").is_none() || media_n.get("schema").is_none() {
            continue;
        }
        let so = cmp
            .old
            .one(&join(&join(&join(&po, "content"), mt), "schema"));
        let sn = cmp
            .new
            .one(&join(&join(&join(&pn, "content"), mt), "schema"));
        let context = if co.len() > 1 {
            mt.clone()
        } else {
            String::new()
        };
        let mut found: Vec<Finding> = Vec::new();
        root_nullable(cmp, &so, &sn, req_o, req_n, &mut found);
        found.extend(cmp.schemas(&so, &sn).iter().cloned());
        for f in &found {
            emit(
                sink,
                op,
                Subject::Request,
                f,
                "request body",
                context.clone(),
            );
        }
    }
}

/// A body's own nullability, reported like a property's.
fn root_nullable<'a>(
    cmp: &mut Comparer<'a>,
    so: &Rc<Norm<'a>>,
    sn: &Rc<Norm<'a>>,
    req_o: bool,
    req_n: bool,
    out: &mut Vec<Finding>,
) {
    let (null_o, null_n) = (so.is_nullable(), sn.is_nullable());
    if null_o == null_n {
        return;
    }
    let (opt_o, opt_n) = (is_option(req_o, null_o), is_option(req_n, null_n));
    let from = with_option(&rust_type_text(&mut cmp.old, so), opt_o);
    let to = with_option(&rust_type_text(&mut cmp.new, sn), opt_n);
    out.push(Finding {
        kind: Kind::NullableChanged {
            now_nullable: null_n,
            rust_changed: opt_o != opt_n,
            from,
            to,
        },
        path: String::new(),
        location: sn.pointer.clone(),
        also: 0,
    });
}

// ---------------------------------------------------------------------------------------------
// Responses

fn compare_responses<'a>(cmp: &mut Comparer<'a>, sink: &mut Sink, o: &Op<'a>, n: &Op<'a>) {
    let op = n.display.as_str();
    let empty = Map::new();
    let ro = o
        .obj
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let rn = n
        .obj
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let base_o = join(&o.at.op_ptr, "responses");
    let base_n = join(&n.at.op_ptr, "responses");
    for status in ro.keys() {
        if !rn.contains_key(status) {
            if is_success(status) {
                sink.add(
                    ChangeKind::SuccessStatusRemoved,
                    Level::Breaking,
                    op,
                    &join(&base_o, status),
                    format!("success response {} removed", code(status)),
                    None,
                );
            }
            continue;
        }
        let (Some((po, obj_o)), Some((pn, obj_n))) = (
            cmp.old.deref(&join(&base_o, status)),
            cmp.new.deref(&join(&base_n, status)),
        ) else {
            continue;
        };
        let co = obj_o
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let cn = obj_n
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (mt, media_o) in co {
            let Some(media_n) = cn
                .get(mt)
                .filter(|m| m.get("schema").is_some() || media_o.get("schema").is_none())
            else {
                if is_success(status) {
                    sink.add(
                        ChangeKind::ResponseMediaTypeRemoved,
                        Level::Breaking,
                        op,
                        &join(&join(&po, "content"), mt),
                        format!("response {} no longer has a {} body", code(status), code(mt)),
                        None,
                    );
                }
                continue;
            };
            if media_o.get("schema").is_none() || media_n.get("schema").is_none() {
                continue;
            }
            let so = cmp
                .old
                .one(&join(&join(&join(&po, "content"), mt), "schema"));
            let sn = cmp
                .new
                .one(&join(&join(&join(&pn, "content"), mt), "schema"));
            let context = if co.len() > 1 {
                format!("{status} {mt}")
            } else {
                status.clone()
            };
            let (env_o, env_n) = (unwrapped(&so), unwrapped(&sn));
            let scope = if !is_success(status) {
                Scope::Failure
            } else if env_o && env_n {
                Scope::Envelope
            } else {
                Scope::Generated
            };
            if is_success(status) && env_o != env_n {
                let message = if env_n {
                    "response body became a Cloudflare envelope: the generated method now returns its `result` instead of the whole body"
                } else {
                    "response body is no longer a Cloudflare envelope: the generated method now returns the whole body instead of `result`"
                };
                sink.add(
                    ChangeKind::ResponseEnvelopeChanged,
                    Level::Breaking,
                    op,
                    &sn.pointer,
                    message.to_string(),
                    Some(("(response body)".to_string(), context.clone())),
                );
            }
            let mut found: Vec<Finding> = Vec::new();
            root_nullable(cmp, &so, &sn, true, true, &mut found);
            found.extend(cmp.schemas(&so, &sn).iter().cloned());
            for f in &found {
                emit(
                    sink,
                    op,
                    Subject::Response(scope),
                    f,
                    "response body",
                    context.clone(),
                );
            }
        }
    }
    for status in rn.keys() {
        if !ro.contains_key(status) && is_success(status) {
            sink.add(
                ChangeKind::SuccessStatusAdded,
                Level::Info,
                op,
                &join(&base_n, status),
                format!("success response {} added", code(status)),
                None,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Security

/// The security that applies to an operation: its own, or the document's. Answers the pointer
/// of the list and the requirements (alternatives).
fn security(res: &Resolver<'_>, op: &Op<'_>) -> (String, Vec<Requirement>) {
    match res.spec.operation_security(&op.at.op_ptr) {
        Some(list) => (list.pointer, list.alternatives.into_iter().map(|(_, r)| r).collect()),
        None => ("/security".to_string(), Vec::new()),
    }
}

fn show_requirement(r: &Requirement) -> String {
    if r.is_empty() {
        return "no authentication".to_string();
    }
    r.iter()
        .map(|(k, scopes)| {
            if scopes.is_empty() {
                code(k)
            } else {
                format!("{} ({})", code(k), scopes.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Whether `less` asks for part of what `more` asks for: each of its schemes is in `more`, with
/// no scope `more` does not have.
fn asks_less(less: &Requirement, more: &Requirement) -> bool {
    less.iter().all(|(scheme, scopes)| more.get(scheme).is_some_and(|m| scopes.iter().all(|s| m.contains(s))))
}

fn compare_security<'a>(cmp: &mut Comparer<'a>, sink: &mut Sink, o: &Op<'a>, n: &Op<'a>) {
    let op = n.display.as_str();
    let (ptr_o, so) = security(&cmp.old, o);
    let (ptr_n, sn) = security(&cmp.new, n);
    for (i, r) in so.iter().enumerate() {
        if sn.contains(r) {
            continue;
        }
        // A client that met `r` also meets a requirement that asks for part of it: an all-of
        // requirement split into alternatives, or one scheme or scope dropped.
        let (level, message) = match sn.iter().find(|s| asks_less(s, r)) {
            Some(s) => (
                Level::Info,
                format!(
                    "security requirement {} relaxed: {} suffices now, which a client meeting the old one also sends",
                    show_requirement(r),
                    show_requirement(s)
                ),
            ),
            None => (Level::Breaking, format!("security requirement {} removed", show_requirement(r))),
        };
        sink.add(ChangeKind::SecurityRequirementRemoved, level, op, &format!("{ptr_o}/{i}"), message, None);
    }
    for (i, r) in sn.iter().enumerate() {
        if !so.contains(r) {
            let (level, note) = if so.is_empty() {
                (
                    Level::Breaking,
                    ": the endpoint needed no credentials before",
                )
            } else {
                (Level::Info, " as an alternative")
            };
            sink.add(
                ChangeKind::SecurityRequirementAdded,
                level,
                op,
                &format!("{ptr_n}/{i}"),
                format!("security requirement {} added{note}", show_requirement(r)),
                None,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Classification

#[derive(Clone, Copy, PartialEq, Eq)]
enum Subject {
    Parameter,
    Request,
    Response(Scope),
}

/// What the generated crate makes of a response body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// A success body decoded into generated types.
    Generated,
    /// A success body that is a Cloudflare envelope in OLD and NEW: the generated method returns
    /// `result`; `success`, `errors`, `messages` and `result_info` are decoded by the runtime's
    /// fixed types, and any other member is ignored.
    Envelope,
    /// A failure body (4XX, 5XX, `default`): no generated type; the runtime's `ApiError` reads
    /// `success`, `errors` and `messages`.
    Failure,
}

/// Whether the generator unwraps this response body to `result` (the properties are those of
/// the body schema with `allOf` merged, as the generator reads them).
fn unwrapped(n: &Norm<'_>) -> bool {
    is_envelope(|k| n.properties.contains_key(k))
}

/// The first property name of a schema path (`.errors[].code` → `errors`), if it has one.
fn first_member(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('.')?;
    let end = rest.find(['.', '[', '{', '<']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// For a response finding that does not touch a generated type: its level and why.
fn runtime_decoded(scope: Scope, f: &Finding) -> Option<(Level, &'static str)> {
    let member = first_member(&f.path);
    let runtime_type = match member {
        Some("errors" | "messages") => Some("`ResponseInfo`"),
        Some("result_info") => Some("`ResultInfo`"),
        Some("success") => Some("`bool`"),
        _ => None,
    };
    match (scope, runtime_type) {
        (Scope::Generated, _) => None,
        (Scope::Envelope, None) if member.is_none() || member == Some("result") => None,
        (Scope::Envelope | Scope::Failure, Some(ty)) => {
            // The member itself took another shape: the runtime's type may no longer decode it.
            let own_shape = matches!(f.kind, Kind::TypeChanged { rust_changed: true, .. })
                && f.path.strip_prefix('.') == member;
            Some(if own_shape {
                (
                    Level::Warning,
                    match ty {
                        "`ResponseInfo`" => "envelope member decoded by the runtime's fixed `ResponseInfo` list, which may no longer decode it",
                        "`ResultInfo`" => "envelope member decoded by the runtime's fixed `ResultInfo`, which may no longer decode it",
                        _ => "envelope member read by the runtime as a `bool`, which may no longer decode it",
                    },
                )
            } else {
                (
                    Level::Info,
                    match ty {
                        "`ResponseInfo`" => "envelope member decoded by the runtime's fixed `ResponseInfo`; the generated API does not change",
                        "`ResultInfo`" => "envelope member decoded by the runtime's fixed `ResultInfo`; the generated API does not change",
                        _ => "envelope member read by the runtime; the generated API does not change",
                    },
                )
            })
        }
        (Scope::Envelope, None) => Some((
            Level::Info,
            "envelope member the generated client ignores, since it returns `result`; the generated API does not change",
        )),
        (Scope::Failure, None) => Some((
            Level::Info,
            "failure response, decoded by the runtime's `ApiError`, not by generated types; the generated API does not change",
        )),
    }
}

fn emit(sink: &mut Sink, op: &str, subject: Subject, f: &Finding, root: &str, context: String) {
    let runtime = match subject {
        Subject::Response(scope) => runtime_decoded(scope, f),
        _ => None,
    };
    let Some((kind, mut level, mut base)) = classify(subject, &f.kind, runtime.is_none()) else {
        return;
    };
    if let Some((runtime_level, why)) = runtime {
        level = runtime_level;
        base = format!("{base} ({why})");
    }
    let path = f.path.strip_prefix('.').unwrap_or(&f.path);
    let place = match subject {
        Subject::Parameter => {
            // `query parameter `x``, then the path inside its schema.
            let base = match (path.is_empty(), f.also) {
                (true, _) => base.replacen("{subject}", root, 1),
                (false, 0) => base.replacen("{subject}", &format!("{root} (at {})", code(path)), 1),
                (false, also) => base.replacen("{subject}", &format!("{root} (at {} and {also} more paths)", code(path)), 1),
            };
            sink.add(kind, level, op, &f.location, base, None);
            return;
        }
        _ if path.is_empty() => format!("({root})"),
        _ => path.to_string(),
    };
    let base = base.replacen("{subject} ", "", 1);
    sink.add_counted(kind, level, op, &f.location, base, Some((place, context)), f.also);
}

fn breaking_if(rust_changed: bool, otherwise: Level) -> Level {
    if rust_changed {
        Level::Breaking
    } else {
        otherwise
    }
}

/// The kind, level and message (with `{subject}` standing for a parameter's name) of a finding.
/// `generated` is false for a response part no generated type is made of: its messages say
/// nothing about Rust types.
fn classify(
    subject: Subject,
    kind: &Kind,
    generated: bool,
) -> Option<(ChangeKind, Level, String)> {
    use Kind::*;
    use Subject::*;
    let rust_note = |rust_changed: bool, from: &str, to: &str| {
        if !generated {
            String::new()
        } else if rust_changed {
            format!(" (Rust `{from}` → `{to}`)")
        } else {
            format!(" (Rust type stays `{to}`)")
        }
    };
    let r = match (subject, kind) {
        (_, TooDeep) => (
            ChangeKind::NestingTooDeep,
            Level::Warning,
            format!(
                "schemas nest more than {} levels deep here (counted through `$ref`s); not compared further, and the generator refuses the document",
                crate::limits::MAX_SCHEMA_DEPTH
            ),
        ),
        (Response(_), PropertyAdded { required }) => (
            ChangeKind::ResponsePropertyAdded,
            Level::Info,
            format!("{} response property added", req_word(*required)),
        ),
        (Response(_), PropertyRemoved { required }) => (
            ChangeKind::ResponsePropertyRemoved,
            Level::Breaking,
            format!("{} response property removed", req_word(*required)),
        ),
        (
            Response(_),
            RequiredChanged {
                now_required,
                rust_changed,
                from,
                to,
            },
        ) => (
            if *now_required {
                ChangeKind::ResponsePropertyBecameRequired
            } else {
                ChangeKind::ResponsePropertyBecameOptional
            },
            breaking_if(*rust_changed, Level::Info),
            format!(
                "response property became {}{}",
                if *now_required {
                    "required"
                } else {
                    "optional"
                },
                rust_note(*rust_changed, from, to)
            ),
        ),
        (
            Response(_),
            NullableChanged {
                now_nullable,
                rust_changed,
                from,
                to,
            },
        ) => (
            if *now_nullable {
                ChangeKind::ResponsePropertyBecameNullable
            } else {
                ChangeKind::ResponsePropertyBecameNotNullable
            },
            breaking_if(*rust_changed, Level::Info),
            format!(
                "response property became {}{}",
                if *now_nullable {
                    "nullable"
                } else {
                    "not nullable"
                },
                rust_note(*rust_changed, from, to)
            ),
        ),
        (
            Response(_),
            TypeChanged {
                from,
                to,
                rust_changed,
            },
        ) => (
            ChangeKind::ResponsePropertyTypeChanged,
            breaking_if(*rust_changed, Level::Warning),
            type_message("response", from, to, *rust_changed),
        ),
        (Response(_), EnumValueAdded { value, catch_all }) => (
            ChangeKind::ResponseEnumValueAdded,
            if *catch_all {
                Level::Info
            } else {
                Level::Breaking
            },
            format!(
                "response enum value {value} added{}",
                if *catch_all && generated {
                    " (the generated enum has a catch-all)"
                } else {
                    ""
                }
            ),
        ),
        (Response(_), EnumValueRemoved { value, rust_enum }) => (
            ChangeKind::ResponseEnumValueRemoved,
            breaking_if(*rust_enum, Level::Info),
            format!(
                "response enum value {value} removed{}",
                if *rust_enum && generated {
                    " (its Rust variant disappears)"
                } else {
                    ""
                }
            ),
        ),
        (Response(_), ConstraintNarrowed { .. }) => return None,

        (
            Parameter,
            TypeChanged {
                from,
                to,
                rust_changed,
            },
        ) => (
            ChangeKind::RequestParameterTypeChanged,
            breaking_if(*rust_changed, Level::Warning),
            type_message("{subject}", from, to, *rust_changed),
        ),
        (Parameter, EnumValueRemoved { value, .. }) => (
            ChangeKind::RequestParameterEnumValueRemoved,
            Level::Breaking,
            format!("{{subject}} no longer accepts enum value {value}"),
        ),
        (Parameter, EnumValueAdded { value, .. }) => (
            ChangeKind::RequestParameterEnumValueAdded,
            Level::Info,
            format!("{{subject}} accepts new enum value {value}"),
        ),
        (Parameter, ConstraintNarrowed { what }) => (
            ChangeKind::RequestParameterConstraintNarrowed,
            Level::Warning,
            format!("{{subject}} narrowed: {what}"),
        ),

        (_, PropertyAdded { required: true }) => (
            ChangeKind::RequiredRequestPropertyAdded,
            Level::Breaking,
            "{subject} required request property added".to_string(),
        ),
        (_, PropertyAdded { required: false }) => (
            ChangeKind::OptionalRequestPropertyAdded,
            Level::Info,
            "{subject} optional request property added".to_string(),
        ),
        (_, PropertyRemoved { required }) => (
            ChangeKind::RequestPropertyRemoved,
            Level::Breaking,
            format!(
                "{{subject}} {} request property removed",
                req_word(*required)
            ),
        ),
        (
            _,
            RequiredChanged {
                now_required: true,
                from,
                to,
                ..
            },
        ) => (
            ChangeKind::RequestPropertyBecameRequired,
            Level::Breaking,
            format!("{{subject}} request property became required (Rust `{from}` → `{to}`)"),
        ),
        (
            _,
            RequiredChanged {
                now_required: false,
                rust_changed,
                from,
                to,
            },
        ) => (
            ChangeKind::RequestPropertyBecameOptional,
            breaking_if(*rust_changed, Level::Info),
            format!(
                "{{subject}} request property became optional{}",
                rust_note(*rust_changed, from, to)
            ),
        ),
        (
            _,
            NullableChanged {
                now_nullable: false,
                ..
            },
        ) => (
            ChangeKind::RequestPropertyBecameNotNullable,
            Level::Breaking,
            "{subject} request property no longer accepts null".to_string(),
        ),
        (
            _,
            NullableChanged {
                now_nullable: true,
                rust_changed,
                from,
                to,
            },
        ) => (
            ChangeKind::RequestPropertyBecameNullable,
            breaking_if(*rust_changed, Level::Info),
            format!(
                "{{subject}} request property became nullable{}",
                rust_note(*rust_changed, from, to)
            ),
        ),
        (
            _,
            TypeChanged {
                from,
                to,
                rust_changed,
            },
        ) => (
            ChangeKind::RequestPropertyTypeChanged,
            breaking_if(*rust_changed, Level::Warning),
            type_message("{subject} request", from, to, *rust_changed),
        ),
        (_, EnumValueRemoved { value, .. }) => (
            ChangeKind::RequestPropertyEnumValueRemoved,
            Level::Breaking,
            format!("{{subject}} request enum value {value} no longer accepted"),
        ),
        (_, EnumValueAdded { value, .. }) => (
            ChangeKind::RequestPropertyEnumValueAdded,
            Level::Info,
            format!("{{subject}} request enum accepts new value {value}"),
        ),
        (_, ConstraintNarrowed { what }) => (
            ChangeKind::RequestPropertyConstraintNarrowed,
            Level::Warning,
            format!("{{subject}} request schema narrowed: {what}"),
        ),
    };
    Some(r)
}

fn req_word(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

fn type_message(subject: &str, from: &str, to: &str, rust_changed: bool) -> String {
    if rust_changed {
        format!("{subject} type changed from `{from}` to `{to}`")
    } else {
        format!("{subject} format changed from {from} to {to} (same Rust type)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(old: &Value, new: &Value) -> Vec<(ChangeKind, Option<String>)> {
        let mut out: Vec<_> = diff(old, new, &Formats::default()).into_iter().map(|c| (c.kind, c.operation)).collect();
        out.sort();
        out
    }

    fn ok() -> Value {
        json!({"200": {"description": "ok"}})
    }

    #[test]
    fn templates_match_as_the_generator_parses_them() {
        // Renaming a parameter is no change; a `{` that no `}` closes is literal text, as the
        // generator sends it, so `/a/{x` and `/a/{y` are different paths.
        let old = json!({"paths": {"/a/{x}": {"get": {"responses": ok()}}, "/b/{x": {"get": {"responses": ok()}}}});
        let new = json!({"paths": {"/a/{y}": {"get": {"responses": ok()}}, "/b/{y": {"get": {"responses": ok()}}}});
        assert_eq!(
            kinds(&old, &new),
            [
                (ChangeKind::EndpointAdded, Some("GET /b/{y".to_string())),
                (ChangeKind::EndpointRemoved, Some("GET /b/{x".to_string())),
            ]
        );
    }

    #[test]
    fn operations_beside_a_path_item_ref_are_walked() {
        let item = json!({"get": {"responses": ok()}});
        let old = json!({"paths": {"/a": {"$ref": "#/components/pathItems/A"}}, "components": {"pathItems": {"A": item}}});
        let new = json!({"paths": {"/a": {"$ref": "#/components/pathItems/A", "post": {"responses": ok()}}}, "components": {"pathItems": {"A": item}}});
        assert_eq!(kinds(&old, &new), [(ChangeKind::EndpointAdded, Some("POST /a".to_string()))]);
    }

    #[test]
    fn parameter_ref_chains_are_followed_as_far_as_the_generator_follows_them() {
        // 40 `$ref`s in a row: more than the old 32 hops, fewer than `MAX_SCHEMA_DEPTH`.
        let mut params = Map::new();
        for i in 0..40 {
            params.insert(format!("P{i}"), json!({"$ref": format!("#/components/parameters/P{}", i + 1)}));
        }
        let doc = |required: bool| {
            let mut params = params.clone();
            params.insert("P40".into(), json!({"name": "q", "in": "query", "required": required, "schema": {"type": "string"}}));
            json!({"paths": {"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/P0"}], "responses": ok()}}}, "components": {"parameters": params}})
        };
        assert_eq!(kinds(&doc(false), &doc(true)), [(ChangeKind::RequestParameterBecameRequired, Some("GET /a".to_string()))]);
    }

    #[test]
    fn a_parameter_described_by_content_changes_no_rust_when_that_content_changes() {
        // The generator makes such a parameter a `serde_json::Value`; its schema is not compared.
        let doc = |ty: &str| {
            let param = json!({"name": "filter", "in": "query", "content": {"application/json": {"schema": {"type": ty}}}});
            json!({"paths": {"/a": {"get": {"parameters": [param], "responses": ok()}}}})
        };
        assert_eq!(kinds(&doc("integer"), &doc("string")), []);
    }
}
