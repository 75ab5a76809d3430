//! The single error type returned by every operation of this crate, and the
//! `errors` and `messages` arrays of a JSON error body, for APIs that send them.

use std::error::Error as StdError;
use std::fmt;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::{Deserialize, Deserializer};

/// Everything that can go wrong while calling the API.
///
/// Match on the variant to handle a case, or use the helpers
/// ([`Error::status`], [`Error::is_not_found`], [`Error::is_timeout`], ...).
///
/// ```
/// use cloudflare_access_users::{Error, StatusClass, TransportKind};
///
/// fn describe(err: &Error) -> &'static str {
///     match err {
///         Error::Api(api) => match api.class() {
///             StatusClass::NotFound => "no such user",
///             StatusClass::RateLimited => "slow down",
///             _ => "the API refused the request",
///         },
///         Error::Transport { kind: TransportKind::Timeout, .. } => "timed out",
///         Error::Transport { .. } => "network problem",
///         Error::Decode { .. } => "unexpected response body",
///         _ => "other error",
///     }
/// }
/// # let _ = describe;
/// ```
///
/// `Display` and `Debug` never print what a server sent verbatim: control and
/// bidirectional-override characters are escaped (`\u{1b}`, `\r`, `\n`) and
/// bodies are cut to a few hundred characters, so an error message cannot
/// rewrite a terminal or forge a log line. The raw body stays available from
/// [`Error::body`].
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-success status (or with `"success": false`).
    Api(ApiError),
    /// The request could not be sent or the response could not be read.
    Transport {
        /// What kind of network failure this was.
        kind: TransportKind,
        /// The underlying HTTP client error.
        source: reqwest::Error,
    },
    /// A success response arrived but its body did not match the expected type.
    Decode {
        /// JSON path of the value that failed to decode, e.g. `result[3].email`
        /// (escaped like every error text: object keys are the server's).
        path: String,
        /// A short excerpt of the body around the failing position (control
        /// and invisible characters replaced by spaces).
        snippet: String,
        /// The complete raw response body.
        body: Bytes,
        /// The JSON error: position, category and serde's message, escaped
        /// and cut short (serde quotes the offending value, which the server
        /// chose).
        source: JsonError,
    },
    /// The response body was larger than the client's limit (see
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes));
    /// reading stopped there and nothing of it is kept.
    ResponseTooLarge {
        /// The limit in bytes that applied to this response (smaller for
        /// error statuses, see [`MAX_ERROR_BODY_BYTES`](crate::MAX_ERROR_BODY_BYTES)).
        limit: u64,
        /// The status of the response.
        status: StatusCode,
    },
    /// Invalid client or request configuration (bad builder input, missing
    /// environment variables, invalid header values, empty path parameters...).
    Config(String),
    /// Automatic pagination had to stop because the server misbehaved.
    Pagination(PaginationError),
    /// The request body could not be serialized to JSON.
    Serialize(serde_json::Error),
}

