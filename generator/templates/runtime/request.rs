//! Building, sending and decoding one API request.
//!
//! All HTTP work (URL, headers, retries, timeouts, tracing) happens in the
//! non-generic [`execute`]; only the final decode is generic over the
//! response type, which keeps the amount of monomorphised code per operation
//! small. A response is JSON unless the request says otherwise ([`AsBytes`],
//! [`AsText`]).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::client::Client;
use crate::error::{
    info_list, is_hostile_char, ApiError, Error, Escaped, JsonError, ResponseInfo,
    TransportKind, MAX_SHOWN_CHARS,
};
use crate::pagination::ResultInfo;
use crate::retry::{
    new_idempotency_key, should_retry_response, should_retry_transport, Replay, RetryPolicy,
};

/// Default largest response body the client reads (64 MiB); see
/// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Largest body of an error response (4xx, 5xx) the client reads (1 MiB, or
/// the response limit if that is smaller). An error body only has to carry
/// the `errors` array.
pub const MAX_ERROR_BODY_BYTES: u64 = 1024 * 1024;

/// Bytes that stay literal in a path segment: RFC 3986 "unreserved" characters.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode one path segment: everything except `A-Z a-z 0-9 - . _ ~`
/// is encoded, so `/`, `?`, `#`, `%` and spaces cannot change the URL's shape.
///
/// ```
/// use cloudflare_access_users::encode_path;
/// assert_eq!(encode_path("a/b c?d#e%f").to_string(), "a%2Fb%20c%3Fd%23e%25f");
/// assert_eq!(encode_path("user-1.x_y~z").to_string(), "user-1.x_y~z");
/// ```
pub fn encode_path(segment: &str) -> impl fmt::Display + '_ {
    utf8_percent_encode(segment, PATH_SEGMENT)
}

/// The text of a parameter value with no `Display` of its own (a union, a list inside a
/// union, an object): a string as it is, a number or boolean as written, `null` as nothing,
/// a list's items joined by commas, an object as its JSON text. A union of a value or a list
/// of values thus goes as `status=pending`, not as the JSON text `"pending"`.
// A crate may have no such parameter, or none with its cargo features off.
#[allow(dead_code)]
pub(crate) fn param_text<V: Serialize + ?Sized>(value: &V) -> String {
    fn text(value: serde_json::Value) -> String {
        match value {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s,
            serde_json::Value::Array(items) => items.into_iter().map(text).collect::<Vec<_>>().join(","),
            other => other.to_string(),
        }
    }
    serde_json::to_value(value).map(text).unwrap_or_default()
}

//@if path-styles
/// How a path parameter is written: OpenAPI's `style`, the RFC 6570
/// expansions `{id}`, `{.id}` and `{;id}`.
// A crate may use only some styles, or none with its cargo features off.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
pub(crate) enum PathStyle {
    /// `a,b`; an object `k,v,k,v`, or `k=v,k=v` exploded.
    Simple,
    /// `.a,b`, or `.a.b` exploded; an object `.k,v,k,v`, or `.k=v.k=v`.
    Label,
    /// `;id=a,b`, or `;id=a;id=b` exploded; an object `;id=k,v,k,v`, or
    /// `;k=v;k=v`.
    Matrix,
}

/// A path parameter's value written in its style. Every name, member name
/// and value is percent-encoded as a path segment, so only the style's own
/// separators stay literal and no value can add a segment, a query or a
/// fragment. `null` items and members are left out, a nested array or
/// object is its JSON text. A value that cannot be serialized leaves its
/// error in `error` (the request fails when sent) and writes nothing; one
/// written as the dot segment `.` or `..` is refused when sent, as every
/// path is.
// Unused when the operations that call it are behind cargo features turned off.
#[allow(dead_code)]
pub(crate) fn path_param<V: Serialize + ?Sized>(
    style: PathStyle,
    explode: bool,
    name: &str,
    value: &V,
    error: &mut Option<Error>,
) -> String {
    let value = match serde_json::to_value(value) {
        Ok(v) => v,
        Err(e) => {
            error.get_or_insert(Error::Serialize(e));
            return String::new();
        }
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => encode_path(s).to_string(),
        other => encode_path(&other.to_string()).to_string(),
    };
    let name = encode_path(name).to_string();
    // The one value, or the items, or the members as (name, value).
    let (items, members): (Vec<String>, Option<Vec<(String, String)>>) = match &value {
        serde_json::Value::Array(items) => (
            items.iter().filter(|v| !v.is_null()).map(text).collect(),
            None,
        ),
        serde_json::Value::Object(members) => (
            Vec::new(),
            Some(
                members
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (encode_path(k).to_string(), text(v)))
                    .collect(),
            ),
        ),
        serde_json::Value::Null => (Vec::new(), None),
        one => (vec![text(one)], None),
    };
    let (prefix, exploded_sep) = match style {
        PathStyle::Simple => ("", ","),
        PathStyle::Label => (".", "."),
        PathStyle::Matrix => (";", ";"),
    };
    match (style, members, explode) {
        (PathStyle::Matrix, None, true) if !items.is_empty() => {
            items.iter().map(|v| format!(";{name}={v}")).collect()
        }
        (PathStyle::Matrix, None, _) if items.is_empty() => format!(";{name}"),
        (PathStyle::Matrix, None, _) => format!(";{name}={}", items.join(",")),
        (_, None, exploded) => {
            let sep = if exploded { exploded_sep } else { "," };
            format!("{prefix}{}", items.join(sep))
        }
        (_, Some(members), true) => {
            let pairs: Vec<String> = members.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{prefix}{}", pairs.join(exploded_sep))
        }
        (_, Some(members), false) => {
            let flat: Vec<&str> = members
                .iter()
                .flat_map(|(k, v)| [k.as_str(), v.as_str()])
                .collect();
            match style {
                PathStyle::Matrix if flat.is_empty() => format!(";{name}"),
                PathStyle::Matrix => format!(";{name}={}", flat.join(",")),
                _ => format!("{prefix}{}", flat.join(",")),
            }
        }
    }
}

//@end
/// The boxed future returned by [`Request::send`] and friends. It owns a
/// clone of the client, so it is `'static` and can be spawned.
pub type ResponseFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'static>>;

/// What a request sends.
#[derive(Clone)]
pub(crate) enum Payload {
    Bytes(Bytes),
    /// Made once when the request is sent (files read then); every attempt
    /// sends the same bytes. (Unused in a crate whose bodies are all JSON.)
    #[allow(dead_code)]
    Deferred(Arc<dyn Fn() -> ResponseFuture<Bytes> + Send + Sync>),
}

