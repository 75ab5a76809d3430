//! Operations → the resource tree: placement and method names, the params struct (path, query,
//! header and body fields) and the response type, with envelopes unwrapped and paging detected.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use super::body::{RequestBody, ResponseContent};
use super::names::{numbered, unique_field_name, Taken, STD_TYPE_NAMES};
use super::{BuildError, Builder};
use crate::config::{OperationConfig, Paginate, PagingConfig};
use crate::ir::*;
use crate::locate::join;
use crate::naming::{camel, singular, snake};
use crate::render::CLIENT_METHODS;
use crate::spec::content::success_status;
use crate::spec::paging::List;
use crate::spec::schema::is_array;
use crate::spec::refs::deprecation_note;
use crate::spec::{self, is_envelope, PathOp};

use super::placement::{self, PathIndex, Shape};

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
        let planned = self.place_all(&ops, &id_count);
        for (op, plan) in ops.iter().zip(planned) {
            if let Some(plan) = plan {
                self.operation(&mut root, op, plan)?;
                self.within_budget(&op.op_ptr)?;
            }
        }
        Ok(root)
    }

    /// Places every selected operation (`None` for the others) and names its method. Names are
    /// decided per resource with all its operations in view, so a conventional name two
    /// operations want (`list`) goes to neither: each takes its fuller name instead, whatever
    /// the order of the document.
    fn place_all(&mut self, ops: &[PathOp<'a>], id_count: &HashMap<String, usize>) -> Vec<Option<Planned>> {
        let mut index = PathIndex::default();
        let (tree, problems) = placement::TagTree::read(self.spec.get("/tags"));
        for (ptr, code, message) in problems {
            self.diag(code, &ptr, message);
        }
        let mut tags = Vec::new();
        let mut ids = Vec::new();
        let mut selected = Vec::new();
        for op in ops {
            let Some(o) = self.spec.object(&op.op_ptr).filter(|o| self.selected(op.path, o)) else {
                selected.push(None);
                continue;
            };
            if let Some(hint) = self.skip_hint(o) {
                self.diag_at(
                    crate::diag::Severity::Info,
                    "sdk-hint-skip",
                    &op.op_ptr,
                    format!("`{hint}: true` leaves this operation out of SDKs; not generated (select its operationId in the configuration to generate it)"),
                );
                selected.push(None);
                continue;
            }
            index.add(&op.template);
            if let Some(tag) = tree.resource_tag(o.get("tags")) {
                tags.push(placement::words(tag));
            }
            // Only a dotted or slashed first part (`storage.` in `storage.buckets.list`) is a
            // namespace; a shared first word (`list` in `listUsers`) is the verb.
            ids.push(o.get("operationId").and_then(Value::as_str).and_then(|id| id.split_once(['.', '/'])).map(|(first, _)| placement::words(first)));
            selected.push(Some(o));
        }
        // Words every tag (`MessagingV1…`) or every operationId (`storage.…`) starts with say
        // nothing about the resource.
        tags.sort();
        tags.dedup();
        let tag_prefix = placement::common_prefix(&tags);
        let id_prefix = match ids.iter().cloned().collect::<Option<BTreeSet<Vec<String>>>>() {
            Some(firsts) if firsts.len() == 1 && ids.len() > 1 => firsts.into_iter().next().unwrap_or_default(),
            _ => Vec::new(),
        };
        let mut planned: Vec<Option<Planned>> = Vec::new();
        for (op, o) in ops.iter().zip(selected) {
            let Some(o) = o else {
                planned.push(None);
                continue;
            };
            let (operation_id, oc, duplicate_id) = self.operation_config(op, o, id_count);
            let (segments, source, shape) =
                self.resource_path(op, o, &oc, &index, (&tree, &tag_prefix));
            let names = method_names(
                op,
                o,
                &oc,
                operation_id.as_deref(),
                duplicate_id,
                &segments,
                shape.as_ref(),
                &id_prefix,
            );
            planned.push(Some(Planned {
                operation_id,
                oc,
                segments,
                from_path: source == Source::Path,
                method_name: names.0,
                fuller: names.1,
            }));
        }
        // Names two operations of one resource want, or a child resource has, go to neither.
        let mut wanted: HashMap<(Vec<String>, String), usize> = HashMap::new();
        let mut children: BTreeSet<(Vec<String>, String)> = BTreeSet::new();
        for p in planned.iter().flatten() {
            *wanted.entry((p.segments.clone(), p.method_name.clone())).or_default() += 1;
            for i in 1..p.segments.len() {
                children.insert((p.segments[..i].to_vec(), p.segments[i].clone()));
            }
        }
        for p in planned.iter_mut().flatten() {
            let key = (p.segments.clone(), p.method_name.clone());
            if wanted.get(&key).copied().unwrap_or(0) > 1 || children.contains(&key) {
                if let Some(fuller) = p.fuller.take() {
                    p.method_name = fuller;
                }
            }
        }
        planned
    }

    /// The hint that leaves an operation out of SDKs (`x-fern-ignore: true`,
    /// `x-stainless-skip: true`; a list of targets names other generators), unless the
    /// configuration selects the operation by its operationId.
    fn skip_hint(&self, op: &Map<String, Value>) -> Option<&'static str> {
        let id = op.get("operationId").and_then(Value::as_str);
        if id.is_some_and(|id| self.cfg.select.operation_ids.iter().any(|s| s == id)) {
            return None;
        }
        ["x-fern-ignore", "x-stainless-skip"].into_iter().find(|k| op.get(*k) == Some(&Value::Bool(true)))
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

    fn operation(&mut self, root: &mut Resource, path_op: &PathOp<'a>, plan: Planned) -> Result<(), BuildError> {
        let (path, method, op_ptr) = (path_op.path, path_op.method.as_str(), path_op.op_ptr.as_str());
        let Some(op) = self.spec.object(op_ptr) else {
            return Ok(());
        };
        let Planned { operation_id, oc, segments, method_name, from_path, .. } = plan;
        let base = type_base(&segments, from_path, &method_name);

        let params = self.spec.parameters(path_op)?;
        let params_name = oc.params.clone().unwrap_or_else(|| format!("{base}Params"));
        let response_name = oc.response.clone().unwrap_or_else(|| format!("{base}Response"));
        let params_name = self.claim(&params_name, &format!("{op_ptr}#params"));

        let mut used = Taken::default();
        let path_params = self.path_params(path_op, &params, &base, &mut used)?;
        let stray_path_params = self.stray_path_params(path_op, &params);
        let mut fields = Vec::new();
        let names_in_query = self.param_fields(&params, &params_name, &mut used, &mut fields)?;
        let body = self.request_body(op_ptr, &params_name, &mut fields, &mut used, &names_in_query)?;
        let params_type = self.params_type(params_name, fields, body.as_ref(), &method_name);

        // Response: the lowest 2xx, by its content type; Cloudflare envelopes are unwrapped.
        let op_key = operation_id.clone().unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
        let (response, pagination) = self.response(op_ptr, op, &response_name, &params, &oc, &op_key)?;
        let error = self.error_body(op_ptr, op, &base)?;

        let node = resource_node(root, &segments);
        let method_name = self.free_method_name(node, &segments, method_name, op_ptr);
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
        if let Some(Ty::Named(e)) = &error {
            if let Some(t) = self.types.get_mut(e).filter(|t| matches!(t.kind, TypeKind::ErrorBody(_))) {
                t.docs = Some(format!(
                    "Error bodies of `{}().{method_name}()` ({}) by the response's status, from `Error::detail`.",
                    segments.join("()."),
                    crate::escape::md_code(&format!("{} {path}", method.to_uppercase()))
                ));
            }
        }
        let text = |k: &str| op.get(k).and_then(Value::as_str).map(str::to_string);
        let operation = Operation {
            method_name,
            operation_id,
            // The fixed fields are lowercase names of methods sent in uppercase; a method
            // under `additionalOperations` is sent as written (methods are case-sensitive).
            http_method: if crate::spec::paths::METHODS.contains(&method) || method == crate::spec::paths::QUERY { method.to_uppercase() } else { method.to_string() },
            path: path_op.template.clone(),
            summary: text("summary"),
            description: text("description"),
            deprecated: op.get("deprecated").and_then(Value::as_bool).unwrap_or(false) || deprecation_note(op).is_some(),
            deprecation_note: deprecation_note(op),
            path_params,
            params: params_type,
            body_field: body.as_ref().and_then(|b| b.body_field.clone()),
            body: body.map(|b| b.body),
            response,
            accept: self.accept(op_ptr, op)?,
            upgrade: upgrades(op),
            stray_path_params,
            pagination,
            error,
            security: self.operation_security(op_ptr),
            server: self.operation_server(path_op),
        };
        self.charge_operation(&operation);
        node.operations.insert(operation.method_name.clone(), operation);
        Ok(())
    }

    /// The `Accept` the operation's request sends (see [`Operation::accept`]): the media type
    /// of the success response the method reads, when that is not plain JSON and may be
    /// written in a header.
    fn accept(&self, op_ptr: &str, op: &Map<String, Value>) -> Result<Option<String>, BuildError> {
        let Some(code) = op.get("responses").and_then(Value::as_object).and_then(success_status) else {
            return Ok(None);
        };
        let resp_ptr = self.spec.target(&join(&join(op_ptr, "responses"), code))?;
        let Some((media, _)) = self.pick_media(&join(&resp_ptr, "content")) else {
            return Ok(None);
        };
        let media = media.trim();
        let plain_json = media.split(';').next().is_some_and(|e| e.trim().eq_ignore_ascii_case("application/json"));
        Ok(match (plain_json, crate::spec::content::acceptable(media)) {
            (true, _) => None,
            (false, true) => Some(media.to_string()),
            // A type no header can name (`string`): whatever the server has.
            (false, false) => Some("*/*".to_string()),
        })
    }

    /// The operation's id, its configuration (looked up by id, else by `METHOD /path`), and
    /// whether another operation has the same id (then warned about).
    fn operation_config(&mut self, path_op: &PathOp<'_>, op: &Map<String, Value>, id_count: &HashMap<String, usize>) -> (Option<String>, OperationConfig, bool) {
        let operation_id = op.get("operationId").and_then(Value::as_str).map(str::to_string);
        let key = operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {}", path_op.method.to_uppercase(), path_op.path));
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
                &join(&path_op.op_ptr, "operationId"),
                format!("operationId `{key}` is used by more than one operation; each is generated, under a distinct method name"),
            );
        }
        (operation_id, oc, duplicate_id)
    }

    /// Where in the resource tree an operation goes: the configured resource, else the
    /// `x-fern-sdk-group-name`, else the first tag (less the words every tag starts with), else
    /// the path's words (`/v1/customers/{customer}/sources` → `customers.sources`); each level a
    /// module name, folded below `MAX_RESOURCE_DEPTH`, capped in length and renamed where it
    /// would clash. With it, where it came from and the shape of the path below it.
    fn resource_path(
        &mut self,
        path_op: &PathOp<'_>,
        op: &Map<String, Value>,
        oc: &OperationConfig,
        index: &PathIndex,
        (tree, tag_prefix): (&placement::TagTree, &[String]),
    ) -> (Vec<String>, Source, Option<Shape>) {
        let op_ptr = path_op.op_ptr.as_str();
        let tag = tree.resource_tag(op.get("tags"));
        let (segments, source, shape) = match (
            &oc.resource,
            op.get("x-fern-sdk-group-name").and_then(Value::as_str),
            tag,
        ) {
            (Some(r), _, _) => (r.split('.').map(snake).collect(), Source::Named, None),
            (None, Some(g), _) => (g.split('.').map(snake).collect(), Source::Named, None),
            (None, None, Some(tag)) => {
                // A tag under a `parent` (3.2) sits below its ancestors' resources.
                let segments: Vec<String> = tree
                    .chain(tag)
                    .into_iter()
                    .map(|t| {
                        let mut w = placement::words(t);
                        if w.len() > tag_prefix.len() && w.starts_with(tag_prefix) {
                            w.drain(..tag_prefix.len());
                        }
                        if w.is_empty() {
                            snake(t)
                        } else {
                            snake(&w.join("_"))
                        }
                    })
                    .collect();
                let shape = segments
                    .last()
                    .and_then(|seg| placement::tag_shape(&path_op.template, seg));
                (segments, Source::Tag, shape)
            }
            (None, None, None) => {
                let (words, shape) = index.resource(&path_op.template);
                if words.is_empty() {
                    (vec!["default".to_string()], Source::Tag, shape)
                } else {
                    (words, Source::Path, shape)
                }
            }
        };
        let mut segments: Vec<String> = segments.into_iter().filter(|s| !s.is_empty()).collect();
        if crate::limits::fold_resource_depth(&mut segments) {
            let message = format!("the resource path nests deeper than {} levels; the levels below are joined into one", crate::limits::MAX_RESOURCE_DEPTH);
            self.diag("deep-resource", op_ptr, message);
        }
        for (i, seg) in segments.iter_mut().enumerate() {
            let capped = crate::naming::cap_module(seg);
            // A top-level accessor is a method of `Client`; a module named like a crate the
            // generated code uses would hide that crate in its parent module.
            // A module is a file, and Windows gives some file names to devices (`con.rs` too).
            let device = crate::naming::is_windows_device(&capped);
            let taken = (i == 0 && (CLIENT_METHODS.contains(&capped.as_str()) || CLIENT_TRAIT_METHODS.contains(&capped.as_str())))
                || SHADOWED_CRATES.contains(&capped.as_str())
                || device;
            let renamed = if taken { format!("{capped}_") } else { capped };
            if renamed != *seg {
                let message = if taken {
                    let clash = if device {
                        "a device name Windows reserves for files".to_string()
                    } else if SHADOWED_CRATES.contains(&seg.as_str()) {
                        format!("the crate `{seg}`")
                    } else {
                        format!("`Client::{seg}`")
                    };
                    format!("resource `{seg}` would clash with {clash}; it is generated as `{renamed}`; set the operation's `resource` in the config to choose")
                } else {
                    format!("resource name `{seg}` is longer than {} bytes; it is generated as `{renamed}`", crate::naming::MAX_MODULE_NAME)
                };
                let code = if taken { "reserved-resource-name" } else { "long-resource-name" };
                self.diag(code, op_ptr, message);
                *seg = renamed;
            }
        }
        (segments, source, shape)
    }

    /// The `in: path` parameters the template does not name, with a warning: no URL can carry
    /// them, so the client leaves them out (a mock that checks them reports each call). One
    /// warning names them all, at the first one's place, since each would repeat the path.
    fn stray_path_params(&mut self, path_op: &PathOp<'_>, params: &[spec::Param]) -> Vec<String> {
        let named: HashSet<&str> = path_op.template.param_names().collect();
        let mut seen = HashSet::new();
        let stray: Vec<&spec::Param> = params.iter().filter(|p| p.location == "path" && !named.contains(p.name.as_str()) && seen.insert(p.name.as_str())).collect();
        if let Some(first) = stray.first() {
            let names: Vec<&str> = stray.iter().map(|p| p.name.as_str()).collect();
            let message = match names.as_slice() {
                [one] => format!("path parameter `{one}` is not in the path `{}`; no request can send it, so it is left out", path_op.path),
                _ => format!("path parameters {} are not in the path `{}`; no request can send them, so they are left out", crate::diag::listed(&names), path_op.path),
            };
            self.diag("stray-path-parameter", &first.site, message);
        }
        stray.iter().map(|p| p.name.clone()).collect()
    }

    /// The path parameters, in the order the template names them; one the operation does not
    /// declare is a string.
    fn path_params(&mut self, path_op: &PathOp<'_>, params: &[spec::Param], base: &str, used: &mut Taken) -> Result<Vec<PathParam>, BuildError> {
        let mut path_params = Vec::new();
        let mut declared: HashMap<&str, &spec::Param> = HashMap::new();
        for p in params.iter().filter(|p| p.location == "path") {
            declared.entry(p.name.as_str()).or_insert(p);
        }
        let mut undeclared = Vec::new();
        for name in path_op.template.param_names() {
            let found = declared.get(name).copied();
            let (ty, docs, sample, (style, explode)) = match found {
                Some(spec::Param { ptr: p_ptr, .. }) => {
                    let schema = join(p_ptr, "schema");
                    let (ty, meta) = self.ty_of(&schema, &format!("{base}{}", camel(name)))?;
                    let ty = if matches!(ty, Ty::Mapped(_)) { ty } else { self.plain_time(ty, &schema, "the path parameter") };
                    let style = self.path_style(p_ptr, name);
                    (ty, self.description(p_ptr).or(meta.description), self.parameter_sample(p_ptr), style)
                }
                None => {
                    undeclared.push(name);
                    (Ty::String, None, None, (PathStyle::Simple, false))
                }
            };
            let rust_name = unique_field_name(name, used);
            path_params.push(PathParam {
                rust_name,
                json_name: name.to_string(),
                ty,
                docs,
                sample,
                style,
                explode,
            });
        }
        // One warning names them all: each would repeat the operation's pointer.
        match undeclared.as_slice() {
            [] => {}
            [one] => self.diag("undeclared-path-parameter", &path_op.op_ptr, format!("path parameter `{one}` is not declared; taken as a string")),
            names => self.diag("undeclared-path-parameter", &path_op.op_ptr, format!("path parameters {} are not declared; taken as strings", crate::diag::listed(names))),
        }
        Ok(path_params)
    }

    /// A path parameter's `style` and `explode` (default `simple`, not exploded); a style
    /// OpenAPI does not allow in a path is written as `simple`, with a warning.
    fn path_style(&mut self, p_ptr: &str, name: &str) -> (PathStyle, bool) {
        let param = self.spec.object(p_ptr);
        let explode = param.and_then(|p| p.get("explode")).and_then(Value::as_bool).unwrap_or(false);
        let style = match param.and_then(|p| p.get("style")) {
            None => PathStyle::Simple,
            Some(Value::String(s)) if s == "simple" => PathStyle::Simple,
            Some(Value::String(s)) if s == "label" => PathStyle::Label,
            Some(Value::String(s)) if s == "matrix" => PathStyle::Matrix,
            Some(other) => {
                let shown = other.to_string();
                let shown = crate::escape::cut(&shown, 60);
                self.diag(
                    "unsupported-parameter-style",
                    &join(p_ptr, "style"),
                    format!("path parameter `{name}` has style {shown}, which a path cannot carry (`simple`, `label` or `matrix`); it is written as `simple`"),
                );
                PathStyle::Simple
            }
        };
        (style, explode)
    }

    /// The query and header parameters as fields of the params struct; answers their names.
    fn param_fields(&mut self, params: &[spec::Param], params_name: &str, used: &mut Taken, fields: &mut Vec<Field>) -> Result<BTreeSet<String>, BuildError> {
        let mut names_in_query = BTreeSet::new();
        for spec::Param {
            name,
            location,
            ptr: p_ptr,
            ..
        } in params
        {
            let (location, schema_ptr) = match location.as_str() {
                "path" => continue,
                "query" => (FieldLocation::Query, join(p_ptr, "schema")),
                "header" => (FieldLocation::Header, join(p_ptr, "schema")),
                "cookie" if super::security::is_token(name) => (FieldLocation::Cookie, join(p_ptr, "schema")),
                "cookie" => {
                    self.diag("unsupported-parameter", p_ptr, format!("cookie parameter `{name}` is not a cookie name (an HTTP token: letters, digits and !#$%&'*+-.^_`|~ only); it is left out"));
                    continue;
                }
                "querystring" => {
                    match self.query_string_schema(p_ptr) {
                        Ok(schema_ptr) => (FieldLocation::QueryString, schema_ptr),
                        Err(why) => {
                            self.diag("unsupported-parameter", p_ptr, format!("the `in: querystring` parameter `{name}` {why}; it is left out"));
                            continue;
                        }
                    }
                }
                other => {
                    self.diag("unsupported-parameter", p_ptr, format!("parameters `in: {other}` are not supported; `{name}` is left out"));
                    continue;
                }
            };
            let param = self.spec.object(p_ptr);
            let required = param
                .and_then(|p| p.get("required"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let style = param.and_then(|p| p.get("style")).and_then(Value::as_str);
            let explode = param.and_then(|p| p.get("explode")).and_then(Value::as_bool);
            let mut field = self.field(params_name, name, &schema_ptr, required, used, location)?;
            field.style = match (location, style) {
                (FieldLocation::QueryString, _) => ParamStyle::Repeat,
                (FieldLocation::Header, _) => ParamStyle::Comma,
                // `form`, exploded unless told not to: one pair per item, or one joined value.
                (FieldLocation::Cookie, _) if explode == Some(false) => ParamStyle::Comma,
                (FieldLocation::Cookie, _) => ParamStyle::Repeat,
                (_, Some("spaceDelimited")) => ParamStyle::Space,
                (_, Some("pipeDelimited")) => ParamStyle::Pipe,
                (_, Some(spec::TAB_DELIMITED)) => ParamStyle::Tab,
                (_, Some("deepObject")) => ParamStyle::DeepObject,
                // `form` (the default) explodes unless told not to.
                _ if explode == Some(false) => ParamStyle::Comma,
                _ => ParamStyle::Repeat,
            };
            if location == FieldLocation::QueryString && !field.ty.is_object(&self.types) {
                self.diag("unsupported-parameter", p_ptr, format!("the `in: querystring` parameter `{name}` is not an object, whose members would be the query string; it is left out"));
                continue;
            }
            // One value or a list of them is written through `Rfc3339Text`; other shapes as JSON.
            let one = |t: &Ty| matches!(t, Ty::Mapped(_));
            if !(one(&field.ty) || matches!(&field.ty, Ty::Vec(t) if one(t))) {
                field.ty = self.plain_time(field.ty, &schema_ptr, "the parameter");
            }
            if field.docs.is_none() {
                field.docs = self.description(p_ptr);
            }
            if let Some(p) = self.spec.object(p_ptr) {
                let note = deprecation_note(p);
                field.deprecated |= p.get("deprecated").and_then(Value::as_bool).unwrap_or(false) || note.is_some();
                field.deprecation_note = field.deprecation_note.take().or(note);
            }
            if self.cfg.tests.contract {
                field.sample = self.parameter_sample(p_ptr);
            }
            names_in_query.insert(name.clone());
            fields.push(field);
        }
        Ok(names_in_query)
    }

    /// The schema of an `in: querystring` parameter: its `content`'s one media type must be a
    /// form (`application/x-www-form-urlencoded`), whose members are the query's parameters.
    fn query_string_schema(&self, p_ptr: &str) -> Result<String, &'static str> {
        let content_ptr = join(p_ptr, "content");
        let content = self.spec.object(&content_ptr).ok_or("has no `content`")?;
        let media = content.keys().next().ok_or("has an empty `content`")?;
        let essence = media
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence != "application/x-www-form-urlencoded" {
            return Err("is described by a media type other than `application/x-www-form-urlencoded`, which this generator cannot write as a query string");
        }
        let media_ptr = join(&content_ptr, media);
        if self
            .spec
            .object(&media_ptr)
            .is_none_or(|m| !m.contains_key("schema"))
        {
            return Err("has no `schema`");
        }
        Ok(join(&media_ptr, "schema"))
    }

    /// The `description` written on the object at `ptr`.
    fn description(&self, ptr: &str) -> Option<String> {
        self.spec.object(ptr).and_then(|p| p.get("description")).and_then(Value::as_str).map(str::to_string)
    }

    /// Registers the params struct, or gives its name back when it has no fields.
    fn params_type(&mut self, params_name: String, fields: Vec<Field>, body: Option<&RequestBody>, method_name: &str) -> Option<String> {
        // A form of parts the caller names only (`additionalProperties`) has no field but
        // still needs the struct that carries them.
        if fields.is_empty() && body.is_none_or(|b| b.extra.is_none()) {
            self.disown(&params_name);
            return None;
        }
        let (usage, extra) = match body {
            Some(b) => (b.usage, b.extra.clone()),
            None => (Usage::ParamsNoBody, None),
        };
        self.add_type(TypeDef {
            name: params_name.clone(),
            docs: Some(format!("Parameters of [`{method_name}`](#method).")),
            deprecated: false,
            deprecation_note: None,
            kind: TypeKind::Struct(Struct { fields, extra, usage }),
        });
        Some(params_name)
    }

    /// `method_name`, or the first numbered form of it no operation or child of `node` has.
    fn free_method_name(&mut self, node: &Resource, segments: &[String], method_name: String, op_ptr: &str) -> String {
        let taken = |name: &String| node.operations.contains_key(name) || node.children.contains_key(name);
        if !taken(&method_name) {
            return method_name;
        }
        // Names on a resource are only ever added, so the search for a free number goes on from
        // where the last one for this name stopped.
        let key = (segments.join("."), method_name.clone());
        let mut n = self.next_method_number.get(&key).copied().unwrap_or(2);
        let mut free = method_name.clone();
        while taken(&free) {
            free = numbered(&method_name, n);
            n += 1;
        }
        self.next_method_number.insert(key, n);
        self.diag(
            "duplicate-method-name",
            op_ptr,
            format!("method `{method_name}` already exists on resource `{}`; this operation is generated as `{free}`", segments.join(".")),
        );
        free
    }

    /// The response a method returns: the lowest 2xx (else `default`), by its content type;
    /// Cloudflare envelopes are unwrapped to `result`, and a list may be paged (detected by
    /// `spec::paging`, or as `paginate:` in the configuration says).
    fn response(
        &mut self,
        op_ptr: &str,
        op: &Map<String, Value>,
        response_name: &str,
        params: &[spec::Param],
        oc: &OperationConfig,
        op_key: &str,
    ) -> Result<(Response, Option<Pagination>), BuildError> {
        let Some(code) = op.get("responses").and_then(Value::as_object).and_then(success_status) else {
            return Ok((Response::Empty, None));
        };
        let resp_ptr = self.spec.target(&join(&join(op_ptr, "responses"), code))?;
        if let Some(stream) = self.item_stream(&resp_ptr, response_name)? {
            return Ok((stream, None));
        }
        let media = match self.response_content(&resp_ptr) {
            ResponseContent::Json(media) => media,
            ResponseContent::Other(response) => return Ok((response, None)),
        };
        let schema_ptr = join(&join(&join(&resp_ptr, "content"), &media), "schema");
        let props = self.spec.fields(&schema_ptr)?;
        let alias_owner = format!("{op_ptr}#response");
        let envelope = is_envelope(|k| props.has(k));
        if let Some((style, list)) = self.paging(op_key, &schema_ptr, &resp_ptr, params, envelope, oc)? {
            let items = join(&list.array_ptr, "items");
            let item = if self.spec.get(&items).is_some() { self.ty_of(&items, response_name)?.0 } else { Ty::Json };
            let item = self.plain_time(item, &items, "the list's item");
            let item = self.alias(response_name, item, &alias_owner);
            let list_ty = Ty::Vec(Box::new(item.clone()));
            let response = if envelope { Response::Envelope(list_ty) } else { Response::Body(list_ty) };
            return Ok((response, Some(Pagination { style, items: list.path, item })));
        }
        let result_ptr = match props.get("result") {
            Some(result) if envelope => result.to_string(),
            _ => {
                let (ty, _) = self.ty_of(&schema_ptr, response_name)?;
                let ty = self.plain_time(ty, &schema_ptr, "the response");
                let ty = self.alias(response_name, ty, &alias_owner);
                return Ok((Response::Body(ty), None));
            }
        };
        let target = self.spec.target(&result_ptr)?;
        if !self.spec.object(&target).is_some_and(is_array) {
            let (ty, _) = self.ty_of(&result_ptr, response_name)?;
            let ty = self.plain_time(ty, &result_ptr, "the response's result");
            let ty = self.alias(response_name, ty, &alias_owner);
            return Ok((Response::Envelope(ty), None));
        }
        let items = join(&target, "items");
        let item = if self.spec.get(&items).is_some() {
            let (t, _) = self.ty_of(&items, response_name)?;
            self.plain_time(t, &items, "the result's item")
        } else {
            Ty::Json
        };
        let item = self.alias(response_name, item, &alias_owner);
        Ok((Response::Envelope(Ty::Vec(Box::new(item))), None))
    }

    /// How a list operation pages and where its list is: as the configuration's `paginate:`
    /// forces, else as detected from the spec. A forced style that names a query parameter the
    /// operation lacks, or a list the body does not declare, is an error at its line.
    fn paging(
        &mut self,
        op_key: &str,
        schema_ptr: &str,
        resp_ptr: &str,
        params: &[spec::Param],
        envelope: bool,
        oc: &OperationConfig,
    ) -> Result<Option<(PageStyle, List)>, BuildError> {
        let cfg = self.cfg;
        let error = |message: String| {
            let keys = ["operations", op_key, "paginate"];
            let line = cfg.line_of(&keys).map(|l| format!(":{l}")).unwrap_or_default();
            BuildError::PagingConfig { place: format!("{}{line}", cfg.file), key: keys.join("."), message, file: cfg.file.clone() }
        };
        let forced = match &oc.paginate {
            Some(Paginate::Detect(false)) => return Ok(None),
            None | Some(Paginate::Detect(true)) => None,
            Some(Paginate::Style(style)) => Some(style),
        };
        let Some(forced) = forced else {
            let Some(list) = self.spec.list_of(schema_ptr, envelope)? else {
                return match oc.paginate {
                    Some(Paginate::Detect(true)) => Err(error("is `true`, but the success response declares no list to page; name a style and its `items`".into())),
                    _ => Ok(None),
                };
            };
            let link = self.spec.declares_link_header(resp_ptr);
            return match self.spec.detect_paging(schema_ptr, &list, params, link, envelope)? {
                Some(style) => Ok(Some((style, list))),
                None if oc.paginate.is_some() => Err(error("is `true`, but no paging style is detected from the spec; name one (see the README's paging table)".into())),
                None => Ok(None),
            };
        };
        let query = |name: &String| -> Result<String, BuildError> {
            if params.iter().any(|p| &p.name == name && p.location == "query") {
                Ok(name.clone())
            } else {
                Err(error(format!("names the query parameter `{}`, which the operation does not declare", name.escape_debug())))
            }
        };
        let path = |what: &str, dotted: &String| -> Result<Vec<String>, BuildError> {
            let segments: Vec<String> = dotted.split('.').map(str::to_string).collect();
            if segments.iter().any(String::is_empty) {
                return Err(error(format!("`{what}` is `{}`: a path is dotted property names, such as `result_info.cursor`", dotted.escape_debug())));
            }
            Ok(segments)
        };
        let (style, items) = match forced {
            PagingConfig::PageNumber { page, per_page, items } => (PageStyle::PageNumber { page_param: query(page)?, per_page_param: query(per_page)? }, items),
            PagingConfig::Cursor { param, next, items } => (PageStyle::Cursor { param: query(param)?, next: path("next", next)? }, items),
            PagingConfig::HasMore { param, has_more, id, items } => {
                if id.is_empty() {
                    return Err(error("`id` is empty: name the items' id property".into()));
                }
                (PageStyle::HasMore { param: query(param)?, has_more: path("has_more", has_more)?, id_field: id.clone() }, items)
            }
            PagingConfig::OffsetLimit { offset, limit, total, items } => {
                let total = total.as_ref().map(|t| path("total", t)).transpose()?;
                (PageStyle::OffsetLimit { offset_param: query(offset)?, limit_param: query(limit)?, total }, items)
            }
            PagingConfig::LinkHeader { items } => (PageStyle::LinkHeader, items),
            PagingConfig::NextLink { next, items } => (PageStyle::NextLink { next: path("next", next)? }, items),
        };
        let list = match items {
            Some(dotted) => {
                let segments = path("items", dotted)?;
                let names: Vec<&str> = segments.iter().map(String::as_str).collect();
                let found = self.spec.property_at(schema_ptr, &names)?;
                match found.filter(|p| self.spec.object(p).is_some_and(is_array)) {
                    Some(array_ptr) => List { path: segments, array_ptr },
                    None => return Err(error(format!("`items` is `{}`, which is not an array property of the success response", dotted.escape_debug()))),
                }
            }
            None => match self.spec.list_of(schema_ptr, envelope)? {
                Some(list) => list,
                None => return Err(error("names a style, but the success response declares no list; name it with `items`".into())),
            },
        };
        Ok(Some((style, list)))
    }
}

