//! The intermediate representation: Rust-shaped and spec-free. Emitters and renderers read only
//! this; nothing here knows about OpenAPI.

use std::collections::{BTreeMap, BTreeSet};

/// Everything one generated crate contains.
#[derive(Debug, Clone, Default)]
pub struct Api {
    pub meta: CrateMeta,
    /// Every named type, keyed (and so emitted) by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// The root of the resource tree; its children hang off `Client`.
    pub root: Resource,
    /// How requests authenticate.
    pub security: Security,
    /// Where requests go.
    pub servers: Servers,
}

impl Api {
    /// True when some operation sends a body that is not JSON, which needs the runtime's
    /// `body` module (uploads, multipart, forms, text).
    pub fn has_raw_bodies(&self) -> bool {
        self.any_operation(|o| o.body.as_ref().is_some_and(|b| b.kind != BodyKind::Json))
    }

    /// True when some operation pages (its method can `.auto_paging()`).
    pub fn has_paging(&self) -> bool {
        self.any_operation(|o| o.pagination.is_some())
    }

    /// The library types for string formats the crate uses (its dependencies follow).
    pub fn formats_used(&self) -> BTreeSet<crate::config::FormatType> {
        let mut out = BTreeSet::new();
        for t in self.types.values() {
            match &t.kind {
                TypeKind::Struct(s) => {
                    s.fields.iter().for_each(|f| f.ty.collect_formats(&mut out));
                    if let Some(e) = &s.extra {
                        e.collect_formats(&mut out);
                    }
                }
                TypeKind::Union(u) => u.variants.iter().for_each(|v| v.ty.collect_formats(&mut out)),
                TypeKind::ErrorBody(vs) => vs.iter().for_each(|v| v.ty.collect_formats(&mut out)),
                TypeKind::Alias(t) => t.collect_formats(&mut out),
                TypeKind::Enum { .. } => {}
            }
        }
        fn walk(r: &Resource, out: &mut BTreeSet<crate::config::FormatType>) {
            for op in r.operations.values() {
                op.path_params.iter().for_each(|p| p.ty.collect_formats(out));
                if let Response::Envelope(t) | Response::Body(t) = &op.response {
                    t.collect_formats(out);
                }
            }
            r.children.values().for_each(|c| walk(c, out));
        }
        walk(&self.root, &mut out);
        out
    }

    /// True when some operation sends an object's members as query parameters (`in:
    /// querystring`, `deepObject`, an exploded `form` object), which needs the runtime's
    /// `Request::query_members`.
    pub fn has_query_members(&self) -> bool {
        let types = &self.types;
        self.any_operation(|o| {
            let params = o.params.as_ref().and_then(|p| types.get(p)).map(|t| &t.kind);
            matches!(params, Some(TypeKind::Struct(s)) if s.fields.iter().any(|f| f.sends_members(types) || f.joins_members(types)))
        })
    }

    /// True when some operation's response is read item by item: a typed stream of items
    /// (`itemSchema`) or of server-sent events.
    pub fn has_streams(&self) -> bool {
        self.any_operation(|o| matches!(o.response, Response::Stream { .. } | Response::Events(_)))
    }

    /// True when some operation sends a cookie parameter.
    pub fn has_cookie_params(&self) -> bool {
        let types = &self.types;
        self.any_operation(|o| {
            let params = o.params.as_ref().and_then(|p| types.get(p)).map(|t| &t.kind);
            matches!(params, Some(TypeKind::Struct(s)) if s.fields.iter().any(|f| f.location == FieldLocation::Cookie))
        })
    }

    /// True when some path parameter is written by the runtime's styles (not a plain `simple`
    /// scalar).
    pub fn has_styled_path_params(&self) -> bool {
        let types = &self.types;
        self.any_operation(|o| o.path_params.iter().any(|p| p.styled(types)))
    }

    /// True when some operation pages by a next-page URL in the body.
    pub fn has_next_links(&self) -> bool {
        self.any_operation(|o| matches!(o.pagination.as_ref().map(|p| &p.style), Some(PageStyle::NextLink { .. })))
    }