impl Error {
    /// The HTTP status of an [`Error::Api`] error, `None` for other variants.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) {
    /// if err.status().map_or(false, |s| s.as_u16() == 404) {
    ///     println!("not found");
    /// }
    /// # }
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        self.api_error().map(ApiError::status)
    }

    /// The [`ApiError`] if this is an [`Error::Api`].
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) {
    /// if let Some(api) = err.api_error() {
    ///     for e in api.errors() {
    ///         // `[code] message`, escaped and cut short.
    ///         eprintln!("{e}");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The [`StatusClass`] of an [`Error::Api`] error.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) {
    /// use cloudflare_access_users::StatusClass;
    /// if err.status_class() == Some(StatusClass::Conflict) { /* already exists */ }
    /// # }
    /// ```
    pub fn status_class(&self) -> Option<StatusClass> {
        self.api_error().map(ApiError::class)
    }

    /// `true` for a transport error caused by a timeout.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) {
    /// if err.is_timeout() { /* try later */ }
    /// # }
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        )
    }

    /// `true` for a transport error raised while connecting.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) {
    /// if err.is_connect() { /* is the base URL right? */ }
    /// # }
    /// ```
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        )
    }

    /// `true` for an API error with status 400.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) { let _ = err.is_bad_request(); }
    /// ```
    pub fn is_bad_request(&self) -> bool {
        self.status_class() == Some(StatusClass::BadRequest)
    }

    /// `true` for an API error with status 401.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) { let _ = err.is_unauthorized(); }
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        self.status_class() == Some(StatusClass::Unauthorized)
    }

    /// `true` for an API error with status 403.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) { let _ = err.is_forbidden(); }
    /// ```
    pub fn is_forbidden(&self) -> bool {
        self.status_class() == Some(StatusClass::Forbidden)
    }

    /// `true` for an API error with status 404.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) { let _ = err.is_not_found(); }
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status_class() == Some(StatusClass::NotFound)
    }

    /// `true` for an API error with status 409.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) { let _ = err.is_conflict(); }
    /// ```
    pub fn is_conflict(&self) -> bool {
        self.status_class() == Some(StatusClass::Conflict)
    }

    /// `true` for an API error with status 422.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) { let _ = err.is_unprocessable(); }
    /// ```
    pub fn is_unprocessable(&self) -> bool {
        self.status_class() == Some(StatusClass::Unprocessable)
    }

    /// `true` for an API error with status 429.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) { let _ = err.is_rate_limited(); }
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        self.status_class() == Some(StatusClass::RateLimited)
    }

    /// `true` for an API error with a 5xx status.
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) { let _ = err.is_server_error(); }
    /// ```
    pub fn is_server_error(&self) -> bool {
        self.status_class() == Some(StatusClass::ServerError)
    }

    /// The raw response body, for [`Error::Api`] and [`Error::Decode`].
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) {
    /// if let Some(body) = err.body() {
    ///     // The server's bytes, unescaped: store them, do not print them.
    ///     std::fs::write("response.json", body).ok();
    /// }
    /// # }
    /// ```
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Api(e) => Some(e.body()),
            Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl Error {
    /// The error response's body decoded as the operation documents it: the type its method's
    /// documentation names (`Error::detail::<…>()`), or any JSON type. `None` for errors that
    /// are not API errors, for a status the type does not cover, and for a body that does not
    /// decode (the raw body stays at [`Error::body`]; [`ApiError::json`] says why it failed).
    ///
    /// ```
    /// # fn check(err: cloudflare_access_users::Error) {
    /// if let Some(detail) = err.detail::<serde_json::Value>() {
    ///     let _fields = detail.as_object().map(|o| o.len());
    /// }
    /// # }
    /// ```
    pub fn detail<E: ErrorBody>(&self) -> Option<E> {
        match self {
            Error::Api(e) => e.detail(),
            _ => None,
        }
    }
}

/// What an error response's body decodes to: any JSON type (whatever the status), or an
/// operation's generated error enum, whose variant the status picks.
pub trait ErrorBody: Sized {
    /// The body of a response with `status`, or `None` when the type documents no body for
    /// that status or the bytes do not decode.
    fn from_response(status: StatusCode, body: &[u8]) -> Option<Self>;
}

impl<T: serde::de::DeserializeOwned> ErrorBody for T {
    fn from_response(_status: StatusCode, body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Transport { kind, .. } => match kind {
                TransportKind::Connect => f.write_str("could not connect to the API server"),
                TransportKind::Timeout => f.write_str("the request timed out"),
                TransportKind::Other => f.write_str("the HTTP request failed"),
            },
            Error::Decode { path, snippet, .. } => {
                let path = if path.is_empty() || path == "." {
                    "the top level"
                } else {
                    path.as_str()
                };
                write!(
                    f,
                    "failed to decode the response body at `{}`",
                    Escaped(path, MAX_SHOWN_CHARS)
                )?;
                if !snippet.is_empty() {
                    write!(f, " near `{}`", Escaped(snippet, MAX_SHOWN_CHARS))?;
                }
                Ok(())
            }
            Error::ResponseTooLarge { limit, status } => write!(
                f,
                "the response body ({status}) is larger than the limit of {}; raise it with `max_response_bytes`",
                ByteSize(*limit)
            ),
            Error::Config(msg) => write!(f, "invalid configuration: {}", Escaped(msg, 1000)),
            Error::Pagination(e) => fmt::Display::fmt(e, f),
            Error::Serialize(_) => f.write_str("failed to serialize the request body"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => f.debug_tuple("Api").field(e).finish(),
            Error::Transport { kind, source } => f
                .debug_struct("Transport")
                .field("kind", kind)
                .field("source", source)
                .finish(),
            // The body may be megabytes of whatever the server sent: show its
            // size and the escaped snippet only.
            Error::Decode {
                path,
                snippet,
                body,
                source,
            } => f
                .debug_struct("Decode")
                .field("path", &Escaped(path, MAX_SHOWN_CHARS).to_string())
                .field("snippet", &Escaped(snippet, MAX_SHOWN_CHARS).to_string())
                .field("body", &format_args!("<{} bytes>", body.len()))
                .field("source", source)
                .finish(),
            Error::ResponseTooLarge { limit, status } => f
                .debug_struct("ResponseTooLarge")
                .field("limit", limit)
                .field("status", status)
                .finish(),
            Error::Config(msg) => f
                .debug_tuple("Config")
                .field(&Escaped(msg, 1000).to_string())
                .finish(),
            Error::Pagination(e) => f.debug_tuple("Pagination").field(e).finish(),
            Error::Serialize(e) => f.debug_tuple("Serialize").field(e).finish(),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            Error::Serialize(source) => Some(source),
            _ => None,
        }
    }
}

/// Why a body did not decode: serde's position and category, and its message
/// escaped and cut to a few hundred characters.
///
/// serde's own message quotes the offending value verbatim (an unknown enum
/// variant, a string where a number was expected), so it can be as long as
/// the body and carry terminal escapes. This type is what
/// [`Error::source`](std::error::Error::source) of an [`Error::Decode`]
/// returns, so error reporters that print the whole chain stay safe.
///
/// ```
/// # fn check(err: cloudflare_access_users::Error) {
/// if let cloudflare_access_users::Error::Decode { path, source, .. } = &err {
///     eprintln!("`{path}` at line {} column {}: {source}", source.line(), source.column());
/// }
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Boxed to keep [`Error`] small.
    inner: Box<JsonErrorInner>,
}