/// Everything about a request except its response type.
#[derive(Clone)]
pub(crate) struct RequestParts {
    pub(crate) method: Method,
    pub(crate) path_template: &'static str,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Payload>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) backoff: Option<(Duration, Duration)>,
    pub(crate) max_response_bytes: Option<u64>,
    pub(crate) envelope: bool,
    /// The ways to authenticate the operation accepts, in its order: lists of
    /// indices into the API's security schemes (`crate::auth::SCHEMES`).
    pub(crate) security: &'static [&'static [usize]],
    /// The server the operation declares for itself, as an index into
    /// `servers::OPERATION_SERVERS`; `None` sends to the client's base URL.
    pub(crate) server: Option<usize>,
    /// A URL the server gave for the next page (a `Link` header's), sent
    /// instead of `path` and `query` when it is on the base URL's origin.
    pub(crate) next_url: Option<String>,
}

impl RequestParts {
    /// Append a header; non-generic so it is compiled once.
    fn add_header(&mut self, name: &str, value: &str) -> Result<(), Error> {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(mut v)) => {
                if crate::client::is_secret_header(&n) {
                    v.set_sensitive(true);
                }
                self.headers.append(n, v);
                Ok(())
            }
            // The value is not echoed: it may be a secret.
            _ => Err(Error::Config(format!("invalid header `{name}`"))),
        }
    }
}

/// A request to one API operation, returning `T` (the decoded `result`).
///
/// `D` says how the response body becomes `T`: as JSON ([`AsJson`], the
/// default), as bytes ([`AsBytes`]) or as text ([`AsText`]).
///
/// Send it by awaiting it (or [`Request::send`]); configure it first with the
/// builder-style methods. `P` is the operation's parameters struct (`()` for
/// none): the request carries it, offers a setter per parameter by name and
/// [`Request::params`] for all at once, and puts it on the wire when sent. Problems found while building (invalid header
/// value, body that fails to serialize, empty path parameter) are reported
/// when it is sent.
///
/// ```no_run
//@example call
/// {cfg}
/// # async fn run(client: cloudflare_access_users::Client) -> Result<(), cloudflare_access_users::Error> {
/// {setup}
/// let response = {call}
///     .timeout(std::time::Duration::from_secs(5))
///     .await?;
/// println!("{response:?}");
/// # Ok(())
/// # }
//@else
/// # async fn run() -> Result<(), cloudflare_access_users::Error> {
/// use cloudflare_access_users::{encode_path, Client, Request};
/// use reqwest::Method;
///
/// let client = Client::from_env()?;
/// let path = format!("/things/{}", encode_path("thing 1"));
/// let thing: serde_json::Value = Request::new(&client, Method::GET, "/things/{thing_id}", path)
///     .query("expand", &true)
///     .timeout(std::time::Duration::from_secs(5))
///     .await?;
/// println!("{thing}");
/// # Ok(())
/// # }
//@end
/// ```
#[must_use = "a request does nothing until it is awaited or sent"]
pub struct Request<'c, T, D = AsJson, P = ()> {
    pub(crate) client: &'c Client,
    pub(crate) parts: RequestParts,
    pub(crate) error: Option<Error>,
    /// The operation's parameters struct, set by name until the request is
    /// sent and put on it then (see [`Params`]).
    pub(crate) params: P,
    marker: PhantomData<fn() -> (T, D)>,
}

/// What an operation's parameters struct puts on its request (query string,
/// headers, body) when the request is sent. The crate implements it for every
/// parameters struct; `()` puts nothing.
///
/// A request carries its parameters as a value of this type, so one generic
/// request serves every operation: the setters a request offers by name
/// (`.per_page(50)`) are methods of `Request<'_, T, D, ThatParams>`.
pub trait Params {
    /// Put the parameters on `req`.
    fn apply<'c>(&self, req: Request<'c, ()>) -> Request<'c, ()>;
}

impl Params for () {
    fn apply<'c>(&self, req: Request<'c, ()>) -> Request<'c, ()> {
        req
    }
}

impl<T, D, P> fmt::Debug for Request<'_, T, D, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.parts.method)
            .field("path", &self.parts.path)
            .field("query", &self.parts.query)
            .field(
                "headers",
                &crate::client::RedactedHeaders(&self.parts.headers),
            )
            .field("has_body", &self.parts.body.is_some())
            .finish()
    }
}

impl<'c, T> Request<'c, T> {
    /// A request for `method` on `path` (already filled in, with segments
    /// encoded by [`encode_path`]); `path_template` is the OpenAPI path, used
    /// for tracing. It authenticates the way the API's document says requests
    /// do by default (its top-level `security`).
    ///
    /// ```
    /// use cloudflare_access_users::{encode_path, Client, Request};
    /// let client = Client::builder().base_url("https://api.example.com/v1").build()?;
    /// let path = format!("/things/{}", encode_path("thing 1"));
    /// let req: Request<'_, serde_json::Value> =
    ///     Request::new(&client, reqwest::Method::GET, "/things/{thing_id}", path);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn new(
        client: &'c Client,
        method: Method,
        path_template: &'static str,
        path: String,
    ) -> Self {
        let error = check_path(path_template, &path).map(Error::Config);
        Request {
            client,
            parts: RequestParts {
                method,
                path_template,
                path,
                query: Vec::new(),
                headers: HeaderMap::new(),
                body: None,
                timeout: None,
                max_retries: None,
                backoff: None,
                max_response_bytes: None,
                envelope: true,
                security: crate::auth::DEFAULT_SECURITY,
                server: None,
                next_url: None,
            },
            error,
            params: (),
            marker: PhantomData,
        }
    }
}

impl<'c, T, D> Request<'c, T, D> {
    /// Carry `params`, to be put on the request when it is sent. (Unused in a
    /// crate whose operations take no parameters.)
    #[allow(dead_code)]
    pub(crate) fn with_params<P>(self, params: P) -> Request<'c, T, D, P> {
        Request {
            client: self.client,
            parts: self.parts,
            error: self.error,
            params,
            marker: PhantomData,
        }
    }
}

impl<'c, T, D, P: Params> Request<'c, T, D, P> {
    /// The request with its parameters put on it.
    pub(crate) fn applied(self) -> Request<'c, T, D> {
        let Request {
            client,
            parts,
            error,
            params,
            ..
        } = self;
        let plain = params.apply(Request {
            client,
            parts,
            error,
            params: (),
            marker: PhantomData,
        });
        Request {
            client: plain.client,
            parts: plain.parts,
            error: plain.error,
            params: (),
            marker: PhantomData,
        }
    }
}

impl<'c, T, D, P> Request<'c, T, D, P> {
    /// Replace every parameter at once (the operation's parameters struct);
    /// the setters named after the parameters change one each.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req = req.params(());
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn params(mut self, params: P) -> Self {
        self.params = params;
        self
    }

    /// The parameters, for the generated setters. (Unused in a crate whose
    /// operations take no parameters.)
    #[allow(dead_code)]
    pub(crate) fn params_mut(&mut self) -> &mut P {
        &mut self.params
    }

