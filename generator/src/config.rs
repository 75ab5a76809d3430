//! The naming and selection file that sits beside a spec (`spec/codegen.yaml`).
//!
//! It carries every name that must survive an upstream document being dropped in: the crate's
//! identity, where each operation sits in the resource tree, and type renames.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole configuration. Every member is optional: an empty file is a valid configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Config {
    /// The spec, relative to the configuration file.
    #[serde(default)]
    pub spec: Option<String>,
    /// Overlays applied to the spec in order, relative to the configuration file (before any
    /// given on the command line).
    #[serde(default)]
    pub overlays: Vec<String>,
    /// The generated crate's identity (`crate:`).
    #[serde(default, rename = "crate")]
    pub krate: CrateConfig,
    /// Per operation (keyed by operationId, or `METHOD /path` when it has none).
    #[serde(default)]
    pub operations: BTreeMap<String, OperationConfig>,
    /// Type renames, keyed by component schema name or by JSON pointer of an inline schema.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// Component schemas to generate even though no operation reaches them.
    #[serde(default)]
    pub extra_schemas: Vec<String>,
    /// Which operations to generate; empty means all.
    #[serde(default)]
    pub select: Select,
    /// Names for the ways to authenticate and the environment variables they are read from.
    #[serde(default)]
    pub auth: AuthConfig,
    /// Library types for string formats (`formats:`); unset formats stay `String`.
    #[serde(default)]
    pub formats: Formats,
    /// Tests generated with the crate (`tests:`).
    #[serde(default)]
    pub tests: TestsConfig,
    /// The file the configuration was read from, for messages (empty when there is none).
    #[serde(skip)]
    pub file: String,
    /// The configuration's text, to find the line of a value that is refused later.
    #[serde(skip)]
    text: String,
}

/// The generated crate's identity and runtime defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    /// Package name (default: given by the caller, e.g. from the spec's file name).
    pub name: Option<String>,
    /// Package version (default `0.1.0`).
    pub version: Option<String>,
    /// Package description (default: from the document's title).
    pub description: Option<String>,
    /// Package license (default `MIT OR Apache-2.0`).
    pub license: Option<String>,
    /// Prefix of the environment variables `Client::from_env` reads (`CLOUDFLARE` →
    /// `CLOUDFLARE_API_TOKEN`, …).
    pub env_prefix: Option<String>,
    /// Overrides `servers[0].url` as the default base URL.
    pub base_url: Option<String>,
    /// Header in which the client sends an idempotency key on POST and PATCH (e.g.
    /// `Idempotency-Key`), for APIs that deduplicate on it; keyed requests are retried like
    /// GET. Unset: no key, and POST/PATCH are retried only when the server cannot have acted.
    #[serde(default, deserialize_with = "idempotency_header")]
    pub idempotency_header: Option<String>,
    /// Response header carrying the server's request id (e.g. `cf-ray`), which
    /// `ApiError::request_id` reads and error messages show. Unset: the first of the common
    /// request-id headers the document's responses declare, then the common ones in turn.
    #[serde(default, deserialize_with = "request_id_header")]
    pub request_id_header: Option<String>,
    /// Write the crate as a cargo workspace (see README, "Splitting a large API into crates"):
    /// the models in member crates that compile in parallel, under a facade crate with the
    /// same paths and features. Only an API with several top-level resources is split.
    #[serde(default)]
    pub split_crates: bool,
    /// With `split_crates`, the fewest types of its own a member crate holds: smaller
    /// top-level resources share one crate with their neighbours (default
    /// [`DEFAULT_SPLIT_GROUP_TYPES`]).
    #[serde(default)]
    pub split_group_types: Option<usize>,
    /// Define each set of string-enum values once: an inline enum whose variants equal
    /// another's becomes a type alias of it (see README, "Large APIs: one enum per set of
    /// values"). Fewer definitions to compile; the names stay, but become the same type.
    #[serde(default)]
    pub alias_same_enums: bool,
}

/// The default of `crate.split_group_types`: about a tenth of the Cloudflare API's types, so
/// its workspace has a few dozen member crates of similar size.
pub const DEFAULT_SPLIT_GROUP_TYPES: usize = 300;