#[derive(Clone, PartialEq, Eq)]
struct JsonErrorInner {
    message: String,
    line: usize,
    column: usize,
    category: serde_json::error::Category,
}

impl JsonError {
    /// 1-based line of the body where decoding failed.
    ///
    /// ```
    /// # fn check(e: &cloudflare_access_users::JsonError) { let _ = e.line(); }
    /// ```
    pub fn line(&self) -> usize {
        self.inner.line
    }

    /// 1-based column of the body where decoding failed.
    ///
    /// ```
    /// # fn check(e: &cloudflare_access_users::JsonError) { let _ = e.column(); }
    /// ```
    pub fn column(&self) -> usize {
        self.inner.column
    }

    /// What kind of failure: bad syntax, early end of input, or valid JSON of
    /// the wrong shape (`Data`).
    ///
    /// ```
    /// # fn check(e: &cloudflare_access_users::JsonError) {
    /// use serde_json::error::Category;
    /// if e.classify() == Category::Data { /* the API changed shape */ }
    /// # }
    /// ```
    pub fn classify(&self) -> serde_json::error::Category {
        self.inner.category
    }
}

impl From<&serde_json::Error> for JsonError {
    fn from(e: &serde_json::Error) -> Self {
        let mut message = String::new();
        // Escapes as it goes and stops at the limit, so a message quoting a
        // huge value is never copied whole.
        let mut out = EscapingWriter::new(&mut message, MAX_SHOWN_CHARS);
        let _ = fmt::write(&mut out, format_args!("{e}"));
        let cut = out.cut;
        let _ = out.finish();
        // serde puts the position last: keep it when the message was cut.
        if cut && e.line() != 0 {
            message.push_str(&format!(" at line {} column {}", e.line(), e.column()));
        }
        JsonError {
            inner: Box::new(JsonErrorInner {
                message,
                line: e.line(),
                column: e.column(),
                category: e.classify(),
            }),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("JsonError")
            .field("message", &i.message)
            .field("line", &i.line)
            .field("column", &i.column)
            .field("category", &i.category)
            .finish()
    }
}

impl StdError for JsonError {}

/// The kind of a [`Error::Transport`] failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The TCP/TLS connection could not be established.
    Connect,
    /// The request (including reading the body) took longer than the timeout.
    Timeout,
    /// Any other failure: connection reset, truncated response, ...
    Other,
}

impl TransportKind {
    pub(crate) fn of(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            TransportKind::Timeout
        } else if err.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        }
    }
}