    /// Return the response body's bytes as they are, whatever its type.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req: cloudflare_access_users::Request<'_, bytes::Bytes, cloudflare_access_users::AsBytes> =
    ///     req.returning_bytes();
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn returning_bytes(self) -> Request<'c, Bytes, AsBytes, P> {
        self.returning()
    }

    /// Return the response body as text (see [`AsText`]).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req: cloudflare_access_users::Request<'_, String, cloudflare_access_users::AsText> =
    ///     req.returning_text();
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn returning_text(self) -> Request<'c, String, AsText, P> {
        self.returning()
    }

    fn returning<U, E>(self) -> Request<'c, U, E, P> {
        Request {
            client: self.client,
            parts: self.parts,
            error: self.error,
            params: self.params,
            marker: PhantomData,
        }
    }

    /// Authenticate the way the operation accepts: the first of these
    /// alternatives whose credentials the client holds is sent. (Unused in a
    /// build whose cargo features leave no operation.)
    #[allow(dead_code)]
    pub(crate) fn security(mut self, alternatives: &'static [&'static [usize]]) -> Self {
        self.parts.security = alternatives;
        self
    }

    /// Send to the server the operation declares for itself (an index into
    /// `servers::OPERATION_SERVERS`) unless the client's base URL is one it
    /// was given. (Unused in a crate whose operations declare none.)
    #[allow(dead_code)]
    pub(crate) fn server(mut self, index: usize) -> Self {
        self.parts.server = Some(index);
        self
    }

    pub(crate) fn fail(&mut self, err: Error) {
        self.error.get_or_insert(err);
    }

    //@if path-styles
    /// Fails the request with the error a path parameter left, if any.
    // Unused when the operations that call it are behind cargo features turned off.
    #[allow(dead_code)]
    pub(crate) fn path_error(mut self, err: Option<Error>) -> Self {
        if let Some(err) = err {
            self.fail(err);
        }
        self
    }

    //@end
    /// Add a query parameter (appended; repeated names are kept).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req = req.query("name", "Jane Doe").query("per_page", &100);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn query<V: fmt::Display + ?Sized>(mut self, name: &str, value: &V) -> Self {
        self.parts.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// Add a query parameter once per value (`ids=a&ids=b`).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let ids = vec!["a".to_string(), "b".to_string()];
    /// let req = req.query_each("ids", &ids);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn query_each<I>(mut self, name: &str, values: I) -> Self
    where
        I: IntoIterator,
        I::Item: fmt::Display,
    {
        for v in values {
            self.parts.query.push((name.to_owned(), v.to_string()));
        }
        self
    }

    //@if query-members
    /// Add an object's members as query parameters: each under its own name
    /// (`in: querystring`, an exploded `form` object), or as `prefix[name]`
    /// (`deepObject`). An array member is repeated, `null` left out and a
    /// nested object sent as its JSON text.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let filter = serde_json::json!({"name": "Jane", "ids": [1, 2]});
    /// let req = req.query_members(Some("filter"), &filter);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn query_members<V: Serialize + ?Sized>(mut self, prefix: Option<&str>, value: &V) -> Self {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(members)) => {
                for (name, member) in members {
                    let key = match prefix {
                        Some(p) => format!("{p}[{name}]"),
                        None => name,
                    };
                    let values = match member {
                        serde_json::Value::Array(items) => items,
                        one => vec![one],
                    };
                    for v in values {
                        match v {
                            serde_json::Value::Null => {}
                            serde_json::Value::String(s) => self.parts.query.push((key.clone(), s)),
                            other => self.parts.query.push((key.clone(), other.to_string())),
                        }
                    }
                }
            }
            // The generator calls this only with objects; anything else has no members.
            Ok(_) => {}
            Err(e) => self.fail(Error::Serialize(e)),
        }
        self
    }

    //@end
    //@if query-members
    /// Add an object as one query parameter, its members' names and values
    /// joined by commas (a `form` object not exploded:
    /// `id=role,admin,firstName,Alex`). `null` members are left out, a
    /// nested value is its JSON text, and the commas and values are
    /// form-encoded with the rest of the query.
    pub fn query_joined<V: Serialize + ?Sized>(mut self, name: &str, value: &V) -> Self {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(members)) => {
                let mut parts = Vec::with_capacity(members.len() * 2);
                for (key, member) in members {
                    let text = match member {
                        serde_json::Value::Null => continue,
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    parts.push(key);
                    parts.push(text);
                }
                self.parts.query.push((name.to_owned(), parts.join(",")));
            }
            // The generator calls this only with objects; anything else has no members.
            Ok(_) => {}
            Err(e) => self.fail(Error::Serialize(e)),
        }
        self
    }

    //@end
    //@if cookie-params
    /// Add a cookie parameter once per value, to the request's one `Cookie`
    /// header (`name=a; name=b`). Every byte RFC 6265 does not allow in a
    /// cookie (controls, whitespace, `"`, `,`, `;`, `\`, non-ASCII) and `%`
    /// itself is percent-encoded, in the name as in the value, so no value
    /// can end its pair, add a cookie or a header.
    // Unused when the operations that call it are behind cargo features turned off.
    #[allow(dead_code)]
    pub(crate) fn cookie_param<I>(mut self, name: &str, values: I) -> Self
    where
        I: IntoIterator,
        I::Item: fmt::Display,
    {
        use reqwest::header::COOKIE;
        /// Bytes that are not RFC 6265 `cookie-octet`s, and `%`.
        const COOKIE_VALUE: &AsciiSet = &percent_encoding::CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b',')
            .add(b';')
            .add(b'\\')
            .add(b'%');
        /// Bytes that are not HTTP token characters, and `%`.
        const COOKIE_NAME: &AsciiSet = &COOKIE_VALUE
            .add(b'(')
            .add(b')')
            .add(b'/')
            .add(b':')
            .add(b'<')
            .add(b'=')
            .add(b'>')
            .add(b'?')
            .add(b'@')
            .add(b'[')
            .add(b']')
            .add(b'{')
            .add(b'}');
        let name = utf8_percent_encode(name, COOKIE_NAME).to_string();
        let mut cookie = self
            .parts
            .headers
            .get(COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_default();
        for value in values {
            if !cookie.is_empty() {
                cookie.push_str("; ");
            }
            let value = value.to_string();
            cookie.push_str(&format!("{name}={}", utf8_percent_encode(&value, COOKIE_VALUE)));
        }
        if cookie.is_empty() {
            return self;
        }
        match HeaderValue::from_str(&cookie) {
            Ok(mut v) => {
                v.set_sensitive(true);
                self.parts.headers.insert(COOKIE, v);
            }
            Err(_) => self.fail(Error::Config(format!("invalid cookie `{name}`"))),
        }
        self
    }

    //@end
    /// Set a header parameter of the operation.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req = req.header_param("If-Match", &"\"etag\"");
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn header_param<V: fmt::Display + ?Sized>(self, name: &'static str, value: &V) -> Self {
        self.header(name, &value.to_string())
    }

    /// Set an extra header on this request (replaces a client default header
    /// of the same name).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req = req.header("x-trace-id", "abc123");
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Err(e) = self.parts.add_header(name, value) {
            self.fail(e);
        }
        self
    }

    /// Send `body` as JSON. It is serialized now; a failure is reported as
    /// [`Error::Serialize`] when the request is sent.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::POST, "/x", "/x".into());
    /// let req = req.json(&serde_json::json!({"email": "jane@example.com"}));
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.parts.body = Some(Payload::Bytes(Bytes::from(bytes)));
                self.parts
                    .headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Err(e) => self.fail(Error::Serialize(e)),
        }
        self
    }

    /// Decode the whole response body as `T` instead of the `result` field of
    /// the `{"result": …}` envelope.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req = req.without_envelope();
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn without_envelope(mut self) -> Self {
        self.parts.envelope = false;
        self
    }

    /// Override the client's per-attempt timeout for this request.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req = req.timeout(std::time::Duration::from_secs(2));
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.parts.timeout = Some(timeout);
        self
    }

    /// Override the client's number of retries for this request.
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req = req.max_retries(0);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.parts.max_retries = Some(max_retries);
        self
    }

    /// Override the client's retry backoff (first delay, largest delay).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// use std::time::Duration;
    /// let req = req.retry_backoff(Duration::from_millis(50), Duration::from_secs(1));
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.parts.backoff = Some((initial, max.max(initial)));
        self
    }

    /// Override the client's response size limit for this request (see
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    ///
    /// ```
    /// # let client = cloudflare_access_users::Client::builder().base_url("https://api.example.com/v1").build()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let req = req.max_response_bytes(256 * 1024 * 1024);
    /// # drop(req);
    /// # Ok::<(), cloudflare_access_users::Error>(())
    /// ```
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.parts.max_response_bytes = Some(limit);
        self
    }
}