    /// True when `test` holds for some operation anywhere in the resource tree.
    fn any_operation(&self, test: impl Fn(&Operation) -> bool + Copy) -> bool {
        fn walk(r: &Resource, test: impl Fn(&Operation) -> bool + Copy) -> bool {
            r.operations.values().any(test) || r.children.values().any(|c| walk(c, test))
        }
        walk(&self.root, test)
    }
}

/// The API's security schemes and the ways of combining them that operations accept.
#[derive(Debug, Clone, Default)]
pub struct Security {
    /// Every scheme the client can send; alternatives are lists of indices into it.
    pub schemes: Vec<SecurityScheme>,
    /// One `Auth` variant each, in the order `from_env` tries them (the document's top-level
    /// `security` first, then first use by an operation).
    pub requirements: Vec<Requirement>,
    /// The document's top-level alternatives, used by requests built by hand.
    pub default: Vec<Vec<usize>>,
}

/// One security scheme.
#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// The name under `components.securitySchemes`, as written.
    pub name: String,
    pub kind: SchemeKind,
    /// The environment variable `from_env` reads its value from (for basic, the stem of the
    /// `_USERNAME` and `_PASSWORD` pair).
    pub env: String,
    pub docs: Option<String>,
}

/// Where a scheme's credential is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: <scheme> <value>`; the scheme word is an HTTP token (`Bearer`, …).
    Http(String),
    /// `Authorization: Basic base64(username:password)`.
    Basic,
    /// A header, by its name (an HTTP token).
    Header(String),
    /// A query parameter, by its name.
    Query(String),
    /// A cookie, by its name (an HTTP token).
    Cookie(String),
    /// A bearer token from a user-supplied token source (OAuth 2, OpenID Connect).
    Token,
}

/// A set of schemes sent together: one way to authenticate, one `Auth` variant.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The `Auth` variant.
    pub variant: String,
    /// The `ClientBuilder` method.
    pub method: String,
    /// Indices into [`Security::schemes`], sorted by scheme name.
    pub schemes: Vec<usize>,
    /// The struct variant's field per scheme; empty for a one-scheme (tuple) variant.
    pub fields: Vec<String>,
}

/// Where requests go, from the document's `servers`.
#[derive(Debug, Clone, Default)]
pub struct Servers {
    /// The document's top-level list, in its order (`ClientBuilder::server` picks by index).
    pub list: Vec<Server>,
    /// The distinct servers operations declare for themselves; [`Operation::server`] indexes it.
    pub operations: Vec<Server>,
}

/// One server: a URL template and its variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The URL as the document writes it, `{name}` for each variable.
    pub url: String,
    pub description: Option<String>,
    /// Sorted by name.
    pub variables: Vec<ServerVariable>,
    /// The URL with every variable's default, when each has one.
    pub default_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVariable {
    pub name: String,
    pub default: Option<String>,
    /// The only values allowed (`enum`); empty when any value is.
    pub allowed: Vec<String>,
    pub description: Option<String>,
}

/// The generated crate's identity and runtime defaults.
#[derive(Debug, Clone, Default)]
pub struct CrateMeta {
    pub crate_name: String,
    pub lib_name: String,
    pub version: String,
    pub description: String,
    pub license: String,
    pub title: String,
    pub api_version: String,
    /// The configured base URL, else the document's first server with its variables' defaults
    /// when that is an http(s) URL with a host; `None` when the document gives no such URL.
    pub base_url: Option<String>,
    pub env_prefix: String,
    /// Header that carries an idempotency key on POST and PATCH (an HTTP token).
    pub idempotency_header: Option<String>,
    /// What error messages call the API (`Stripe API`, from `info.title`): one line, printable.
    pub api_name: String,
    /// Response headers `ApiError::request_id` reads, in order (lower-case HTTP tokens).
    pub request_id_headers: Vec<String>,
    /// Generated contract tests, when the configuration asks for them.
    pub contract: Option<Contract>,
}