/// An HTTP header name (an RFC 9110 token), so it is a valid header and safe to print inside
/// a Rust string literal.
fn header_name<'de, D: serde::Deserializer<'de>>(key: &str, d: D) -> Result<Option<String>, D::Error> {
    let name = String::deserialize(d)?;
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(serde::de::Error::custom(format!(
            "{key} `{}` is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
            name.escape_debug()
        )));
    }
    Ok(Some(name))
}

fn idempotency_header<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    header_name("idempotency_header", d)
}

fn request_id_header<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    header_name("request_id_header", d)
}

/// Tests generated with the crate.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestsConfig {
    /// `tests/contract.rs`: every operation called against Prism mocking the document.
    #[serde(default)]
    pub contract: bool,
    /// The document Prism mocks, relative to the generated crate's folder; unset, the test
    /// reads it from `CONTRACT_SPEC`.
    #[serde(default)]
    pub spec: Option<String>,
}

/// Where an operation goes and what its types are called.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationConfig {
    /// Dotted resource path, e.g. `zero_trust.access.users`.
    pub resource: Option<String>,
    /// Method name on that resource.
    pub method: Option<String>,
    /// Name of the parameters struct.
    pub params: Option<String>,
    /// Name of the response type.
    pub response: Option<String>,
    /// Paging: `false` turns it off, `true` (the default) detects it from the spec, a style
    /// (`{ style: cursor, param: …, next: … }`) forces it.
    pub paginate: Option<Paginate>,
}

/// An operation's `paginate:` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paginate {
    /// `true`: detected from the spec (the default); `false`: never paged.
    Detect(bool),
    /// A style named in the configuration, whatever the spec says.
    Style(PagingConfig),
}

impl<'de> Deserialize<'de> for Paginate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Paginate;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`true`, `false` or a paging style such as `{ style: cursor, param: cursor, next: meta.next }`")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Paginate, E> {
                Ok(Paginate::Detect(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Paginate, A::Error> {
                PagingConfig::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Paginate::Style)
            }
        }
        d.deserialize_any(V)
    }
}

/// A paging style forced by the configuration. Parameter names are query parameters of the
/// operation; paths (`next`, `has_more`, `total`, `items`) are dotted property names from the
/// response body's root (`result_info.cursor`). `items` defaults to the list the spec shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum PagingConfig {
    /// `page` and `per_page` query parameters.
    PageNumber {
        #[serde(default = "default_page")]
        page: String,
        #[serde(default = "default_per_page")]
        per_page: String,
        #[serde(default)]
        items: Option<String>,
    },
    /// A cursor query parameter and where the next cursor is in the body.
    Cursor {
        param: String,
        next: String,
        #[serde(default)]
        items: Option<String>,
    },
    /// A `has_more` flag and the last item's id sent as `param`.
    HasMore {
        #[serde(default = "default_starting_after")]
        param: String,
        #[serde(default = "default_has_more")]
        has_more: String,
        #[serde(default = "default_id")]
        id: String,
        #[serde(default)]
        items: Option<String>,
    },
    /// Offset and limit query parameters, and optionally where the total is.
    OffsetLimit {
        #[serde(default = "default_offset")]
        offset: String,
        #[serde(default = "default_limit")]
        limit: String,
        #[serde(default)]
        total: Option<String>,
        #[serde(default)]
        items: Option<String>,
    },
    /// `Link: <…>; rel="next"` headers.
    LinkHeader {
        #[serde(default)]
        items: Option<String>,
    },
    /// The next page's URL in the body at `next` (Django REST framework's `next`).
    NextLink {
        #[serde(default = "default_next")]
        next: String,
        #[serde(default)]
        items: Option<String>,
    },
}

fn default_next() -> String {
    "next".into()
}

fn default_page() -> String {
    "page".into()
}
fn default_per_page() -> String {
    "per_page".into()
}
fn default_starting_after() -> String {
    "starting_after".into()
}
fn default_has_more() -> String {
    "has_more".into()
}
fn default_id() -> String {
    "id".into()
}
fn default_offset() -> String {
    "offset".into()
}
fn default_limit() -> String {
    "limit".into()
}

