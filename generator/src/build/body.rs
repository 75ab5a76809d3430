//! Request and response bodies by content type: the media type an operation sends and reads
//! (chosen by [`spec::content::pick`]) and what that makes of the params struct and the result.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::names::{unique_field_name, Taken};
use super::{BuildError, Builder};
use crate::ir::*;
use crate::locate::join;
use crate::spec::content::{is_binary, pick, sendable, MediaKind, SchemaShape};
use crate::spec::schema::{is_array, is_plain_object};
use crate::spec::Props;

/// The body an operation sends, and what it adds to the params struct.
pub(super) struct RequestBody {
    pub body: Body,
    /// The params field sent as the whole body, when the body is not spread into fields.
    pub body_field: Option<String>,
    pub usage: Usage,
    /// The params struct's map of further properties (multipart parts named by the caller).
    pub extra: Option<Ty>,
}

/// What a success response's content gives: JSON to decode (its media type), or a result of
/// its own.
pub(super) enum ResponseContent {
    Json(String),
    Other(Response),
}

impl<'a> Builder<'a> {
    /// The media type of a content map to use and its kind; `None` when it names none.
    pub(super) fn pick_media(&self, content_ptr: &str) -> Option<(String, MediaKind)> {
        let content = self.spec.object(content_ptr)?;
        let shape = |media: &str| {
            let schema = join(&join(content_ptr, media), "schema");
            let target = self.spec.target(&schema).ok();
            SchemaShape::of(target.and_then(|t| self.spec.object(&t)))
        };
        pick(content, shape)
    }

    /// True when the schema at `ptr` is raw bytes.
    fn binary_at(&self, ptr: &str) -> Result<bool, BuildError> {
        let target = self.spec.target(ptr)?;
        Ok(self.spec.object(&target).is_some_and(is_binary))
    }

    /// The element schema of an array of raw bytes at `ptr`, if it is one.
    fn binary_items_at(&self, ptr: &str) -> Result<bool, BuildError> {
        let target = self.spec.target(ptr)?;
        if !self.spec.object(&target).is_some_and(is_array) {
            return Ok(false);
        }
        let items = join(&target, "items");
        Ok(self.spec.get(&items).is_some() && self.binary_at(&items)?)
    }