/// Coarse classification of an API error status, convenient for `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusClass {
    /// 400 Bad Request.
    BadRequest,
    /// 401 Unauthorized: missing or invalid credentials.
    Unauthorized,
    /// 403 Forbidden: the credentials lack a permission.
    Forbidden,
    /// 404 Not Found.
    NotFound,
    /// 409 Conflict.
    Conflict,
    /// 422 Unprocessable Entity.
    Unprocessable,
    /// 429 Too Many Requests.
    RateLimited,
    /// Any other 4xx status.
    OtherClientError,
    /// Any 5xx status.
    ServerError,
    /// Anything else (for example a 2xx response with `"success": false`).
    Other,
}

impl StatusClass {
    /// Classify an HTTP status.
    ///
    /// ```
    /// use cloudflare_access_users::StatusClass;
    /// use reqwest::StatusCode;
    /// assert_eq!(StatusClass::of(StatusCode::NOT_FOUND), StatusClass::NotFound);
    /// assert_eq!(StatusClass::of(StatusCode::BAD_GATEWAY), StatusClass::ServerError);
    /// ```
    pub fn of(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => StatusClass::BadRequest,
            401 => StatusClass::Unauthorized,
            403 => StatusClass::Forbidden,
            404 => StatusClass::NotFound,
            409 => StatusClass::Conflict,
            422 => StatusClass::Unprocessable,
            429 => StatusClass::RateLimited,
            402 | 405..=408 | 410..=421 | 423..=428 | 430..=499 => StatusClass::OtherClientError,
            500..=599 => StatusClass::ServerError,
            _ => StatusClass::Other,
        }
    }
}

/// An error response from the API: status, the decoded `errors` and `messages`
/// arrays (when the body has them), response headers and the untouched raw body.
pub struct ApiError {
    inner: Box<ApiErrorInner>,
}

struct ApiErrorInner {
    status: StatusCode,
    errors: Vec<ResponseInfo>,
    messages: Vec<ResponseInfo>,
    headers: HeaderMap,
    body: Bytes,
}

/// Body of an error response; `result` is ignored.
#[derive(Deserialize)]
struct ErrorEnvelope {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default, deserialize_with = "info_list")]
    errors: Vec<ResponseInfo>,
    #[serde(default, deserialize_with = "info_list")]
    messages: Vec<ResponseInfo>,
}

impl ApiError {
    /// Build an error from a response, decoding its `errors` and `messages` if the
    /// body has them (a body that is not JSON is kept as is).
    pub(crate) fn from_response(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        let (errors, messages) = match serde_json::from_slice::<ErrorEnvelope>(&body) {
            Ok(env) => (env.errors, env.messages),
            Err(_) => (Vec::new(), Vec::new()),
        };
        ApiError {
            inner: Box::new(ApiErrorInner {
                status,
                errors,
                messages,
                headers,
                body,
            }),
        }
    }

    pub(crate) fn new(
        status: StatusCode,
        errors: Vec<ResponseInfo>,
        messages: Vec<ResponseInfo>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        ApiError {
            inner: Box::new(ApiErrorInner {
                status,
                errors,
                messages,
                headers,
                body,
            }),
        }
    }

    /// If a success response carries `"success": false`, turn it into an error.
    pub(crate) fn from_unsuccessful(
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Option<Self> {
        let env = serde_json::from_slice::<ErrorEnvelope>(body).ok()?;
        if env.success != Some(false) {
            return None;
        }
        Some(ApiError {
            inner: Box::new(ApiErrorInner {
                status,
                errors: env.errors,
                messages: env.messages,
                headers: headers.clone(),
                body: body.clone(),
            }),
        })
    }

    /// The HTTP status.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// println!("status {}", api.status().as_u16());
    /// # }
    /// ```
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The [`StatusClass`] of the status.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// use cloudflare_access_users::StatusClass;
    /// let retry_later = matches!(api.class(), StatusClass::RateLimited | StatusClass::ServerError);
    /// # let _ = retry_later;
    /// # }
    /// ```
    pub fn class(&self) -> StatusClass {
        StatusClass::of(self.inner.status)
    }

    /// The decoded `errors` array (empty if the body had none or was not JSON).
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// for e in api.errors() {
    ///     // `[code] message`, escaped and cut short.
    ///     eprintln!("{e}");
    /// }
    /// # }
    /// ```
    pub fn errors(&self) -> &[ResponseInfo] {
        &self.inner.errors
    }

    /// The decoded `messages` array.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.messages().len(); }
    /// ```
    pub fn messages(&self) -> &[ResponseInfo] {
        &self.inner.messages
    }

    /// `true` if one of the `errors` has this error code.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// if api.has_code(10000) { /* authentication error */ }
    /// # }
    /// ```
    pub fn has_code(&self, code: i64) -> bool {
        self.inner.errors.iter().any(|e| e.code == code)
    }

    /// The response headers.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// let _ = api.headers().get("retry-after");
    /// # }
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The raw response body, exactly as received.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// // The server's bytes, unescaped: store them, do not print them.
    /// std::fs::write("response.json", api.body()).ok();
    /// # }
    /// ```
    pub fn body(&self) -> &Bytes {
        &self.inner.body
    }

    /// The body decoded as the operation documents it (see [`Error::detail`]).
    pub fn detail<E: ErrorBody>(&self) -> Option<E> {
        E::from_response(self.inner.status, &self.inner.body)
    }

    /// The body decoded as `T`, or why it does not decode (path and snippet, as for a
    /// success response).
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// match api.json::<serde_json::Value>() {
    ///     Ok(value) => { let _ = value; }
    ///     Err(why) => eprintln!("error body is not JSON: {why}"),
    /// }
    /// # }
    /// ```
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let body = &self.inner.body;
        serde_json::from_slice(body).map_err(|_| crate::request::decode_error::<T>(body, "", body.clone()))
    }