/// How the client's authentication is named (`auth:`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// A name for a security requirement, keyed by that name, listing its schemes: it names the
    /// `Auth` variant and the `ClientBuilder` method (default: the scheme names joined by `_and_`).
    #[serde(default)]
    pub requirements: BTreeMap<String, Vec<String>>,
    /// The environment variable of a scheme, after `{env_prefix}_` (default: the scheme name in
    /// upper snake case), keyed by scheme name.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// Which library type a string `format` becomes (`formats: { date-time: jiff, uuid: uuid }`).
/// Opt-in: a format not named here stays `String`, which decodes whatever text the server sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formats {
    /// `format: date-time` (RFC 3339): `time::OffsetDateTime` or `jiff::Timestamp`.
    #[serde(default, rename = "date-time")]
    pub date_time: DateLib,
    /// `format: date` (RFC 3339 full-date): `time::Date` or `jiff::civil::Date`.
    #[serde(default)]
    pub date: DateLib,
    /// `format: uuid`: `uuid::Uuid`.
    #[serde(default)]
    pub uuid: UuidLib,
}

/// The library a date or date-time maps to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateLib {
    /// `String` (the default).
    #[default]
    String,
    /// The `time` crate.
    Time,
    /// The `jiff` crate.
    Jiff,
}

/// What a `uuid` maps to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UuidLib {
    /// `String` (the default).
    #[default]
    String,
    /// `uuid::Uuid`.
    Uuid,
}

/// A string format the configuration maps to a library type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormatType {
    /// `time::OffsetDateTime` for `date-time`.
    TimeDateTime,
    /// `time::Date` for `date`.
    TimeDate,
    /// `jiff::Timestamp` for `date-time`.
    JiffTimestamp,
    /// `jiff::civil::Date` for `date`.
    JiffDate,
    /// `uuid::Uuid` for `uuid`.
    Uuid,
}

impl FormatType {
    /// The type's path as generated code writes it.
    pub fn rust_path(self) -> &'static str {
        match self {
            FormatType::TimeDateTime => "time::OffsetDateTime",
            FormatType::TimeDate => "time::Date",
            FormatType::JiffTimestamp => "jiff::Timestamp",
            FormatType::JiffDate => "jiff::civil::Date",
            FormatType::Uuid => "uuid::Uuid",
        }
    }

    /// The crate it comes from (a dependency of the generated crate).
    pub fn krate(self) -> &'static str {
        match self {
            FormatType::TimeDateTime | FormatType::TimeDate => "time",
            FormatType::JiffTimestamp | FormatType::JiffDate => "jiff",
            FormatType::Uuid => "uuid",
        }
    }

    /// True for `time`'s types, whose own serde and `Display` forms are not the wire's: the
    /// generated code reads and writes them through the runtime's `time_serde` and
    /// `Rfc3339Text`, which only a struct field, a union variant or a parameter can carry.
    pub fn needs_helper(self) -> bool {
        matches!(self, FormatType::TimeDateTime | FormatType::TimeDate)
    }

    /// The format's name in the document (`date-time`).
    pub fn format(self) -> &'static str {
        match self {
            FormatType::TimeDateTime | FormatType::JiffTimestamp => "date-time",
            FormatType::TimeDate | FormatType::JiffDate => "date",
            FormatType::Uuid => "uuid",
        }
    }
}

impl Formats {
    /// The library type a string schema's `format` maps to, if the configuration names one.
    pub fn mapped(&self, format: &str) -> Option<FormatType> {
        match (format, self.date_time, self.date, self.uuid) {
            ("date-time", DateLib::Time, _, _) => Some(FormatType::TimeDateTime),
            ("date-time", DateLib::Jiff, _, _) => Some(FormatType::JiffTimestamp),
            ("date", _, DateLib::Time, _) => Some(FormatType::TimeDate),
            ("date", _, DateLib::Jiff, _) => Some(FormatType::JiffDate),
            ("uuid", _, _, UuidLib::Uuid) => Some(FormatType::Uuid),
            _ => None,
        }
    }
}