/// An operation's place and method name, decided before any of its types are made.
struct Planned {
    operation_id: Option<String>,
    oc: OperationConfig,
    segments: Vec<String>,
    /// The resource comes from the path's words (so its type names take every level).
    from_path: bool,
    method_name: String,
    /// The name to take instead when another operation of the resource wants `method_name`.
    fuller: Option<String>,
}

/// Where an operation's resource came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The configuration or `x-fern-sdk-group-name`.
    Named,
    /// A tag (or no tag and no path words: `default`).
    Tag,
    /// The words of the path.
    Path,
}

/// The method's name before it is made unique on its resource, and the fuller name to fall
/// back on when another operation of the resource wants the same one.
///
/// The configured name, else `x-fern-sdk-method-name` (unless the operationId is shared), else
/// the conventional name for the HTTP method on the path's shape (`list`, `create`,
/// `retrieve`, `update`, `delete`, or an action's word) unless the operationId says something
/// else than those verbs, else the operationId without the resource's words, else the HTTP
/// method and path.
#[expect(clippy::too_many_arguments, reason = "one call site; the inputs are independent facts about one operation")]
fn method_names(
    path_op: &PathOp<'_>,
    op: &Map<String, Value>,
    oc: &OperationConfig,
    operation_id: Option<&str>,
    duplicate_id: bool,
    segments: &[String],
    shape: Option<&Shape>,
    id_prefix: &[String],
) -> (String, Option<String>) {
    let fern_method = op.get("x-fern-sdk-method-name").and_then(Value::as_str);
    let from_method_and_path = || snake(&format!("{} {}", path_op.method, path_op.path.replace(['{', '}'], "")));
    match (&oc.method, fern_method) {
        (Some(m), _) => return (snake(m), None),
        (None, Some(m)) if !duplicate_id => return (snake(m), None),
        _ => {}
    }
    let resource_words = placement::resource_words(segments);
    let id_name = operation_id.and_then(|id| placement::id_method(id, &resource_words, id_prefix));
    // An operationId that only spells the method and path adds nothing to the path's shape.
    let meaningful = operation_id.is_some_and(|id| !placement::id_from_path(id, &path_op.template, &path_op.method));
    let conventional = shape.and_then(|s| placement::crud_name(s, &path_op.method));
    let full_id = operation_id.map(snake);
    let chosen = match (conventional, id_name.clone().filter(|_| meaningful)) {
        (Some(c), Some(id)) if placement::crud_family(&id) != placement::crud_family(&c) => id,
        (Some(c), _) => c,
        (None, Some(id)) => id,
        (None, None) => id_name.clone().or(full_id.clone()).unwrap_or_else(from_method_and_path),
    };
    // The operationId's own name wins a contested name; the others fall back to theirs.
    let fuller = match id_name {
        Some(id) if id == chosen && meaningful => None,
        id_name => [id_name, full_id, Some(from_method_and_path())].into_iter().flatten().find(|n| *n != chosen),
    };
    (chosen, fuller)
}