impl<T: Send + 'static, D: Decode<T> + 'static, P: Params> Request<'_, T, D, P> {
    /// Send the request and decode the result (same as `.await`ing it).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// # let client = cloudflare_access_users::Client::from_env()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let handle = tokio::spawn(req.send());
    /// let value = handle.await.expect("task panicked")?;
    /// # let _ = value;
    /// # Ok(())
    /// # }
    /// ```
    pub fn send(self) -> ResponseFuture<T> {
        let req = self.applied();
        let (client, parts, error) = (req.client.clone(), req.parts, req.error);
        if let Some(e) = error {
            return Box::pin(std::future::ready(Err(e)));
        }
        Box::pin(async move {
            let raw = execute(&client, &parts).await?;
            D::decode(raw.status, raw.headers, raw.body, parts.envelope)
                .map(ResponseValue::into_inner)
        })
    }

    /// Send the request and return the result together with the status,
    /// headers, `result_info` and `messages` of the response.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// # let client = cloudflare_access_users::Client::from_env()?;
    /// # let req: cloudflare_access_users::Request<'_, serde_json::Value> =
    /// #     cloudflare_access_users::Request::new(&client, reqwest::Method::GET, "/x", "/x".into());
    /// let resp = req.send_with_response().await?;
    /// println!("{} {:?}", resp.status(), resp.headers().get("content-type"));
    /// let value = resp.into_inner();
    /// # let _ = value;
    /// # Ok(())
    /// # }
    /// ```
    pub fn send_with_response(self) -> ResponseFuture<ResponseValue<T>> {
        let req = self.applied();
        let (client, parts, error) = (req.client.clone(), req.parts, req.error);
        if let Some(e) = error {
            return Box::pin(std::future::ready(Err(e)));
        }
        Box::pin(async move {
            let raw = execute(&client, &parts).await?;
            D::decode(raw.status, raw.headers, raw.body, parts.envelope)
        })
    }
}

impl<T: Send + 'static, D: Decode<T> + 'static, P: Params> IntoFuture for Request<'_, T, D, P> {
    type Output = Result<T, Error>;
    type IntoFuture = ResponseFuture<T>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

impl<P: Params> Request<'_, Bytes, AsBytes, P> {
    /// Send the request and return the body as it arrives, for downloads too
    /// large to hold: nothing is buffered, so the response size limit does
    /// not apply (a failed status is still read within it, as an error).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), cloudflare_access_users::Error> {
    /// # let client = cloudflare_access_users::Client::from_env()?;
    /// # let req = cloudflare_access_users::Request::<()>::new(&client, reqwest::Method::GET, "/x", "/x".into())
    /// #     .returning_bytes();
    /// let mut body = req.send_streaming().await?;
    /// let mut total = 0;
    /// while let Some(chunk) = body.chunk().await? {
    ///     total += chunk.len();
    /// }
    /// # let _ = total;
    /// # Ok(())
    /// # }
    /// ```
    pub fn send_streaming(self) -> ResponseFuture<ByteStream> {
        let req = self.applied();
        let (client, parts, error) = (req.client.clone(), req.parts, req.error);
        if let Some(e) = error {
            return Box::pin(std::future::ready(Err(e)));
        }
        Box::pin(async move { ByteStream::open(&client, &parts).await })
    }
}

mod sealed {
    pub trait Sealed {}
}

/// How a success response's body becomes a `T` (see [`Request`]).
pub trait Decode<T>: sealed::Sealed {
    #[doc(hidden)]
    fn decode(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        envelope: bool,
    ) -> Result<ResponseValue<T>, Error>;
}

/// The response body is JSON: the envelope's `result`, or the whole body.
#[derive(Debug, Clone, Copy)]
pub struct AsJson;

/// The response body as it is, as [`Bytes`].
#[derive(Debug, Clone, Copy)]
pub struct AsBytes;

/// The response body as text: UTF-8, any invalid sequence replaced by
/// U+FFFD.
#[derive(Debug, Clone, Copy)]
pub struct AsText;

impl sealed::Sealed for AsJson {}
impl sealed::Sealed for AsBytes {}
impl sealed::Sealed for AsText {}

impl<T: DeserializeOwned> Decode<T> for AsJson {
    fn decode(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        envelope: bool,
    ) -> Result<ResponseValue<T>, Error> {
        decode_response(
            RawResponse {
                status,
                headers,
                body,
            },
            envelope,
        )
    }
}

impl Decode<Bytes> for AsBytes {
    fn decode(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        _envelope: bool,
    ) -> Result<ResponseValue<Bytes>, Error> {
        Ok(ResponseValue::plain(body, status, headers))
    }
}

impl Decode<String> for AsText {
    fn decode(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        _envelope: bool,
    ) -> Result<ResponseValue<String>, Error> {
        let text = match String::from_utf8(body.into()) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Ok(ResponseValue::plain(text, status, headers))
    }
}

/// A success response whose body is read as it arrives
/// ([`Request::send_streaming`]).
#[derive(Debug)]
pub struct ByteStream {
    inner: StreamInner,
}

#[derive(Debug)]
enum StreamInner {
    Open(reqwest::Response),
    /// A body already read, handed out once.
    Read {
        status: StatusCode,
        headers: HeaderMap,
        body: Option<Bytes>,
    },
}