    /// The server's id for the failed request, which its support asks for: the first of the
    /// crate's request-id headers the response carries (from the generator's configuration or
    /// the document, then common ones such as `x-request-id`).
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// if let Some(id) = api.request_id() { eprintln!("request id {id}"); }
    /// # }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.request_id_header().map(|(_, id)| id)
    }

    /// The request-id header the response carries, and its value.
    fn request_id_header(&self) -> Option<(&'static str, &str)> {
        crate::REQUEST_ID_HEADERS
            .iter()
            .find_map(|h| Some((*h, self.inner.headers.get(*h)?.to_str().ok()?)))
    }

    //@if cf-ray
    /// The `cf-ray` header, which Cloudflare support asks for.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) {
    /// if let Some(ray) = api.ray_id() { eprintln!("ray id {ray}"); }
    /// # }
    /// ```
    pub fn ray_id(&self) -> Option<&str> {
        self.inner
            .headers
            .get("cf-ray")
            .and_then(|v| v.to_str().ok())
    }
    //@end

    /// `true` for status 400.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.is_bad_request(); }
    /// ```
    pub fn is_bad_request(&self) -> bool {
        self.class() == StatusClass::BadRequest
    }

    /// `true` for status 401.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.is_unauthorized(); }
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        self.class() == StatusClass::Unauthorized
    }

    /// `true` for status 403.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.is_forbidden(); }
    /// ```
    pub fn is_forbidden(&self) -> bool {
        self.class() == StatusClass::Forbidden
    }

    /// `true` for status 404.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.is_not_found(); }
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.class() == StatusClass::NotFound
    }

    /// `true` for status 409.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.is_conflict(); }
    /// ```
    pub fn is_conflict(&self) -> bool {
        self.class() == StatusClass::Conflict
    }

    /// `true` for status 422.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.is_unprocessable(); }
    /// ```
    pub fn is_unprocessable(&self) -> bool {
        self.class() == StatusClass::Unprocessable
    }

    /// `true` for status 429.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.is_rate_limited(); }
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        self.class() == StatusClass::RateLimited
    }

    /// `true` for a 5xx status.
    ///
    /// ```
    /// # fn check(api: &cloudflare_access_users::ApiError) { let _ = api.is_server_error(); }
    /// ```
    pub fn is_server_error(&self) -> bool {
        self.class() == StatusClass::ServerError
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let infos = |list: &[ResponseInfo]| -> Vec<String> {
            let mut shown: Vec<String> = list
                .iter()
                .take(MAX_SHOWN_ERRORS)
                .map(|e| format!("[{}] {}", e.code, Escaped(&e.message, MAX_SHOWN_CHARS)))
                .collect();
            if list.len() > MAX_SHOWN_ERRORS {
                shown.push(format!("… {} more", list.len() - MAX_SHOWN_ERRORS));
            }
            shown
        };
        f.debug_struct("ApiError")
            .field("status", &i.status)
            .field("errors", &infos(&i.errors))
            .field("messages", &infos(&i.messages))
            .field(
                "request_id",
                &self.request_id().map(|r| Escaped(r, 100).to_string()),
            )
            .field("body", &BodyExcerpt(&i.body))
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "{} error ({})", crate::API_NAME, i.status)?;
        if i.errors.is_empty() {
            if !is_blank(&i.body) {
                write!(f, ": {}", BodyExcerpt(&i.body))?;
            }
        } else {
            for (n, e) in i.errors.iter().take(MAX_SHOWN_ERRORS).enumerate() {
                f.write_str(if n == 0 { ": " } else { "; " })?;
                write!(f, "[{}] {}", e.code, Escaped(&e.message, MAX_SHOWN_CHARS))?;
            }
            if i.errors.len() > MAX_SHOWN_ERRORS {
                write!(f, "; and {} more", i.errors.len() - MAX_SHOWN_ERRORS)?;
            }
        }
        if let Some((header, id)) = self.request_id_header() {
            write!(f, " ({header} {})", Escaped(id, 100))?;
        }
        Ok(())
    }
}