/// The generated contract test's settings.
#[derive(Debug, Clone, Default)]
pub struct Contract {
    /// The document Prism mocks, relative to the crate's folder (else `CONTRACT_SPEC`).
    pub spec: Option<String>,
}

/// A named type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub docs: Option<String>,
    pub deprecated: bool,
    /// Why and what instead (`x-stainless-deprecation-message`), for `#[deprecated(note)]`.
    pub deprecation_note: Option<String>,
    pub kind: TypeKind,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Struct),
    /// A string enum; unknown values land in an `Other(String)` variant.
    Enum { variants: Vec<EnumVariant> },
    /// `oneOf`/`anyOf`.
    Union(Union),
    /// `pub type Name = Ty;`
    Alias(Ty),
    /// An operation's error bodies of different types, one variant per documented status,
    /// chosen by the response's status (`crate::ErrorBody`).
    ErrorBody(Vec<ErrorVariant>),
}

/// One documented error response of an operation: its status and the type its body decodes to.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorVariant {
    /// The variant's name (`NotFound`, `ClientError`, `Status418`, `Other`).
    pub name: String,
    pub status: ErrorStatus,
    pub ty: Ty,
}

/// The status key of a non-2XX response in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorStatus {
    /// One code (`404`).
    Code(u16),
    /// A class (`4XX` is `Class(4)`).
    Class(u16),
    /// `default`: any status no other key names.
    Default,
}

impl ErrorStatus {
    /// Reads a `responses` key that names an error: `100`–`599` outside `2XX`, `1XX`, `3XX`,
    /// `4XX`, `5XX` (any case) or `default`.
    pub fn parse(key: &str) -> Option<Self> {
        if key == "default" {
            return Some(ErrorStatus::Default);
        }
        let b = key.as_bytes();
        if b.len() != 3 || !(b'1'..=b'5').contains(&b[0]) || b[0] == b'2' {
            return None;
        }
        let class = u16::from(b[0] - b'0');
        if b[1..].eq_ignore_ascii_case(b"XX") {
            return Some(ErrorStatus::Class(class));
        }
        key.parse().ok().map(ErrorStatus::Code)
    }