impl ByteStream {
    /// Send the request and return its success response unread.
    pub(crate) async fn open(client: &Client, parts: &RequestParts) -> Result<Self, Error> {
        match send_attempts(client, parts, true).await? {
            Sent::Open(response) => Ok(ByteStream {
                inner: StreamInner::Open(response),
            }),
            Sent::Read(raw) => Ok(ByteStream::read(raw)),
        }
    }

    fn read(raw: RawResponse) -> Self {
        let inner = StreamInner::Read {
            status: raw.status,
            headers: raw.headers,
            body: Some(raw.body).filter(|b| !b.is_empty()),
        };
        ByteStream { inner }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match &self.inner {
            StreamInner::Open(r) => r.status(),
            StreamInner::Read { status, .. } => *status,
        }
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        match &self.inner {
            StreamInner::Open(r) => r.headers(),
            StreamInner::Read { headers, .. } => headers,
        }
    }

    /// The next piece of the body, `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        match &mut self.inner {
            StreamInner::Open(r) => r.chunk().await.map_err(|e| Error::Transport {
                kind: TransportKind::of(&e),
                source: e,
            }),
            StreamInner::Read { body, .. } => Ok(body.take()),
        }
    }
}

/// A decoded result with the metadata of the response it came from.
/// Dereferences to the result.
#[derive(Debug, Clone)]
pub struct ResponseValue<T> {
    inner: T,
    status: StatusCode,
    headers: HeaderMap,
    result_info: Option<ResultInfo>,
    messages: Vec<ResponseInfo>,
}

impl<T> ResponseValue<T> {
    /// The HTTP status.
    ///
    /// ```no_run
    /// # fn f(resp: cloudflare_access_users::ResponseValue<serde_json::Value>) {
    /// assert!(resp.status().is_success());
    /// # }
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    ///
    /// ```no_run
    /// # fn f(resp: cloudflare_access_users::ResponseValue<serde_json::Value>) {
    /// let kind = resp.headers().get("content-type");
    /// # let _ = kind;
    /// # }
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The envelope's `result_info` (paging details), if present.
    ///
    /// ```no_run
    /// # fn f(resp: cloudflare_access_users::ResponseValue<serde_json::Value>) {
    /// let total = resp.result_info().and_then(|i| i.total_count);
    /// # let _ = total;
    /// # }
    /// ```
    pub fn result_info(&self) -> Option<&ResultInfo> {
        self.result_info.as_ref()
    }

    /// The envelope's `messages`.
    ///
    /// ```no_run
    /// # fn f(resp: cloudflare_access_users::ResponseValue<serde_json::Value>) {
    /// for m in resp.messages() { println!("{m}"); }
    /// # }
    /// ```
    pub fn messages(&self) -> &[ResponseInfo] {
        &self.messages
    }

    /// The decoded result.
    ///
    /// ```no_run
    /// # fn f(resp: cloudflare_access_users::ResponseValue<serde_json::Value>) {
    /// let value: serde_json::Value = resp.into_inner();
    /// # let _ = value;
    /// # }
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// A result that came without an envelope.
    pub(crate) fn plain(inner: T, status: StatusCode, headers: HeaderMap) -> Self {
        ResponseValue {
            inner,
            status,
            headers,
            result_info: None,
            messages: Vec::new(),
        }
    }