impl StdError for ApiError {}

/// Why automatic pagination stopped with an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationError {
    /// The server returned the same items for `page` as for the page before it,
    /// so it is most likely ignoring the page parameter.
    RepeatedPage {
        /// The page number that repeated the previous page.
        page: u64,
    },
    /// The configured maximum number of pages was fetched and the server still
    /// reported more.
    PageLimit {
        /// The limit that was reached.
        max_pages: u64,
    },
    /// The server sent a cursor (or next link) it had sent before, so paging
    /// would go round in circles.
    RepeatedCursor {
        /// The query parameter the cursor goes in (`Link` for a next link).
        param: &'static str,
    },
    /// A next link points away from the base URL's origin; it is not
    /// followed, so no credential is sent there.
    ForeignLink {
        /// The link's origin, escaped.
        origin: String,
    },
}

impl fmt::Display for PaginationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaginationError::RepeatedPage { page } => write!(
                f,
                "pagination stopped: page {page} repeated the previous page (the server ignores the page parameter?)"
            ),
            PaginationError::PageLimit { max_pages } => {
                write!(f, "pagination stopped after the limit of {max_pages} pages")
            }
            PaginationError::RepeatedCursor { param } => write!(
                f,
                "pagination stopped: the server sent a `{param}` it had sent before"
            ),
            PaginationError::ForeignLink { origin } => write!(
                f,
                "pagination stopped: the next link leads to {origin}, away from the base URL's origin; it is not followed"
            ),
        }
    }
}

impl StdError for PaginationError {}

/// One entry of the `errors` or `messages` arrays of an error body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ResponseInfo {
    /// Error or message code (0 when absent).
    pub code: i64,
    /// Human readable message.
    pub message: String,
    /// Link to documentation about this error, if any.
    pub documentation_url: Option<String>,
    /// What part of the request caused the error, if known.
    pub source: Option<ResponseInfoSource>,
}

/// `[code] message`, the message escaped and cut like every error text
/// (`message` itself is the server's text, unescaped).
///
/// ```
/// use cloudflare_access_users::ResponseInfo;
/// let info: ResponseInfo = serde_json::from_str(r#"{"code":7,"message":"a\u001b[2Jb"}"#).unwrap();
/// assert_eq!(info.to_string(), "[7] a\\u{1b}[2Jb");
/// ```
impl fmt::Display for ResponseInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, Escaped(&self.message, MAX_SHOWN_CHARS))
    }
}

/// Location in the request that an error refers to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct ResponseInfoSource {
    /// JSON pointer into the request body, e.g. `/email`.
    #[serde(default)]
    pub pointer: Option<String>,
}

impl<'de> Deserialize<'de> for ResponseInfo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Entries are objects, but some APIs send bare strings.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Full {
                #[serde(default, deserialize_with = "lenient_i64")]
                code: Option<i64>,
                #[serde(default, deserialize_with = "null_as_default")]
                message: String,
                #[serde(default)]
                documentation_url: Option<String>,
                #[serde(default)]
                source: Option<ResponseInfoSource>,
            },
        }
        Ok(match Repr::deserialize(deserializer)? {
            Repr::Text(message) => ResponseInfo {
                message,
                ..ResponseInfo::default()
            },
            Repr::Full {
                code,
                message,
                documentation_url,
                source,
            } => ResponseInfo {
                code: code.unwrap_or(0),
                message,
                documentation_url,
                source,
            },
        })
    }
}

/// Characters of server text shown by `Display`/`Debug` (a body, one error
/// message, a decode snippet) before it is cut off.
pub(crate) const MAX_SHOWN_CHARS: usize = 300;
/// Entries of `errors`/`messages` shown by `Display`/`Debug`.
const MAX_SHOWN_ERRORS: usize = 10;