/// Operation selection for generating part of a large API. An operation is kept when it
/// matches any listed tag, path prefix or operationId.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Select {
    /// Operations carrying any of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Operations whose path starts with any of these.
    #[serde(default)]
    pub path_prefixes: Vec<String>,
    /// Operations with any of these operationIds.
    #[serde(default)]
    pub operation_ids: Vec<String>,
}

impl Select {
    /// True when nothing is selected, which means "everything".
    pub fn is_all(&self) -> bool {
        self.tags.is_empty() && self.path_prefixes.is_empty() && self.operation_ids.is_empty()
    }
}

/// The text of the configuration file at `path`: a regular file of at most
/// [`crate::limits::MAX_INPUT_BYTES`], in UTF-8.
pub(crate) fn read_text(path: &std::path::Path) -> Result<String, ConfigError> {
    let bytes = crate::load::read_input(path, crate::limits::MAX_INPUT_BYTES)?;
    String::from_utf8(bytes).map_err(|_| {
        let source = std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8");
        ConfigError::Read(crate::load::ReadError::Io { file: path.display().to_string(), source })
    })
}

/// A configuration file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    /// The file could not be read, or is no regular file, or is too large.
    Read(#[from] crate::load::ReadError),
    /// A name the generated code would use as it is, but which is not a Rust identifier.
    #[error("{}{}: `{}` is {value}: {reason}; change it in {}", crate::escape::shown(.file), .line.map(|l| format!(":{l}")).unwrap_or_default(), crate::escape::shown(.key), crate::escape::shown(.file))]
    Name {
        /// The file, as messages name it.
        file: String,
        /// The line of the key, when it can be found (a key written with escapes may not be).
        line: Option<usize>,
        /// Where in the file, dotted (`types.Pet`, `operations.listPets.method`).
        key: String,
        /// The value, escaped so it prints on one line.
        value: String,
        /// What a valid value looks like.
        reason: &'static str,
    },
    /// The YAML does not parse, or holds an unknown key or a refused value.
    #[error("{}:{line}:{column}: invalid configuration: {}", crate::escape::shown(.file), crate::escape::shown(.message))]
    Invalid {
        /// The file, as messages name it.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Parses configuration text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Config { file: file.to_string(), ..Config::default() });
        }
        // The parse into the configuration's types would expand aliases without a bound: the
        // text is read within the document's YAML limits first (a syntax error is left to that
        // parse, which names it in its own words).
        let refused = match crate::load::read_yaml(text) {
            Err(crate::load::YamlError::TooDeep { line, column }) => {
                Some((line, column, format!("the flow collections nest deeper than {} levels; nest them less", crate::limits::MAX_DOCUMENT_DEPTH)))
            }
            Err(crate::load::YamlError::Aliases { line, column, limit_mib }) => {
                Some((line, column, format!("YAML aliases expand the text past {limit_mib} MiB here; write the repeated value fewer times")))
            }
            _ => None,
        };
        if let Some((line, column, message)) = refused {
            return Err(ConfigError::Invalid { file: file.to_string(), line, column, message });
        }
        let mut config: Config = serde_yaml_ng::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            ConfigError::Invalid {
                file: file.to_string(),
                line,
                column,
                message: e.to_string(),
            }
        })?;
        config.file = file.to_string();
        config.text = text.to_string();
        config.check_names()?;
        Ok(config)
    }

    /// Refuses configured names the generated code could not carry: type names are written
    /// as they are, method and resource names only change case, so each must already be an
    /// identifier (ASCII letters, digits and `_`, not starting with a digit). `auth:` requirement
    /// names are identifiers too, and environment suffixes ASCII letters, digits and `_`.
    fn check_names(&self) -> Result<(), ConfigError> {
        const TYPE: &str =
            "a type name is an ASCII Rust identifier that is not a keyword, not a standard type the generated code names unqualified (such as `Option` or `Vec`) and does not start with `__` (the generated code's own), such as `UserList`";
        const SEGMENT: &str = "a method name is an ASCII identifier, such as `list`";
        const RESOURCE: &str = "a resource is dot-separated ASCII identifiers, such as `zero_trust.access.users`";
        let ident = |s: &str| crate::naming::is_ascii_ident(s) && s != "_";
        // `__de` (the split shared crate's module of `de.rs`) and the like name items the
        // generated code writes beside the models; a standard name (`build::STD_TYPE_NAMES`,
        // which generated names avoid too) would hide the standard type the models name.
        let type_name = |s: &str| {
            ident(s) && !crate::naming::is_keyword(s) && !s.starts_with("__") && !crate::build::STD_TYPE_NAMES.contains(&s)
        };
        let mut checks: Vec<(Vec<&str>, &str, bool, &'static str)> = Vec::new();
        for (key, name) in &self.types {
            checks.push((vec!["types", key], name, type_name(name), TYPE));
        }
        for (id, op) in &self.operations {
            for (member, value) in [("params", &op.params), ("response", &op.response)] {
                if let Some(v) = value {
                    checks.push((vec!["operations", id, member], v, type_name(v), TYPE));
                }
            }
            if let Some(m) = &op.method {
                checks.push((vec!["operations", id, "method"], m, ident(m), SEGMENT));
            }
            if let Some(r) = &op.resource {
                checks.push((vec!["operations", id, "resource"], r, r.split('.').all(ident), RESOURCE));
            }
        }
        const REQUIREMENT: &str = "a requirement name is an ASCII identifier, such as `api_key`";
        const ENV: &str = "an environment variable suffix is ASCII letters, digits and `_`, such as `API_KEY`";
        for name in self.auth.requirements.keys() {
            checks.push((vec!["auth", "requirements", name], name, ident(name) && !crate::naming::is_keyword(name), REQUIREMENT));
        }
        for (scheme, suffix) in &self.auth.env {
            let ok = !suffix.is_empty() && suffix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            checks.push((vec!["auth", "env", scheme], suffix, ok, ENV));
        }
        match checks.into_iter().find(|(_, _, ok, _)| !ok) {
            None => Ok(()),
            Some((keys, value, _, reason)) => Err(ConfigError::Name {
                file: self.file.clone(),
                line: self.line_of(&keys),
                key: keys.join("."),
                value: crate::escape::rust_str(value),
                reason,
            }),
        }
    }

    /// The 1-based line of the value under `keys` (`["crate", "version"]`) in the file.
    pub fn line_of(&self, keys: &[&str]) -> Option<usize> {
        let pointer: String = keys.iter().map(|k| crate::locate::join("", k)).collect();
        crate::locate::line_of(&self.text, &pointer)
    }

    /// Reads a configuration file.
    pub fn load(path: &std::path::Path) -> Result<Config, ConfigError> {
        Config::parse(&path.display().to_string(), &read_text(path)?)
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn formats_map_only_what_is_named() {
        let c = Config::parse("codegen.yaml", "formats:\n  date-time: time\n  uuid: uuid\n").unwrap();
        assert_eq!(c.formats.mapped("date-time"), Some(FormatType::TimeDateTime));
        assert_eq!(c.formats.mapped("date"), None);
        assert_eq!(c.formats.mapped("uuid"), Some(FormatType::Uuid));
        assert_eq!(c.formats.mapped("uri"), None);
        assert_eq!(Config::parse("codegen.yaml", "").unwrap().formats, Formats::default());
        let c = Config::parse("codegen.yaml", "formats: {date: jiff, date-time: string}").unwrap();
        assert_eq!((c.formats.mapped("date"), c.formats.mapped("date-time")), (Some(FormatType::JiffDate), None));
    }

    #[test]
    fn unknown_formats_and_libraries_are_located_errors() {
        for (text, line, says) in [
            ("crate: {}\nformats:\n  email: lettre\n", 3, "unknown field `email`"),
            ("formats:\n  date-time: chrono\n", 2, "unknown variant `chrono`"),
            ("formats:\n  uuid: jiff\n", 2, "unknown variant `jiff`"),
        ] {
            let e = Config::parse("codegen.yaml", text).unwrap_err().to_string();
            assert!(e.starts_with(&format!("codegen.yaml:{line}:")) && e.contains(says), "{text:?}: {e}");
        }
    }
}