/// The start of an operation's type names (`{base}Params`, `{base}Response`): the resource's
/// last level in the singular, or every level for a resource made from the path's words (two
/// paths can end in the same word), then the method, less a repeat of the resource's word.
fn type_base(segments: &[String], from_path: bool, method_name: &str) -> String {
    let last = segments.last().cloned().unwrap_or_else(|| "api".into());
    let levels: &[String] = if from_path { segments } else { std::slice::from_ref(&last) };
    let resource: String = levels.iter().map(|s| camel(&singular(s)).trim_end_matches('_').to_string()).collect();
    let method = camel(method_name).trim_end_matches('_').to_string();
    let own = [camel(&singular(&last)), camel(&last)];
    if own.iter().any(|w| method.starts_with(w.trim_end_matches('_')) && !w.is_empty()) && !from_path {
        return method;
    }
    format!("{resource}{method}")
}

/// The node at `segments` below `root`, made on the way where missing.
fn resource_node<'r>(root: &'r mut Resource, segments: &[String]) -> &'r mut Resource {
    let mut node = root;
    for seg in segments {
        node = node.children.entry(seg.clone()).or_insert_with(|| Resource {
            name: seg.clone(),
            struct_name: match camel(seg) {
                s if STD_TYPE_NAMES.contains(&s.as_str()) => format!("{s}Resource"),
                s => s,
            },
            ..Resource::default()
        });
    }
    node
}

/// True when the operation's responses document `101 Switching Protocols` and no success.
fn upgrades(op: &Map<String, Value>) -> bool {
    op.get("responses").and_then(Value::as_object).is_some_and(|r| r.contains_key("101") && !r.keys().any(|k| crate::spec::content::is_success(k)))
}