/// Characters that can rewrite a terminal or a log line when printed, or
/// hide text in it: controls (C0, DEL, C1: ESC, CR, LF, BEL, NUL, ...),
/// bidirectional marks, overrides and isolates, line and paragraph
/// separators, and invisible characters (soft hyphen, zero-width space and
/// joiners, word joiner and invisible operators, byte order mark, tag
/// characters). The one predicate every escape of server text uses.
pub(crate) fn is_hostile_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// Text from a server, printed with hostile characters escaped (`\r`, `\n`,
/// `\t`, otherwise `\u{..}`) and cut after `.1` characters with `…`.
pub(crate) struct Escaped<'a>(pub(crate) &'a str, pub(crate) usize);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = EscapingWriter::new(f, self.1);
        // The writer reports an error once full, to stop the caller early.
        if fmt::Write::write_str(&mut out, self.0).is_err() && !out.cut {
            return Err(fmt::Error);
        }
        out.finish()
    }
}

/// A `fmt::Write` that escapes hostile characters (`\r`, `\n`, `\t`,
/// otherwise `\u{..}`) and keeps only the first `limit` characters, then `…`.
/// Once full it returns `fmt::Error`, so a formatter feeding it stops.
struct EscapingWriter<W> {
    out: W,
    left: usize,
    cut: bool,
}

impl<W: fmt::Write> EscapingWriter<W> {
    fn new(out: W, limit: usize) -> Self {
        EscapingWriter {
            out,
            left: limit,
            cut: false,
        }
    }

    /// Write the `…` if the text was cut.
    fn finish(mut self) -> fmt::Result {
        if self.cut {
            self.out.write_str("…")?;
        }
        Ok(())
    }
}

impl<W: fmt::Write> fmt::Write for EscapingWriter<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if self.left == 0 {
                self.cut = true;
                return Err(fmt::Error);
            }
            self.left -= 1;
            match c {
                '\r' => self.out.write_str("\\r")?,
                '\n' => self.out.write_str("\\n")?,
                '\t' => self.out.write_str("\\t")?,
                c if is_hostile_char(c) => write!(self.out, "\\u{{{:x}}}", c as u32)?,
                c => self.out.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// The start of a response body (lossy UTF-8, escaped, trimmed) and, when it
/// is cut, how long it is and where the rest is.
struct BodyExcerpt<'a>(&'a [u8]);

impl fmt::Display for BodyExcerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Four bytes per character at most: no need to decode more.
        let head = &self.0[..self.0.len().min(4 * MAX_SHOWN_CHARS)];
        let text = String::from_utf8_lossy(head);
        let text = text.trim();
        write!(f, "{}", Escaped(text, MAX_SHOWN_CHARS))?;
        if text.chars().count() > MAX_SHOWN_CHARS || head.len() < self.0.len() {
            write!(f, " ({} bytes in all; see `body()`)", self.0.len())?;
        }
        Ok(())
    }
}

impl fmt::Debug for BodyExcerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// A byte count in the largest unit that divides it (`64 MiB`, `1500 bytes`).
pub(crate) struct ByteSize(pub(crate) u64);

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const KIB: u64 = 1024;
        match self.0 {
            n if n >= KIB * KIB && n % (KIB * KIB) == 0 => write!(f, "{} MiB", n / (KIB * KIB)),
            n if n >= KIB && n % KIB == 0 => write!(f, "{} KiB", n / KIB),
            n => write!(f, "{n} bytes"),
        }
    }
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Deserialize `null` as `T::default()`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An `errors` or `messages` array: `null` reads as empty, and so does a `null` entry (some
/// documents declare the entries nullable, and mock servers fill them with `null`).
pub(crate) fn info_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<ResponseInfo>, D::Error> {
    let list = Option::<Vec<Option<ResponseInfo>>>::deserialize(deserializer)?;
    Ok(list.unwrap_or_default().into_iter().flatten().collect())
}

/// A number that may arrive as an integer, a float (`1.0`), a numeric string or
/// `null`. Non-integral floats are truncated.
fn lenient_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i128>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<i128>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number or null")
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.into()))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.into()))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            // `as` saturates for out-of-range floats.
            Ok(v.is_finite().then(|| v.trunc() as i128))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            Ok(v.parse::<i128>().ok().or_else(|| {
                v.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| f.trunc() as i128)
            }))
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    deserializer.deserialize_any(V)
}