    /// Transform the result, keeping the metadata.
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> ResponseValue<U> {
        ResponseValue {
            inner: f(self.inner),
            status: self.status,
            headers: self.headers,
            result_info: self.result_info,
            messages: self.messages,
        }
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for ResponseValue<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

/// A response that completed with a success status, body fully read.
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Reject paths whose parameters would silently change the URL: an empty
/// parameter (`/users/` instead of `/users/{id}`) or a `.`/`..` segment,
/// which URL normalisation would resolve.
fn check_path(template: &str, path: &str) -> Option<String> {
    let (t_segs, p_segs) = (template.split('/'), path.split('/'));
    if template.split('/').count() == path.split('/').count() {
        for (t, p) in t_segs.zip(p_segs) {
            if t.starts_with('{') && p.is_empty() {
                return Some(format!("path parameter `{t}` must not be empty"));
            }
        }
    }
    if path.split('/').any(is_dots) {
        return Some(format!(
            "path `{template}`: a path parameter must not be `.` or `..`"
        ));
    }
    None
}

/// True for a segment that is `.` or `..` once `%2e` (either case) is read as
/// a dot, as URL parsing reads it; checked without allocating, per request.
fn is_dots(segment: &str) -> bool {
    let (mut rest, mut dots) = (segment.as_bytes(), 0);
    while !rest.is_empty() && dots < 3 {
        rest = match rest {
            [b'.', tail @ ..] => tail,
            [b'%', b'2', b'e' | b'E', tail @ ..] => tail,
            _ => return false,
        };
        dots += 1;
    }
    rest.is_empty() && (dots == 1 || dots == 2)
}

/// True when `a` and `b` have one origin: scheme, host and port (compared
/// field by field, as `Url::origin` would, without allocating).
fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme() && a.host() == b.host() && a.port_or_known_default() == b.port_or_known_default()
}

fn build_url(base: &reqwest::Url, path: &str, query: &[(String, String)]) -> Result<reqwest::Url, Error> {
    let sep = if path.starts_with('/') { "" } else { "/" };
    let text = base.as_str().trim_end_matches('/');
    let mut url = reqwest::Url::parse(&format!("{text}{sep}{path}"))
        .map_err(|e| Error::Config(format!("cannot build the request URL: {e}")))?;
    // Credentials go to the base URL's origin only, whatever the path says.
    if !same_origin(base, &url) {
        return Err(Error::Config(format!(
            "path `{path}` leads away from the base URL's host"
        )));
    }
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    Ok(url)
}

/// The URL a server gave for the next page, resolved against the base URL;
/// refused unless it is on the base URL's origin, so credentials never leave it.
fn follow_url(base: &reqwest::Url, next: &str) -> Result<reqwest::Url, Error> {
    let mut url = base.join(next).map_err(|_| {
        Error::Config(format!(
            "the next-page link `{}` is not a URL",
            Escaped(next, MAX_SHOWN_CHARS)
        ))
    })?;
    if !same_origin(&url, base) {
        let origin = url.origin().ascii_serialization();
        return Err(Error::Pagination(
            crate::error::PaginationError::ForeignLink {
                origin: Escaped(&origin, MAX_SHOWN_CHARS).to_string(),
            },
        ));
    }
    url.set_fragment(None);
    // A user name or password in the link would become an `Authorization` header
    // the server chose.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Ok(url)
}

/// Send a request with retries and return the success response with its
/// body read. Non-generic on purpose: it is compiled once per crate.
pub(crate) async fn execute(client: &Client, parts: &RequestParts) -> Result<RawResponse, Error> {
    match send_attempts(client, parts, false).await? {
        Sent::Read(raw) => Ok(raw),
        Sent::Open(resp) => {
            let limit = parts
                .max_response_bytes
                .unwrap_or(client.inner.max_response_bytes);
            match Box::pin(read_response(resp, limit)).await {
                Ok(raw) => Ok(raw),
                Err(Failure::Transport(e)) => Err(Error::Transport {
                    kind: TransportKind::of(&e),
                    source: e,
                }),
                Err(Failure::TooLarge { status, limit, .. }) => {
                    Err(Error::ResponseTooLarge { limit, status })
                }
            }
        }
    }
}

/// A success response: read, or (when streaming) with its body still to read.
enum Sent {
    Read(RawResponse),
    Open(reqwest::Response),
}

/// [`execute`]'s work; with `stream`, a success response is returned before
/// its body is read.
///
/// One future from the first step to the last (not an `async fn` wrapping an
/// instrumented block), so that what the preparation computes is held once.
fn send_attempts<'a>(
    client: &'a Client,
    parts: &'a RequestParts,
    stream: bool,
) -> impl Future<Output = Result<Sent, Error>> + Send + 'a {
    let span = tracing::info_span!(
        "request",
        method = %parts.method,
        path = parts.path_template,
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    async move {
        let inner = &*client.inner;
        if let Some(problem) = &inner.deferred_error {
            return Err(Error::Config(problem.clone()));
        }
        // An operation's own server, declared for it by the document, when the
        // base URL came from the document too; `build_url` keeps the request on
        // the origin of whichever base applies, and credentials go only there.
        let base = match parts.server.and_then(|i| inner.operation_urls.get(i)) {
            Some(Ok(url)) => url,
            Some(Err(problem)) => return Err(Error::Config(problem.clone())),
            None => inner.base.as_ref().ok_or_else(|| {
                Error::Config(format!("invalid base URL `{}`", crate::client::redact_url(&inner.base_url)))
            })?,
        };
        let mut url = match &parts.next_url {
            Some(next) => follow_url(base, next)?,
            None => build_url(base, &parts.path, &parts.query)?,
        };

        let mut headers = inner.headers.clone();
        // Credentials go in after the default headers and before the request's own,
        // which win over both.
        let sent = inner
            .credentials
            .for_request(parts.security, &mut headers, &parts.headers);
        for name in parts.headers.keys() {
            // The request's cookies join those already there (a cookie credential, a
            // default cookie) in one `Cookie` header instead of replacing them.
            if name != reqwest::header::COOKIE {
                headers.remove(name);
            }
        }
        for (name, value) in &parts.headers {
            if name == reqwest::header::COOKIE {
                let joined = match headers.get(name).map(|v| v.as_bytes()) {
                    Some(before) => [before, b"; ", value.as_bytes()].concat(),
                    None => value.as_bytes().to_vec(),
                };
                if let Ok(mut v) = reqwest::header::HeaderValue::from_bytes(&joined) {
                    v.set_sensitive(true);
                    headers.insert(name.clone(), v);
                }
                continue;
            }
            headers.append(name.clone(), value.clone());
        }
        // `build_url` has checked the URL stays on the base URL's origin.
        let secret_query = !sent.query.is_empty();
        if secret_query {
            url.query_pairs_mut()
                .extend_pairs(sent.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let token = sent.token;
        if let Some(source) = &token {
            crate::credentials::bearer_from(&**source, false, &mut headers)
                .await
                .map_err(Error::Config)?;
        }

        // POST and PATCH carry one idempotency key, the same on every attempt,
        // when the API names a header for it; a key the caller set is kept.
        let mut keyed = false;
        let key_header = inner.idempotency_header.as_ref().filter(|_| !crate::retry::is_idempotent(&parts.method));
        if let Some(name) = key_header {
            if !headers.contains_key(name) {
                let key = HeaderValue::from_str(&new_idempotency_key()).expect("a UUID is a valid header value");
                headers.insert(name.clone(), key);
            }
            keyed = true;
        }
        let replay = Replay::of(&parts.method, keyed);

        let mut policy: RetryPolicy = inner.retry;
        if let Some(n) = parts.max_retries {
            policy.max_retries = n;
        }
        if let Some((initial, max)) = parts.backoff {
            policy.initial_backoff = initial;
            policy.max_backoff = max;
        }
        let timeout = parts.timeout.unwrap_or(inner.timeout);
        let limit = parts.max_response_bytes.unwrap_or(inner.max_response_bytes);

        let body = match &parts.body {
            None => None,
            Some(Payload::Bytes(bytes)) => Some(bytes.clone()),
            Some(Payload::Deferred(make)) => Some(make().await?),
        };
        let mut retry: u32 = 0;
        let mut refreshed = false;
        loop {
            tracing::Span::current().record("attempt", retry + 1);
            // The last possible attempt hands its headers over; the others
            // send a copy and keep them for the next.
            let last = retry >= policy.max_retries && (token.is_none() || refreshed);
            let attempt_headers = if last {
                std::mem::take(&mut headers)
            } else {
                headers.clone()
            };
            let mut builder = inner
                .http
                .request(parts.method.clone(), url.clone())
                .headers(attempt_headers)
                .timeout(timeout);
            if let Some(body) = &body {
                builder = builder.body(body.clone());
            }
            // What the attempt's outcome calls for is decided in this block,
            // so that nothing of the response is kept across the awaits below.
            let next = {
                let outcome = match attempt(builder.send(), stream, limit).await {
                    Attempt::Open(resp) => return Ok(Sent::Open(resp)),
                    Attempt::Done(outcome) => outcome,
                };
                let may_retry = retry < policy.max_retries;
                match outcome {
                    Ok(raw) => {
                        tracing::Span::current().record("status", raw.status.as_u16());
                        if raw.status.is_success() {
                            return Ok(Sent::Read(raw));
                        }
                        if raw.status == StatusCode::UNAUTHORIZED && token.is_some() && !refreshed {
                            // A refused token is refreshed once and the request sent once more.
                            Next::Refresh
                        } else if may_retry
                            && should_retry_response(raw.status, &raw.headers, replay)
                        {
                            let delay = policy.delay(retry, Some(&raw.headers));
                            tracing::debug!(
                                status = raw.status.as_u16(),
                                delay_ms = delay.as_millis() as u64,
                                "retrying after error response"
                            );
                            Next::Retry(delay)
                        } else {
                            return Err(Error::Api(ApiError::from_response(
                                raw.status,
                                raw.headers,
                                raw.body,
                            )));
                        }
                    }
                    Err(Failure::TooLarge {
                        status,
                        headers: resp_headers,
                        limit,
                    }) => {
                        tracing::Span::current().record("status", status.as_u16());
                        if !status.is_success()
                            && may_retry
                            && should_retry_response(status, &resp_headers, replay)
                        {
                            let delay = policy.delay(retry, Some(&resp_headers));
                            tracing::debug!(
                                status = status.as_u16(),
                                delay_ms = delay.as_millis() as u64,
                                "retrying after error response"
                            );
                            Next::Retry(delay)
                        } else {
                            return Err(Error::ResponseTooLarge { limit, status });
                        }
                    }
                    Err(Failure::Transport(e)) => {
                        let kind = TransportKind::of(&e);
                        if may_retry && should_retry_transport(&e, replay) {
                            let delay = policy.delay(retry, None);
                            tracing::debug!(
                                kind = ?kind,
                                delay_ms = delay.as_millis() as u64,
                                "retrying after transport error"
                            );
                            Next::Retry(delay)
                        } else {
                            // The URL would show a credential sent in the query.
                            let e = if secret_query { e.without_url() } else { e };
                            return Err(Error::Transport { kind, source: e });
                        }
                    }
                }
            };
            match next {
                Next::Refresh => {
                    refreshed = true;
                    if let Some(source) = &token {
                        crate::credentials::bearer_from(&**source, true, &mut headers)
                            .await
                            .map_err(Error::Config)?;
                    }
                    tracing::debug!("retrying with a refreshed token");
                }
                Next::Retry(delay) => {
                    pause(delay).await;
                    retry += 1;
                }
            }
        }
    }
    .instrument(span)
}

/// What a failed attempt calls for.
enum Next {
    /// Refresh the token and send again (once, after a 401).
    Refresh,
    /// Wait this long and send again.
    Retry(Duration),
}

/// What one attempt gave: a success response left open for streaming, or
/// the response read (or why it could not be).
enum Attempt {
    Open(reqwest::Response),
    Done(Result<RawResponse, Failure>),
}

/// Await one attempt's response head, then read its body.
///
/// A request spends most of its time waiting for the head, so that wait is
/// what each request in flight holds: this takes the sending future rather
/// than the request, and boxes the reading, which is brief and larger.
async fn attempt<F>(sending: F, stream: bool, limit: u64) -> Attempt
where
    F: Future<Output = Result<reqwest::Response, reqwest::Error>>,
{
    let resp = match sending.await {
        Ok(resp) => resp,
        Err(e) => return Attempt::Done(Err(Failure::Transport(e))),
    };
    if stream && resp.status().is_success() {
        return Attempt::Open(resp);
    }
    Attempt::Done(Box::pin(read_response(resp, limit)).await)
}

/// Wait before a retry. The timer is boxed: most requests never retry, and an
/// inline timer would enlarge every request's future by its size.
fn pause(delay: Duration) -> Pin<Box<tokio::time::Sleep>> {
    Box::pin(tokio::time::sleep(delay))
}

/// Why one attempt produced no complete response.
enum Failure {
    Transport(reqwest::Error),
    /// The body is over `limit`; reading stopped there.
    TooLarge {
        status: StatusCode,
        headers: HeaderMap,
        limit: u64,
    },
}

/// How far past the bytes received a body's buffer is reserved for what the
/// response announced: memory follows what arrives, not what a server claims.
const RESERVED_AHEAD: u64 = 1 << 20;

/// Read a response's body, at most `limit` bytes (less for an error status).
/// A `Content-Length` over the limit fails before anything is read; a body
/// that grows past it fails as soon as it does, and what was read is dropped.
async fn read_response(mut resp: reqwest::Response, limit: u64) -> Result<RawResponse, Failure> {
    let status = resp.status();
    let limit = if status.is_success() {
        limit
    } else {
        limit.min(MAX_ERROR_BODY_BYTES)
    };
    let too_large = |resp: reqwest::Response| Failure::TooLarge {
        status,
        headers: resp.headers().clone(),
        limit,
    };
    let declared = resp.content_length();
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(resp));
    }
    // One chunk is the common case for small bodies: keep it without copying.
    let mut first: Option<Bytes> = None;
    let mut buf: Vec<u8> = Vec::new();
    let mut total: u64 = 0;
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Err(Failure::Transport(e)),
        };
        total += chunk.len() as u64;
        if total > limit {
            return Err(too_large(resp));
        }
        match first.take() {
            None if buf.is_empty() => first = Some(chunk),
            held => {
                if buf.is_empty() {
                    // Room for what was announced, up to `RESERVED_AHEAD` past what has
                    // arrived (a server may announce the limit and send two bytes), then
                    // grow by doubling up to the limit.
                    let expect = declared.unwrap_or(total).clamp(total, limit).min(total + RESERVED_AHEAD);
                    buf.reserve_exact(expect as usize);
                }
                if let Some(held) = held {
                    buf.extend_from_slice(&held);
                }
                if buf.capacity() - buf.len() < chunk.len() {
                    let want = (buf.capacity() as u64 * 2).clamp(total, limit) as usize;
                    buf.reserve_exact(want - buf.len());
                }
                buf.extend_from_slice(&chunk);
            }
        }
    }
    let body = match first {
        Some(only) => only,
        None => Bytes::from(buf),
    };
    Ok(RawResponse {
        status,
        headers: resp.headers().clone(),
        body,
    })
}