    /// The document's spelling (`404`, `4XX`, `default`).
    pub fn key(self) -> String {
        match self {
            ErrorStatus::Code(c) => c.to_string(),
            ErrorStatus::Class(c) => format!("{c}XX"),
            ErrorStatus::Default => "default".into(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` kept beside named properties (`#[serde(flatten)]`).
    pub extra: Option<Ty>,
    /// What the struct is used for, which decides its derives.
    pub usage: Usage,
}

/// Where a type is used, so only the derives it needs are emitted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Usage {
    /// A model: serialised and deserialised.
    #[default]
    Model,
    /// Operation parameters whose body fields are sent as JSON.
    ParamsWithBody,
    /// Operation parameters sent only in the query string or headers.
    ParamsNoBody,
    /// Operation parameters whose body the generated method writes field by field (multipart
    /// parts, bytes, text), not through serde.
    ParamsWithRawBody,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub rust_name: String,
    pub json_name: String,
    pub ty: Ty,
    /// Not wrapped in `Option`.
    pub required: bool,
    /// Named in the schema's `required` list, even where `nullable` makes it an `Option`
    /// (`required` is false then): a call that sends only what is required still sends it.
    pub in_required: bool,
    /// The spec says `null` is a value: the field is an `Option`, and in a params struct's body
    /// an `Option<Option<_>>` so that `null` (`Some(None)`) and absent (`None`) differ.
    pub nullable: bool,
    /// A contract call with only the required arguments sends this optional field all the same:
    /// the schema requires it but it may be `null` (which makes it optional in Rust), or the body
    /// needs at least a number of properties (`minProperties`) and none is required.
    pub must_send: bool,
    /// Boxed to break a cycle of directly nested structs.
    pub boxed: bool,
    pub docs: Option<String>,
    pub deprecated: bool,
    /// Why and what instead (`x-stainless-deprecation-message`), for `#[deprecated(note)]`.
    pub deprecation_note: Option<String>,
    pub read_only: bool,
    pub write_only: bool,
    /// The schema's `default`, as JSON text (documented on the field).
    pub default: Option<String>,
    /// Where the field is sent, for parameter structs.
    pub location: FieldLocation,
    /// A value the field's schema accepts (its example when that fits), for contract tests;
    /// only made when they are generated.
    pub sample: Option<serde_json::Value>,
    /// How an array or object query or header parameter is written (its `style`/`explode`).
    pub style: ParamStyle,
}

impl Field {
    /// True when the field is an object whose members are sent as query parameters of their
    /// own (`in: querystring`, `deepObject`, an exploded `form` object).
    pub fn sends_members(&self, types: &BTreeMap<String, TypeDef>) -> bool {
        match self.location {
            FieldLocation::QueryString => true,
            FieldLocation::Query => {
                matches!(self.style, ParamStyle::Repeat | ParamStyle::DeepObject)
                    && self.ty.is_object(types)
            }
            _ => false,
        }
    }

    /// True when the field is a `form` object not exploded, sent as one query parameter of
    /// its members' names and values joined by commas.
    pub fn joins_members(&self, types: &BTreeMap<String, TypeDef>) -> bool {
        self.location == FieldLocation::Query && self.style == ParamStyle::Comma && self.ty.is_object(types)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldLocation {
    #[default]
    Body,
    Query,
    Header,
    /// 3.2's `in: querystring`: the value's members are the whole query string.
    QueryString,
    /// `in: cookie`: a pair in the request's one `Cookie` header.
    Cookie,
}

/// How a parameter's array or object value is written, from OpenAPI's `style` and `explode`
/// (and 2.0's `collectionFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParamStyle {
    /// `form` exploded (the query default; 2.0 `multi`): `ids=a&ids=b`, an object's members
    /// as their own parameters.
    #[default]
    Repeat,
    /// `form` not exploded and `simple` (the header default; 2.0 `csv`): `ids=a,b`; an object
    /// as `id=role,admin,firstName,Alex`.
    Comma,
    /// `spaceDelimited` (2.0 `ssv`): `ids=a b`.
    Space,
    /// `pipeDelimited` (2.0 `pipes`): `ids=a|b`.
    Pipe,
    /// 2.0 `tsv`: values joined by a tab.
    Tab,
    /// `deepObject`: `filter[a]=1&filter[b]=2`.
    DeepObject,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub rust_name: String,
    pub value: String,
    /// The spec's text: variants are documented with their wire value, so only the build's
    /// budget reads it.
    pub docs: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Union {
    /// `Some(property)` when a discriminator property selects the variant.
    pub tag: Option<String>,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug, Clone)]
pub struct UnionVariant {
    pub rust_name: String,
    /// The discriminator value, for tagged unions.
    pub tag_value: Option<String>,
    pub ty: Ty,
    /// Boxed to break a cycle.
    pub boxed: bool,
    /// A contract call with all arguments may fill this variant with every field: its
    /// schema's value with every property a client sends fits the union (one `oneOf` part).
    pub sends_all: bool,
}

/// A use of a type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ty {
    String,
    /// A library type for a string format (`formats:` in the configuration).
    Mapped(crate::config::FormatType),
    Bool,
    I32,
    I64,
    F32,
    F64,
    /// Any JSON.
    Json,
    Named(String),
    Vec(Box<Ty>),
    Map(Box<Ty>),
    Option(Box<Ty>),
    /// Bytes to upload, from memory, a file or a stream (`crate::Upload`); only in the params
    /// of a body that is not JSON.
    Upload,
    /// A `multipart/form-data` body the caller assembles (`crate::Multipart`), for a schema
    /// without properties to map part by part.
    Multipart,
    /// No content.
    #[expect(dead_code, reason = "matched by the emitters; the IR builder has no body-less type yet")]
    Unit,
}

impl Ty {
    /// True when a `time` type sits in this type outside any named type (through `Option`,
    /// `Vec` and maps): the value needs the runtime's `time_serde` to read or write it.
    pub fn needs_time_helper(&self) -> bool {
        match self {
            Ty::Mapped(m) => m.needs_helper(),
            Ty::Option(t) | Ty::Vec(t) | Ty::Map(t) => t.needs_time_helper(),
            _ => false,
        }
    }

    /// True for a struct or a map (through aliases and `Option`): a JSON object.
    pub fn is_object(&self, types: &BTreeMap<String, TypeDef>) -> bool {
        self.is_object_within(types, 0)
    }

    fn is_object_within(&self, types: &BTreeMap<String, TypeDef>, depth: usize) -> bool {
        match self {
            Ty::Map(_) => true,
            Ty::Option(t) => t.is_object_within(types, depth + 1),
            Ty::Named(n) if depth < crate::limits::MAX_SCHEMA_DEPTH => {
                match types.get(n).map(|t| &t.kind) {
                    Some(TypeKind::Struct(_)) => true,
                    Some(TypeKind::Alias(t)) => t.is_object_within(types, depth + 1),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// True for a named string enum, or an alias of one (not through `Option`).
    pub fn is_string_enum(&self, types: &BTreeMap<String, TypeDef>) -> bool {
        self.enum_variants(types).is_some()
    }

    /// The variants of a named string enum, or of the enum an alias names (not through
    /// `Option`). An alias's own name still builds them (`Alias::Variant`).
    pub fn enum_variants<'t>(&self, types: &'t BTreeMap<String, TypeDef>) -> Option<&'t [EnumVariant]> {
        let mut ty = self;
        for _ in 0..crate::limits::MAX_SCHEMA_DEPTH {
            let Ty::Named(n) = ty else { return None };
            match &types.get(n)?.kind {
                TypeKind::Enum { variants } => return Some(variants),
                TypeKind::Alias(t) => ty = t,
                _ => return None,
            }
        }
        None
    }

    /// This type with the `time` types outside named types kept as `String`, for a place that
    /// cannot carry `time_serde` (a whole body or response, a map of extra properties).
    pub fn without_time(self) -> Ty {
        match self {
            Ty::Mapped(m) if m.needs_helper() => Ty::String,
            Ty::Option(t) => Ty::Option(Box::new(t.without_time())),
            Ty::Vec(t) => Ty::Vec(Box::new(t.without_time())),
            Ty::Map(t) => Ty::Map(Box::new(t.without_time())),
            other => other,
        }
    }

    /// Adds the library types this type uses outside named types to `out`.
    fn collect_formats(&self, out: &mut BTreeSet<crate::config::FormatType>) {
        match self {
            Ty::Mapped(m) => {
                out.insert(*m);
            }
            Ty::Option(t) | Ty::Vec(t) | Ty::Map(t) => t.collect_formats(out),
            _ => {}
        }
    }

    /// True for types that implement `Default`, given which named types do.
    pub fn has_default(&self, types: &BTreeMap<String, TypeDef>) -> bool {
        self.has_default_within(types, &mut Vec::new(), &mut std::collections::HashMap::new())
    }

    /// [`Ty::has_default`], with the named types being looked at: a type that needs itself to
    /// build its default (a required field leading back to it) has none, and that answer also
    /// keeps the walk finite on such cycles. `known` holds the answers found so far, so a type
    /// reached along many paths (two required fields of the next type, level after level) is
    /// looked at once. Every answer holds on its own: a type found open again lies on a cycle
    /// of required fields with each type open above it, and none of those has a default.
    fn has_default_within<'t>(&'t self, types: &'t BTreeMap<String, TypeDef>, open: &mut Vec<&'t str>, known: &mut std::collections::HashMap<&'t str, bool>) -> bool {
        let n = match self {
            Ty::Named(n) => n.as_str(),
            // Library types are left without a made-up default (`time`'s have none).
            Ty::Mapped(_) => return false,
            _ => return true,
        };
        if let Some(answer) = known.get(n) {
            return *answer;
        }
        if open.contains(&n) {
            return false;
        }
        open.push(n);
        let answer = match types.get(n).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => s.fields.iter().all(|f| !f.required || f.ty.has_default_within(types, open, known)),
            Some(TypeKind::Alias(t)) => t.has_default_within(types, open, known),
            _ => false,
        };
        open.pop();
        known.insert(n, answer);
        answer
    }
}

/// A node of the resource tree (`client.zero_trust().access().users()`).
#[derive(Debug, Clone, Default)]
pub struct Resource {
    /// Module and accessor name (`active_sessions`).
    pub name: String,
    /// Struct name (`ActiveSessions`).
    pub struct_name: String,
    pub children: BTreeMap<String, Resource>,
    /// Keyed by method name.
    pub operations: BTreeMap<String, Operation>,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub method_name: String,
    pub operation_id: Option<String>,
    pub http_method: String,
    /// The path template, parsed once; `path_params` follow its parameters in order.
    pub path: crate::spec::PathTemplate,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Why and what instead (`x-stainless-deprecation-message`), for `#[deprecated(note)]`.
    pub deprecation_note: Option<String>,
    /// In path order.
    pub path_params: Vec<PathParam>,
    /// The parameters struct (query, header and body fields), when there is one.
    pub params: Option<String>,
    /// Body sent as a whole from one field of the params struct (`params.body`), when it is
    /// not an object whose properties were flattened into the params struct.
    pub body_field: Option<String>,
    /// How the body is sent, when there is one.
    pub body: Option<Body>,
    pub response: Response,
    /// The `Accept` header the request sends instead of the client's `application/json`: the
    /// success response's media types, when one of them is not plain JSON.
    pub accept: Option<String>,
    /// The operation's only documented answer is `101 Switching Protocols` (a WebSocket or
    /// other upgrade, which the client does not speak): no success status is documented.
    pub upgrade: bool,
    /// `in: path` parameters the operation declares that its path template does not name (a
    /// document fault no request can satisfy), by name; the client leaves them out.
    pub stray_path_params: Vec<String>,
    pub pagination: Option<Pagination>,
    /// What `Error::detail` decodes this operation's error bodies to: the one type every
    /// documented error response has, or a [`TypeKind::ErrorBody`] enum of them.
    pub error: Option<Ty>,
    /// The alternatives the operation accepts, each a list of indices into
    /// [`Security::schemes`]; empty means no credentials, an empty alternative optional ones.
    /// `None`: the document's own (`Security::default`), which requests send unless told
    /// otherwise, so it is held and written once however many operations share it.
    pub security: Option<Vec<Vec<usize>>>,
    /// The server the operation declares for itself (path item or operation `servers`), as an
    /// index into [`Servers::operations`]; `None` when the document's servers apply.
    pub server: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct PathParam {
    pub rust_name: String,
    pub json_name: String,
    pub ty: Ty,
    /// The spec's text: path parameters are documented on the method, so only the build's
    /// budget reads it.
    pub docs: Option<String>,
    /// A value the parameter accepts, for contract tests (see [`Field::sample`]).
    pub sample: Option<serde_json::Value>,
    /// How the value is written into the path (its `style`).
    pub style: PathStyle,
    /// The `explode` flag, which changes how arrays and objects are written.
    pub explode: bool,
}

impl PathParam {
    /// True when the value is written by the runtime's `path_param` (a `label` or `matrix`
    /// style, or an array or object), not as one encoded segment.
    pub fn styled(&self, types: &BTreeMap<String, TypeDef>) -> bool {
        self.style != PathStyle::Simple || matches!(self.ty, Ty::Vec(_)) || self.ty.is_object(types)
    }
}

/// How a path parameter is written, from OpenAPI's `style` (RFC 6570 expansions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathStyle {
    /// `simple` (the default): `a,b`.
    #[default]
    Simple,
    /// `label`: `.a,b`, or `.a.b` exploded.
    Label,
    /// `matrix`: `;id=a,b`, or `;id=a;id=b` exploded.
    Matrix,
}

#[derive(Debug, Clone)]
pub enum Response {
    /// The body is a `{success, errors, messages, result}` envelope; the method returns `result`.
    Envelope(Ty),
    /// The body is the value.
    Body(Ty),
    /// The body's bytes as they are (`bytes::Bytes`).
    Bytes,
    /// The body as text (`String`).
    Text,
    /// No body.
    Empty,
    /// A streamed body of typed items (3.2's `itemSchema`), read one item at a time.
    Stream { item: Ty, format: StreamFormat },
    /// Server-sent events (`text/event-stream` without `itemSchema`) whose `data` is this type
    /// (`Ty::String`, read as text, when the response has no schema or a string one).
    Events(Ty),
}

/// How the items of a streamed response are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFormat {
    /// One JSON value per line (`application/jsonl`, `application/x-ndjson`, …).
    JsonLines,
    /// Server-sent events (`text/event-stream`), each event's `data` one JSON value.
    EventStream,
}

/// A request body: the media type sent and how its value is written.
#[derive(Debug, Clone)]
pub struct Body {
    /// The media type sent (the document's text, for `Content-Type`).
    pub media: String,
    pub kind: BodyKind,
    /// The operation's other media types, which the method does not send.
    pub others: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    /// `application/x-www-form-urlencoded`, from the serialised params.
    Form,
    /// `multipart/form-data`: one part per body field, or the whole form from one field of
    /// type `crate::Multipart` when the schema has no properties to map.
    Multipart {
        /// A part's `Content-Type` from the document's `encoding`, by part name.
        content_types: BTreeMap<String, String>,
    },
    /// Bytes, from the `body` field (`crate::Upload`).
    Binary,
    /// Text, from the `body` field (`String`).
    Text,
}

/// A paged list operation: how the next page is asked for, where the items are, and their type.
#[derive(Debug, Clone)]
pub struct Pagination {
    pub style: PageStyle,
    /// Where the list is in the body, as property names from its root (`["result"]` in an
    /// envelope, `["data"]`, or empty for a body that is the list).
    pub items: Vec<String>,
    /// The element type of one page.
    pub item: Ty,
}

/// How the next page of a list is asked for. Paths (`next`, `has_more`, `total`) are property
/// names from the body's root, e.g. `["result_info", "cursor"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStyle {
    /// A page number and a page size in the query (Cloudflare's `page` / `per_page`).
    PageNumber { page_param: String, per_page_param: String },
    /// An opaque cursor from the body sent back in a query parameter (`nextPageToken`).
    Cursor { param: String, next: Vec<String> },
    /// A `has_more` flag, and the id of the last item sent as a query parameter (Stripe's
    /// `starting_after`).
    HasMore { param: String, has_more: Vec<String>, id_field: String },
    /// An item offset and a page size in the query, stopping on a short page or the total.
    OffsetLimit { offset_param: String, limit_param: String, total: Option<Vec<String>> },
    /// RFC 8288 `Link: <…>; rel="next"` response headers (followed on the base URL's origin only).
    LinkHeader,
    /// The next page's URL in the body (`next`, Django REST framework's `count`/`next`/
    /// `results`), followed on the base URL's origin only.
    NextLink { next: Vec<String> },
}

impl PageStyle {
    /// The style's name, as the configuration and the README write it.
    pub fn name(&self) -> &'static str {
        match self {
            PageStyle::PageNumber { .. } => "page_number",
            PageStyle::Cursor { .. } => "cursor",
            PageStyle::HasMore { .. } => "has_more",
            PageStyle::OffsetLimit { .. } => "offset_limit",
            PageStyle::LinkHeader => "link_header",
            PageStyle::NextLink { .. } => "next_link",
        }
    }
}