/// `Option<u64>` accepting floats and numeric strings; negative values become `None`.
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    Ok(lenient_number(deserializer)?.and_then(|n| u64::try_from(n).ok()))
}

/// `Option<i64>` accepting floats and numeric strings.
pub(crate) fn lenient_i64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    Ok(lenient_number(deserializer)?.and_then(|n| i64::try_from(n).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_info_accepts_strings_objects_and_float_codes() {
        let v: Vec<ResponseInfo> = serde_json::from_str(
            r#"["plain", {"code": 1003.0, "message": "m", "documentation_url": "https://d", "source": {"pointer": "/a"}}, {"code": null, "message": null}]"#,
        )
        .unwrap();
        assert_eq!(v[0].message, "plain");
        assert_eq!(v[1].code, 1003);
        assert_eq!(v[1].source.as_ref().unwrap().pointer.as_deref(), Some("/a"));
        assert_eq!(v[2].code, 0);
    }

    #[test]
    fn invisible_and_control_characters_are_escaped() {
        for c in [
            '\u{0}', '\u{1b}', '\u{7f}', '\u{85}', '\u{ad}', '\u{61c}', '\u{200b}', '\u{200f}',
            '\u{2028}', '\u{202e}', '\u{2060}', '\u{2066}', '\u{206f}', '\u{feff}', '\u{e0000}',
            '\u{e0041}', '\u{e007f}',
        ] {
            let shown = Escaped(&format!("a{c}b"), 10).to_string();
            assert_eq!(shown, format!("a\\u{{{:x}}}b", c as u32), "{c:?}");
        }
        for c in ['é', '\u{2010}', '\u{2070}', '\u{e0080}', ' '] {
            assert_eq!(Escaped(&format!("a{c}b"), 10).to_string(), format!("a{c}b"));
        }
        assert_eq!(Escaped("\r\n\tx", 10).to_string(), "\\r\\n\\tx");
        assert_eq!(Escaped("abcdef", 3).to_string(), "abc…");
        assert_eq!(Escaped("abc", 3).to_string(), "abc");
    }

    #[test]
    fn json_error_message_is_escaped_bounded_and_keeps_the_position() {
        let long = format!("{{\"a\": \"\\u001b[2J{}\"}}", "x".repeat(100_000));
        #[derive(Deserialize, Debug)]
        #[expect(dead_code, reason = "only decoded")]
        struct A {
            a: u32,
        }
        let e = serde_json::from_str::<A>(&long).unwrap_err();
        let j = JsonError::from(&e);
        let shown = j.to_string();
        assert!(shown.len() < 400, "{} bytes", shown.len());
        assert!(shown.starts_with("invalid type: string \"\\u{1b}[2Jxxx"), "{shown}");
        assert!(shown.ends_with(&format!("… at line 1 column {}", e.column())), "{shown}");
        assert_eq!((j.line(), j.column()), (e.line(), e.column()));
        assert_eq!(j.classify(), serde_json::error::Category::Data);
        let short = serde_json::from_str::<A>("{").unwrap_err();
        assert_eq!(JsonError::from(&short).to_string(), short.to_string());
    }

    #[test]
    fn response_info_display_is_escaped() {
        let info = ResponseInfo {
            code: 7,
            message: "a\u{1b}[2J\u{ad}b".into(),
            ..ResponseInfo::default()
        };
        assert_eq!(info.to_string(), "[7] a\\u{1b}[2J\\u{ad}b");
    }

    #[test]
    fn api_error_display_lists_codes_and_keeps_non_json_body() {
        let body = Bytes::from_static(
            br#"{"success":false,"errors":[{"code":7,"message":"a"},{"code":8,"message":"b"}]}"#,
        );
        let e = ApiError::from_response(StatusCode::BAD_REQUEST, HeaderMap::new(), body.clone());
        assert_eq!(
            e.to_string(),
            format!("{} error (400 Bad Request): [7] a; [8] b", crate::API_NAME)
        );
        assert_eq!(e.body(), &body);
        let e = ApiError::from_response(
            StatusCode::BAD_GATEWAY,
            HeaderMap::new(),
            Bytes::from_static(b"<html>bad gateway</html>"),
        );
        assert!(e.errors().is_empty());
        assert!(e.to_string().contains("<html>bad gateway</html>"));
        assert!(e.is_server_error());
    }
}