    /// The request body of the operation at `op_ptr`: fields join `fields` (body properties,
    /// or one `body` field). `None` when it has no body or names no media type.
    pub(super) fn request_body(
        &mut self,
        op_ptr: &str,
        params_name: &str,
        fields: &mut Vec<Field>,
        used: &mut Taken,
        names_in_query: &BTreeSet<String>,
    ) -> Result<Option<RequestBody>, BuildError> {
        if self.spec.object(op_ptr).and_then(|o| o.get("requestBody")).is_none() {
            return Ok(None);
        }
        let (rb_ptr, _) = self.spec.deref(&join(op_ptr, "requestBody"))?;
        let rb = self.spec.object(&rb_ptr);
        let body_required = rb.and_then(|r| r.get("required")).and_then(Value::as_bool).unwrap_or(false);
        let content_ptr = join(&rb_ptr, "content");
        let Some((media, kind)) = self.pick_media(&content_ptr) else {
            // Not content the generator cannot send: the document gives none to send.
            self.diag_at(
                crate::diag::Severity::Info,
                "request-body-without-media-type",
                &join(op_ptr, "requestBody"),
                "the request body names no media type under `content`, so there is nothing to send; the method is generated without a body".into(),
            );
            return Ok(None);
        };
        let others: Vec<String> = self
            .spec
            .object(&content_ptr)
            .map(|c| c.keys().filter(|k| **k != media).cloned().collect())
            .unwrap_or_default();
        let media_ptr = join(&content_ptr, &media);
        let schema_ptr = join(&media_ptr, "schema");
        let sent = |default: &str| if sendable(&media) { media.clone() } else { default.to_string() };
        let whole = |b: &mut Self, ty: Option<Ty>, fields: &mut Vec<Field>, used: &mut Taken| -> Result<String, BuildError> {
            let mut f = match ty {
                // A body that is not JSON is sent as it is: its schema names no type.
                Some(ty) => Field {
                    rust_name: unique_field_name("body", used),
                    json_name: "body".into(),
                    ty,
                    required: body_required,
                    in_required: body_required,
                    nullable: false,
                    must_send: false,
                    boxed: false,
                    docs: None,
                    deprecated: false,
                    deprecation_note: None,
                    read_only: false,
                    write_only: false,
                    default: None,
                    location: FieldLocation::Body,
                    sample: b.sample(&schema_ptr),
                    style: Default::default(),
                },
                None => b.field(params_name, "body", &schema_ptr, body_required, used, FieldLocation::Body)?,
            };
            f.ty = b.plain_time(f.ty, &schema_ptr, "the request body");
            f.docs = f.docs.or_else(|| Some("The request body.".into()));
            let name = f.rust_name.clone();
            fields.push(f);
            Ok(name)
        };
        let (body_kind, body_field, usage, extra, media) = match kind {
            MediaKind::Json | MediaKind::Form => {
                let target = self.spec.target(&schema_ptr)?;
                let is_object = self.spec.object(&target).is_some_and(is_plain_object);
                let props = if is_object { self.spec.properties(&schema_ptr)? } else { Props::default() };
                let body_field = if is_object && props.extra.is_none() && !props.list.iter().any(|(k, _)| names_in_query.contains(k)) {
                    let first = fields.len();
                    for (json_name, prop_ptr) in &props.list {
                        if self.skipped_property(prop_ptr) {
                            continue;
                        }
                        let req = props.required.contains(json_name);
                        let f = self.field(params_name, json_name, prop_ptr, req, used, FieldLocation::Body)?;
                        fields.push(f);
                    }
                    let beside_ref = self.spec.required_beside_ref(&schema_ptr);
                    mark_must_send(&mut fields[first..], &beside_ref, min_properties(self.spec.object(&target)));
                    None
                } else {
                    Some(whole(self, None, fields, used)?)
                };
                let body_kind = if kind == MediaKind::Json { BodyKind::Json } else { BodyKind::Form };
                (body_kind, body_field, Usage::ParamsWithBody, None, media.clone())
            }
            MediaKind::Multipart => {
                let content_types = self.part_content_types(&media_ptr);
                let target = self.spec.target(&schema_ptr)?;
                let schema = self.spec.object(&target);
                let mappable = schema.is_some_and(|s| s.get("oneOf").is_none() && s.get("anyOf").is_none());
                let props = if mappable { self.spec.properties(&schema_ptr)? } else { Props::default() };
                let clash = props.list.iter().any(|(k, _)| names_in_query.contains(k));
                let (body_field, extra) = if (props.list.is_empty() && props.extra.is_none()) || clash {
                    (Some(whole(self, Some(Ty::Multipart), fields, used)?), None)
                } else {
                    for (json_name, prop_ptr) in &props.list {
                        if self.skipped_property(prop_ptr) {
                            continue;
                        }
                        let req = props.required.contains(json_name);
                        let mut f = self.field(params_name, json_name, prop_ptr, req, used, FieldLocation::Body)?;
                        f.ty = self.plain_time(f.ty, prop_ptr, "a multipart part");
                        if self.binary_at(prop_ptr)? {
                            f.ty = Ty::Upload;
                        } else if self.binary_items_at(prop_ptr)? {
                            f.ty = Ty::Vec(Box::new(Ty::Upload));
                        }
                        fields.push(f);
                    }
                    let extra = match &props.extra {
                        Some(p) if self.binary_at(p)? => Some(Ty::Upload),
                        Some(p) => {
                            let t = self.ty_of(p, &format!("{params_name}Part"))?.0;
                            Some(self.plain_time(t, p, "a multipart part"))
                        }
                        None => None,
                    };
                    (None, extra)
                };
                (BodyKind::Multipart { content_types }, body_field, Usage::ParamsWithRawBody, extra, "multipart/form-data".into())
            }
            MediaKind::Binary => {
                let field = whole(self, Some(Ty::Upload), fields, used)?;
                (BodyKind::Binary, Some(field), Usage::ParamsWithRawBody, None, sent("application/octet-stream"))
            }
            MediaKind::Text => {
                let field = whole(self, Some(Ty::String), fields, used)?;
                (BodyKind::Text, Some(field), Usage::ParamsWithRawBody, None, sent("text/plain"))
            }
        };
        Ok(Some(RequestBody {
            body: Body { media, kind: body_kind, others },
            body_field,
            usage,
            extra,
        }))
    }

    /// The `encoding` of a multipart media type: each part's `contentType` that can be sent.
    fn part_content_types(&self, media_ptr: &str) -> BTreeMap<String, String> {
        let Some(encoding) = self.spec.object(&join(media_ptr, "encoding")) else {
            return BTreeMap::new();
        };
        encoding
            .iter()
            .filter_map(|(part, e)| Some((part.clone(), e.get("contentType")?.as_str()?.trim().to_string())))
            .filter(|(_, ct)| sendable(ct))
            .collect()
    }

