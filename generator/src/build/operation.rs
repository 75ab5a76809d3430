//! Operations → the resource tree: placement and method names, the params struct (path, query,
//! header and body fields) and the response type, with envelopes unwrapped and paging detected.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::names::{numbered, unique_field_name, STD_TYPE_NAMES};
use super::{BuildError, Builder};
use crate::config::OperationConfig;
use crate::diag::{Diagnostic, Severity};
use crate::ir::*;
use crate::locate::join;
use crate::naming::{camel, singular, snake};
use crate::render::CLIENT_METHODS;
use crate::spec::content::{is_paged, success_status};
use crate::spec::schema::{is_array, is_plain_object};
use crate::spec::{self, is_envelope, pick_json, PathOp, Props};

/// Methods `Client` gets from derived traits (`CLIENT_METHODS` lists those written out).
const CLIENT_TRAIT_METHODS: &[&str] = &["clone", "clone_from"];

/// Crates generated resource modules name in paths; a child module of the same name would hide them.
const SHADOWED_CRATES: &[&str] = &["std", "core", "alloc", "serde", "serde_json", "reqwest"];

impl<'a> Builder<'a> {
    pub(super) fn operations(&mut self) -> Result<Resource, BuildError> {
        let mut root = Resource::default();
        let ops = self.spec.operations()?;
        let mut id_count: HashMap<String, usize> = HashMap::new();
        for op in &ops {
            if let Some(id) = self.spec.object(&op.op_ptr).and_then(|o| o.get("operationId")).and_then(Value::as_str) {
                *id_count.entry(id.to_string()).or_default() += 1;
            }
        }
        for op in &ops {
            self.operation(&mut root, op, &id_count)?;
        }
        Ok(root)
    }

    fn selected(&self, path: &str, op: &Map<String, Value>) -> bool {
        let sel = &self.cfg.select;
        if sel.is_all() {
            return true;
        }
        let id = op.get("operationId").and_then(Value::as_str);
        let tags: Vec<&str> = op
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        id.is_some_and(|id| sel.operation_ids.iter().any(|s| s == id))
            || sel.path_prefixes.iter().any(|p| path.starts_with(p.as_str()))
            || sel.tags.iter().any(|t| tags.contains(&t.as_str()))
    }