/// The `{"success", "errors", "messages", "result"}` envelope around a result of type `T`.
#[derive(Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
struct Envelope<T> {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default, deserialize_with = "info_list")]
    errors: Vec<ResponseInfo>,
    #[serde(default, deserialize_with = "info_list")]
    messages: Vec<ResponseInfo>,
    #[serde(default)]
    result: Option<T>,
    #[serde(default)]
    result_info: Option<ResultInfo>,
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Decode a success response into `T` (the envelope's `result`, or the whole
/// body without envelope). An absent or `null` result decodes `T` from `null`;
/// so does an empty body.
pub(crate) fn decode_response<T: DeserializeOwned>(
    raw: RawResponse,
    envelope: bool,
) -> Result<ResponseValue<T>, Error> {
    let blank = is_blank(&raw.body);
    if !envelope || blank {
        let input: &[u8] = if blank { b"null" } else { &raw.body };
        return match serde_json::from_slice::<T>(input) {
            Ok(inner) => Ok(ResponseValue {
                inner,
                status: raw.status,
                headers: raw.headers,
                result_info: None,
                messages: Vec::new(),
            }),
            Err(_) => Err(decode_error::<T>(input, "", raw.body.clone())),
        };
    }
    match serde_json::from_slice::<Envelope<T>>(&raw.body) {
        Ok(env) => {
            if env.success == Some(false) {
                return Err(Error::Api(ApiError::new(
                    raw.status,
                    env.errors,
                    env.messages,
                    raw.headers,
                    raw.body,
                )));
            }
            let inner = match env.result {
                Some(v) => v,
                None => serde_json::from_slice::<T>(b"null")
                    .map_err(|_| decode_error::<T>(b"null", "result", raw.body.clone()))?,
            };
            Ok(ResponseValue {
                inner,
                status: raw.status,
                headers: raw.headers,
                result_info: env.result_info,
                messages: env.messages,
            })
        }
        Err(_) => {
            if let Some(api) = ApiError::from_unsuccessful(raw.status, &raw.headers, &raw.body) {
                return Err(Error::Api(api));
            }
            Err(decode_error::<Envelope<T>>(&raw.body, "", raw.body.clone()))
        }
    }
}

/// Slow path after a failed decode: decode `input` again as `U` while tracking
/// the JSON path, to report where it failed.
#[cold]
#[inline(never)]
pub(crate) fn decode_error<U: DeserializeOwned>(input: &[u8], prefix: &str, body: Bytes) -> Error {
    let mut de = serde_json::Deserializer::from_slice(input);
    let (path, source) = match serde_path_to_error::deserialize::<_, U>(&mut de) {
        Err(e) => (e.path().to_string(), e.into_inner()),
        Ok(_) => match de.end() {
            Err(e) => (String::new(), e),
            // Cannot happen (the fast path failed); report something sensible.
            Ok(()) => (
                String::new(),
                <serde_json::Error as serde::de::Error>::custom("inconsistent decode failure"),
            ),
        },
    };
    make_decode_error(prefix, &path, source, input, body)
}

fn make_decode_error(
    prefix: &str,
    path: &str,
    source: serde_json::Error,
    input: &[u8],
    body: Bytes,
) -> Error {
    let path = match (prefix.is_empty(), path) {
        (_, "" | ".") => prefix.to_owned(),
        (true, p) => p.to_owned(),
        (false, p) if p.starts_with('[') => format!("{prefix}{p}"),
        (false, p) => format!("{prefix}.{p}"),
    };
    let snippet = snippet_at(input, source.line(), source.column());
    Error::Decode {
        // Object keys in the path are the server's text.
        path: Escaped(&path, MAX_SHOWN_CHARS).to_string(),
        snippet,
        body,
        source: JsonError::from(&source),
    }
}

/// About 60 bytes of `input` around 1-based `line`/`column`, on one line.
fn snippet_at(input: &[u8], line: usize, column: usize) -> String {
    const RADIUS: usize = 30;
    let mut offset = 0;
    if line > 1 {
        let mut seen = 1;
        for (i, b) in input.iter().enumerate() {
            if *b == b'\n' {
                seen += 1;
                if seen == line {
                    offset = i + 1;
                    break;
                }
            }
        }
    }
    let pos = (offset + column.saturating_sub(1)).min(input.len());
    let mut start = pos.saturating_sub(RADIUS);
    let mut end = (pos + RADIUS).min(input.len());
    // Stay on UTF-8 character boundaries.
    while start < pos && (input[start] & 0xC0) == 0x80 {
        start += 1;
    }
    while end < input.len() && (input[end] & 0xC0) == 0x80 {
        end += 1;
    }
    String::from_utf8_lossy(&input[start..end])
        .chars()
        .map(|c| if is_hostile_char(c) { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(body: &'static str) -> RawResponse {
        RawResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[derive(Deserialize, Debug)]
    struct User {
        #[allow(dead_code)]
        email: String,
    }

    #[test]
    fn a_next_link_keeps_no_user_name_or_password_and_no_other_origin() {
        let base = reqwest::Url::parse("https://api.example.com/v1").unwrap();
        let url = follow_url(&base, "https://u:p@api.example.com/v1/x?page=2#f").unwrap();
        assert_eq!(url.as_str(), "https://api.example.com/v1/x?page=2");
        assert!(follow_url(&base, "https://api.example.com@evil.example/x").is_err());
    }

    #[test]
    fn null_or_missing_result() {
        let v =
            decode_response::<serde_json::Value>(raw(r#"{"success":true,"result":null}"#), true)
                .unwrap();
        assert!(v.is_null());
        let v = decode_response::<Option<User>>(raw(r#"{"success":true}"#), true).unwrap();
        assert!(v.is_none());
        decode_response::<()>(raw(""), true).unwrap();
        let e =
            decode_response::<User>(raw(r#"{"success":true,"result":null}"#), true).unwrap_err();
        assert!(
            matches!(e, Error::Decode { ref path, .. } if path == "result"),
            "{e:?}"
        );
    }

    #[test]
    fn decode_error_path_and_snippet() {
        let e = decode_response::<Vec<User>>(
            raw(r#"{"success":true,"result":[{"email":"a@x"},{"email":"b@x"},{"email":"c@x"},{"email":42}]}"#),
            true,
        )
        .unwrap_err();
        match e {
            Error::Decode { path, snippet, .. } => {
                assert_eq!(path, "result[3].email");
                assert!(snippet.contains("42"), "{snippet}");
            }
            other => panic!("{other:?}"),
        }
        let e =
            decode_response::<User>(raw("{\n \"email\": \"a\"\n} trailing"), false).unwrap_err();
        assert!(
            matches!(e, Error::Decode { ref snippet, .. } if snippet.contains("trailing")),
            "{e:?}"
        );
    }

    #[test]
    fn success_false_on_200_is_an_api_error() {
        let e = decode_response::<User>(
            raw(r#"{"success":false,"errors":[{"code":9,"message":"no"}],"result":null}"#),
            true,
        )
        .unwrap_err();
        assert!(matches!(e, Error::Api(ref a) if a.has_code(9)), "{e:?}");
    }

    #[test]
    fn a_path_stays_on_the_base_url_and_its_origin() {
        let base = reqwest::Url::parse("https://API.example.com:443/v1/").unwrap();
        let url = build_url(&base, "/users/a%2Fb", &[("q".into(), "x y".into())]).unwrap();
        assert_eq!(url.as_str(), "https://api.example.com/v1/users/a%2Fb?q=x+y");
        let root = reqwest::Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(build_url(&root, "users", &[]).unwrap().as_str(), "http://127.0.0.1:8080/users");
        for other in ["https://api.example.com:8443/", "http://api.example.com/", "https://api.example.org/"] {
            assert!(!same_origin(&base, &reqwest::Url::parse(other).unwrap()), "{other}");
        }
        assert!(same_origin(&base, &reqwest::Url::parse("https://api.example.com/x").unwrap()));
    }

    #[test]
    fn path_checks() {
        assert!(check_path("/a/{id}/b", "/a//b").is_some());
        assert!(check_path("/a/{id}", "/a/..").is_some());
        assert!(check_path("/a/{id}", "/a/x").is_none());
        assert!(check_path("/a/{id}", "/a/%2E%2e").is_some());
        assert!(check_path("/a/{id}", "/a/%252E%252E").is_none());
        for dots in [".", "..", "%2e", "%2E.", ".%2e", "%2e%2E"] {
            assert!(is_dots(dots), "{dots}");
        }
        for other in ["", "...", "%2e%2e%2e", "a", ".a", "%2", "%2f", "%2e%", "..%"] {
            assert!(!is_dots(other), "{other}");
        }
    }

    #[test]
    fn snippet_on_second_line() {
        let s = snippet_at(b"{\n  \"a\": tru\n}", 2, 10);
        assert!(s.contains("tru"), "{s}");
    }
}