    /// A response whose chosen media type streams items (JSON Lines, server-sent events) and
    /// gives their schema as `itemSchema` (3.2): a stream of that type; server-sent events
    /// without one: a stream of events whose data `schema` describes.
    pub(super) fn item_stream(
        &mut self,
        resp_ptr: &str,
        hint: &str,
    ) -> Result<Option<Response>, BuildError> {
        let content_ptr = join(resp_ptr, "content");
        let Some((media, _)) = self.pick_media(&content_ptr) else {
            return Ok(None);
        };
        let Some(format) = crate::spec::content::stream_format(&media) else {
            return Ok(None);
        };
        let media_ptr = join(&content_ptr, &media);
        let item_ptr = join(&media_ptr, "itemSchema");
        if self.spec.get(&item_ptr).is_some() {
            if format == crate::ir::StreamFormat::EventStream {
                // OpenAPI 3.2 describes a whole event (`event`, `data`, `id`, `retry`) with the
                // `itemSchema` of `text/event-stream`: its `data` is what an event carries, JSON
                // described by `contentSchema`, else text. An `itemSchema` with no `data`
                // property describes the data itself.
                let props = self.spec.properties(&item_ptr)?;
                if let Some((_, data_ptr)) = props.list.iter().find(|(name, _)| name == "data") {
                    let content = join(data_ptr, "contentSchema");
                    let target = self.spec.target(data_ptr)?;
                    let content = if self.spec.get(&content).is_some() { Some(content) } else { Some(join(&target, "contentSchema")).filter(|c| self.spec.get(c).is_some()) };
                    let data = match content {
                        Some(c) => {
                            let (data, _) = self.ty_of(&c, &format!("{hint}Data"))?;
                            self.plain_time(data, &c, "an event's data")
                        }
                        // Data that is not a string is read as JSON of its own schema.
                        None if self.spec.object(&target).and_then(|o| o.get("type")).is_some_and(|t| t != "string") => {
                            let (data, _) = self.ty_of(data_ptr, &format!("{hint}Data"))?;
                            self.plain_time(data, data_ptr, "an event's data")
                        }
                        None => Ty::String,
                    };
                    return Ok(Some(Response::Events(data)));
                }
            }
            let (item, _) = self.ty_of(&item_ptr, &format!("{hint}Item"))?;
            return Ok(Some(Response::Stream { item, format }));
        }
        if format != crate::ir::StreamFormat::EventStream {
            return Ok(None);
        }
        // Server-sent events without `itemSchema` (3.0, 3.1): `schema` describes each event's
        // `data`; without one the data is text.
        let schema_ptr = join(&media_ptr, "schema");
        if self.spec.get(&schema_ptr).is_none() {
            return Ok(Some(Response::Events(Ty::String)));
        }
        let (data, _) = self.ty_of(&schema_ptr, &format!("{hint}Data"))?;
        let data = self.plain_time(data, &schema_ptr, "an event's data");
        Ok(Some(Response::Events(data)))
    }

    /// What the content of the response at `resp_ptr` gives: JSON, bytes, text or nothing.
    pub(super) fn response_content(&self, resp_ptr: &str) -> ResponseContent {
        match self.pick_media(&join(resp_ptr, "content")) {
            Some((media, MediaKind::Json)) => ResponseContent::Json(media),
            Some((_, MediaKind::Text)) => ResponseContent::Other(Response::Text),
            Some(_) => ResponseContent::Other(Response::Bytes),
            None => ResponseContent::Other(Response::Empty),
        }
    }
}

/// Marks the fields a contract call sends though the model does not require them: those a
/// `required` beside a `$ref` names (`beside_ref`, which Prism enforces though OpenAPI 3.0
/// ignores it), then, while fewer than `min` (`minProperties`) are sent, the first others
/// a client may send.
pub(super) fn mark_must_send(fields: &mut [crate::ir::Field], beside_ref: &[String], min: usize) {
    for f in fields.iter_mut() {
        if !f.required && !f.read_only && beside_ref.contains(&f.json_name) {
            f.must_send = true;
        }
    }
    let mut sent = fields.iter().filter(|f| f.required || f.must_send).count();
    for f in fields.iter_mut() {
        if sent >= min {
            break;
        }
        if !f.required && !f.must_send && !f.read_only && !f.deprecated {
            f.must_send = true;
            sent += 1;
        }
    }
}

/// The schema's `minProperties` (0 when absent or not a count).
pub(super) fn min_properties(schema: Option<&serde_json::Map<String, Value>>) -> usize {
    schema.and_then(|s| s.get("minProperties")).and_then(Value::as_u64).map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
}