    fn operation(&mut self, root: &mut Resource, path_op: &PathOp<'a>, id_count: &HashMap<String, usize>) -> Result<(), BuildError> {
        let (path, method, op_ptr) = (path_op.path, path_op.method, path_op.op_ptr.clone());
        let Some(op) = self.spec.object(&op_ptr) else {
            return Ok(());
        };
        if !self.selected(path, op) {
            return Ok(());
        }
        let operation_id = op.get("operationId").and_then(Value::as_str).map(str::to_string);
        let key = operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
        let oc: OperationConfig = self
            .cfg
            .operations
            .get(&key)
            .cloned()
            .unwrap_or_default();
        let duplicate_id = operation_id
            .as_ref()
            .is_some_and(|id| id_count.get(id).copied().unwrap_or(0) > 1);
        if duplicate_id {
            self.diag(
                "duplicate-operation-id",
                &join(&op_ptr, "operationId"),
                format!("operationId `{key}` is used by more than one operation; each is generated, under a distinct method name"),
            );
        }

        // Where in the resource tree, and under which method name.
        let segments: Vec<String> = match (&oc.resource, op.get("x-fern-sdk-group-name").and_then(Value::as_str)) {
            (Some(r), _) => r.split('.').map(snake).collect(),
            (None, Some(g)) => g.split('.').map(snake).collect(),
            (None, None) => vec![op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .map(snake)
                .unwrap_or_else(|| "default".into())],
        };
        let mut segments: Vec<String> = segments.into_iter().filter(|s| !s.is_empty()).collect();
        if crate::limits::fold_resource_depth(&mut segments) {
            let message = format!("the resource path nests deeper than {} levels; the levels below are joined into one", crate::limits::MAX_RESOURCE_DEPTH);
            self.diag("deep-resource", &op_ptr, message);
        }
        for (i, seg) in segments.iter_mut().enumerate() {
            let capped = crate::naming::cap_module(seg);
            // A top-level accessor is a method of `Client`; a module named like a crate the
            // generated code uses would hide that crate in its parent module.
            let taken = (i == 0 && (CLIENT_METHODS.contains(&capped.as_str()) || CLIENT_TRAIT_METHODS.contains(&capped.as_str())))
                || SHADOWED_CRATES.contains(&capped.as_str());
            let renamed = if taken { format!("{capped}_") } else { capped };
            if renamed != *seg {
                let message = if taken {
                    let clash = if SHADOWED_CRATES.contains(&seg.as_str()) { format!("the crate `{seg}`") } else { format!("`Client::{seg}`") };
                    format!("resource `{seg}` would clash with {clash}; it is generated as `{renamed}`; set the operation's `resource` in the config to choose")
                } else {
                    format!("resource name `{seg}` is longer than {} bytes; it is generated as `{renamed}`", crate::naming::MAX_MODULE_NAME)
                };
                let code = if taken { "reserved-resource-name" } else { "long-resource-name" };
                self.diag(code, &op_ptr, message);
                *seg = renamed;
            }
        }
        let fern_method = op.get("x-fern-sdk-method-name").and_then(Value::as_str);
        let mut method_name = match (&oc.method, fern_method, &operation_id) {
            (Some(m), _, _) => snake(m),
            (None, Some(m), _) if !duplicate_id => snake(m),
            (None, _, Some(id)) => snake(id),
            _ => snake(&format!("{method} {}", path.replace(['{', '}'], ""))),
        };
        let last = segments.last().cloned().unwrap_or_else(|| "api".into());
        let base = format!("{}{}", camel(&singular(&last)).trim_end_matches('_'), camel(&method_name).trim_end_matches('_'));

        let params = self.spec.parameters(path_op)?;

        let params_name = oc.params.clone().unwrap_or_else(|| format!("{base}Params"));
        let response_name = oc.response.clone().unwrap_or_else(|| format!("{base}Response"));
        let params_ptr = format!("{op_ptr}#params");
        let params_name = self.claim(&params_name, &params_ptr);

        let mut path_params = Vec::new();
        let mut fields = Vec::new();
        let mut used = BTreeSet::new();
        // Path parameters in the order the template names them.
        for name in path_op.template.param_names() {
            let found = params.iter().find(|p| p.name == name && p.location == "path");
            let (ty, docs) = match found {
                Some(spec::Param { ptr: p_ptr, .. }) => {
                    let (ty, meta) = self.ty_of(&join(p_ptr, "schema"), &format!("{base}{}", camel(name)))?;
                    let docs = self
                        .spec
                        .object(p_ptr)
                        .and_then(|p| p.get("description"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or(meta.description);
                    (ty, docs)
                }
                None => {
                    self.diag("undeclared-path-parameter", &op_ptr, format!("path parameter `{name}` is not declared; taken as a string"));
                    (Ty::String, None)
                }
            };
            let rust_name = unique_field_name(name, &mut used);
            path_params.push(PathParam {
                rust_name,
                json_name: name.to_string(),
                ty,
                docs,
            });
        }
        let mut names_in_query = BTreeSet::new();
        for spec::Param { name, location, ptr: p_ptr, .. } in &params {
            let location = match location.as_str() {
                "path" => continue,
                "query" => FieldLocation::Query,
                "header" => FieldLocation::Header,
                other => {
                    self.diag("unsupported-parameter", p_ptr, format!("parameters `in: {other}` are not supported; `{name}` is left out"));
                    continue;
                }
            };
            let required = self
                .spec
                .object(p_ptr)
                .and_then(|p| p.get("required"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let mut field = self.field(&params_name, name, &join(p_ptr, "schema"), required, &mut used, location)?;
            if field.docs.is_none() {
                field.docs = self
                    .spec
                    .object(p_ptr)
                    .and_then(|p| p.get("description"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            names_in_query.insert(name.clone());
            fields.push(field);
        }

        // Request body: an object's properties join the params struct; anything else is `body`.
        let mut has_body = false;
        let mut body_field = None;
        if op.get("requestBody").is_some() {
            let (rb_ptr, _) = self.spec.deref(&join(&op_ptr, "requestBody"))?;
            let rb = self.spec.object(&rb_ptr);
            let body_required = rb.and_then(|r| r.get("required")).and_then(Value::as_bool).unwrap_or(false);
            match rb.and_then(|r| r.get("content")).and_then(Value::as_object).and_then(pick_json) {
                Some(media) => {
                    has_body = true;
                    let schema_ptr = join(&join(&join(&rb_ptr, "content"), &media), "schema");
                    let target = self.spec.target(&schema_ptr)?;
                    let is_object = self.spec.object(&target).is_some_and(is_plain_object);
                    let props = if is_object { self.spec.properties(&schema_ptr)? } else { Props::default() };
                    if is_object && props.extra.is_none() && !props.list.iter().any(|(k, _)| names_in_query.contains(k)) {
                        for (json_name, prop_ptr) in &props.list {
                            let req = props.required.contains(json_name);
                            fields.push(self.field(&params_name, json_name, prop_ptr, req, &mut used, FieldLocation::Body)?);
                        }
                    } else {
                        let mut f = self.field(&params_name, "body", &schema_ptr, body_required, &mut used, FieldLocation::Body)?;
                        f.docs = f.docs.or_else(|| Some("The request body.".into()));
                        body_field = Some(f.rust_name.clone());
                        fields.push(f);
                    }
                }
                None => {
                    let types: Vec<String> = rb
                        .and_then(|r| r.get("content"))
                        .and_then(Value::as_object)
                        .map(|c| c.keys().cloned().collect())
                        .unwrap_or_default();
                    self.diag(
                        "unsupported-body-content",
                        &join(&op_ptr, "requestBody"),
                        format!("request body content {types:?} has no JSON form; the method is generated without a body"),
                    );
                }
            }
        }
        let params_type = if fields.is_empty() {
            self.disown(&params_name);
            None
        } else {
            let usage = if has_body { Usage::ParamsWithBody } else { Usage::ParamsNoBody };
            self.types.insert(
                params_name.clone(),
                TypeDef {
                    name: params_name.clone(),
                    docs: Some(format!("Parameters of [`{}`]({}).", method_name, "#method")),
                    deprecated: false,
                    kind: TypeKind::Struct(Struct { fields, extra: None, usage }),
                },
            );
            Some(params_name)
        };

        // Response: the lowest 2xx with a JSON body; Cloudflare envelopes are unwrapped.
        let (response, pagination) = self.response(&op_ptr, op, &response_name, &params, &oc)?;

        // Place it in the tree.
        let mut node = &mut *root;
        for seg in &segments {
            node = node.children.entry(seg.clone()).or_insert_with(|| Resource {
                name: seg.clone(),
                struct_name: match camel(seg) {
                    s if STD_TYPE_NAMES.contains(&s.as_str()) => format!("{s}Resource"),
                    s => s,
                },
                ..Resource::default()
            });
        }
        if node.operations.contains_key(&method_name) || node.children.contains_key(&method_name) {
            let base_name = method_name.clone();
            // Names on a resource are only ever added, so the search for a free number goes on
            // from where the last one for this name stopped.
            let key = (segments.join("."), base_name.clone());
            let mut n = self.next_method_number.get(&key).copied().unwrap_or(2);
            while node.operations.contains_key(&method_name) || node.children.contains_key(&method_name) {
                method_name = numbered(&base_name, n);
                n += 1;
            }
            self.next_method_number.insert(key, n);
            self.diags.push(Diagnostic {
                severity: Severity::Warning,
                code: "duplicate-method-name",
                pointer: op_ptr.clone(),
                line: None,
                message: format!("method `{base_name}` already exists on resource `{}`; this operation is generated as `{method_name}`", segments.join(".")),
            });
        }
        // Parameter docs point at the method.
        if let Some(p) = &params_type {
            if let Some(t) = self.types.get_mut(p) {
                t.docs = Some(format!(
                    "Parameters of `{}().{method_name}()` ({}).",
                    segments.join("()."),
                    crate::escape::md_code(&format!("{} {path}", method.to_uppercase()))
                ));
            }
        }
        let text = |k: &str| op.get(k).and_then(Value::as_str).map(str::to_string);
        node.operations.insert(
            method_name.clone(),
            Operation {
                method_name,
                operation_id,
                http_method: method.to_uppercase(),
                path: path_op.template.clone(),
                summary: text("summary"),
                description: text("description"),
                deprecated: op.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
                path_params,
                params: params_type,
                body_field,
                has_body,
                response,
                pagination,
            },
        );
        Ok(())
    }

    /// The response a method returns: the lowest 2xx (else `default`) with a JSON body;
    /// Cloudflare envelopes are unwrapped to `result`, and a list result may be paged.
    fn response(
        &mut self,
        op_ptr: &str,
        op: &Map<String, Value>,
        response_name: &str,
        params: &[spec::Param],
        oc: &OperationConfig,
    ) -> Result<(Response, Option<Pagination>), BuildError> {
        let Some(code) = op.get("responses").and_then(Value::as_object).and_then(success_status) else {
            return Ok((Response::Empty, None));
        };
        let resp_ptr = self.spec.target(&join(&join(op_ptr, "responses"), code))?;
        let content = self.spec.object(&resp_ptr).and_then(|r| r.get("content")).and_then(Value::as_object);
        let Some(media) = content.and_then(pick_json) else {
            if let Some(c) = content.filter(|c| !c.is_empty()) {
                let types: Vec<&String> = c.keys().collect();
                self.diag(
                    "unsupported-response-content",
                    &join(&resp_ptr, "content"),
                    format!("response content {types:?} has no JSON form; the method returns `()` (the raw body is not decoded)"),
                );
            }
            return Ok((Response::Empty, None));
        };
        let schema_ptr = join(&join(&join(&resp_ptr, "content"), &media), "schema");
        let props = self.spec.properties(&schema_ptr)?;
        let alias_owner = format!("{op_ptr}#response");
        let result_ptr = match props.get("result") {
            Some(result) if is_envelope(|k| props.has(k)) => result.to_string(),
            _ => {
                let (ty, _) = self.ty_of(&schema_ptr, response_name)?;
                let ty = self.alias(response_name, ty, &alias_owner);
                return Ok((Response::Body(ty), None));
            }
        };
        let target = self.spec.target(&result_ptr)?;
        if !self.spec.object(&target).is_some_and(is_array) {
            let (ty, _) = self.ty_of(&result_ptr, response_name)?;
            let ty = self.alias(response_name, ty, &alias_owner);
            return Ok((Response::Envelope(ty), None));
        }
        let items = join(&target, "items");
        let item = if self.spec.get(&items).is_some() {
            let (t, _) = self.ty_of(&items, response_name)?;
            t
        } else {
            Ty::Json
        };
        let item = self.alias(response_name, item, &alias_owner);
        let pagination = (oc.paginate.unwrap_or(true) && is_paged(&props, params)).then(|| Pagination {
            page_param: "page".into(),
            per_page_param: "per_page".into(),
            item: item.clone(),
        });
        Ok((Response::Envelope(Ty::Vec(Box::new(item))), pagination))
    }
}
