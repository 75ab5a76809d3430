//! Credentials: how each security scheme of the API is sent, the values a
//! client holds for them, and which of an operation's alternatives a request
//! uses. The schemes, the `Auth` enum and the alternatives of each operation
//! are generated from the API's document (see `auth.rs`); this is the part
//! every API shares.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, COOKIE};

/// What a [`TokenSource`] returns: the access token, or why there is none.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<String, Box<dyn std::error::Error + Send + Sync>>> + Send + 'a>>;

/// A source of OAuth 2 or OpenID Connect access tokens, implemented by the
/// application (a fixed token, a refresh-token flow, a client-credentials
/// grant, a cache…). The client asks it for a token before each request and
/// sends it as `Authorization: Bearer <token>`; when the server answers 401 it
/// calls [`TokenSource::refresh`] once and sends the request once more with
/// the new token. A failure is reported as `Error::Config` naming the scheme.
pub trait TokenSource: Send + Sync {
    /// The token to send now.
    fn token(&self) -> TokenFuture<'_>;

    /// A new token after the server refused the last one (by default the
    /// same as [`TokenSource::token`]).
    fn refresh(&self) -> TokenFuture<'_> {
        self.token()
    }
}

/// A fixed token, as read from the environment (only built by APIs with a
/// token scheme).
#[allow(dead_code)]
pub(crate) struct StaticToken(pub(crate) String);

impl TokenSource for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// How one security scheme is sent. Which kinds a crate uses depends on its
/// API, so some are never built in a given crate.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
pub(crate) enum Placement {
    /// `Authorization: <scheme> <value>` (`Bearer`, or another HTTP scheme).
    Authorization(&'static str),
    /// `Authorization: Basic base64(username:password)`.
    Basic,
    /// A header of this name.
    Header(&'static str),
    /// A query parameter of this name.
    Query(&'static str),
    /// A cookie of this name.
    Cookie(&'static str),
    /// `Authorization: Bearer <token>`, the token from a [`TokenSource`].
    Token,
}

/// One security scheme of the API.
pub(crate) struct Scheme {
    /// Its name in the API's document, for messages.
    pub(crate) name: &'static str,
    pub(crate) placement: Placement,
}

/// A credential for one scheme, as the application gave it.
#[allow(dead_code)]
pub(crate) enum Secret {
    Text(String),
    Basic(String, String),
    Source(Arc<dyn TokenSource>),
}

/// A credential checked and ready to send.
#[derive(Clone)]
enum Ready {
    Header(HeaderName, HeaderValue),
    Query(&'static str, String),
    Cookie(&'static str, String),
    Token(Arc<dyn TokenSource>),
}

/// A header value marked sensitive, so `Debug` never shows it.
fn secret_value(value: &str, scheme: &str) -> Result<HeaderValue, String> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        format!("the credential for `{scheme}` contains characters not allowed in an HTTP header")
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn prepare(scheme: &Scheme, secret: Secret) -> Result<Ready, String> {
    let name = scheme.name;
    Ok(match (scheme.placement, secret) {
        (Placement::Authorization(word), Secret::Text(t)) => Ready::Header(
            AUTHORIZATION,
            secret_value(&format!("{word} {}", t.trim()), name)?,
        ),
        (Placement::Basic, Secret::Basic(user, password)) => Ready::Header(
            AUTHORIZATION,
            secret_value(
                &format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
                name,
            )?,
        ),
        (Placement::Header(header), Secret::Text(t)) => {
            let header = HeaderName::from_bytes(header.as_bytes())
                .map_err(|_| format!("`{header}` is not a header name"))?;
            Ready::Header(header, secret_value(t.trim(), name)?)
        }
        (Placement::Query(param), Secret::Text(t)) => Ready::Query(param, t.trim().to_owned()),
        (Placement::Cookie(cookie), Secret::Text(t)) => {
            let value = t.trim();
            if value.contains([';', ',', '"', '\\']) || value.chars().any(char::is_whitespace) {
                return Err(format!(
                    "the credential for `{name}` contains characters not allowed in a cookie"
                ));
            }
            secret_value(value, name)?;
            Ready::Cookie(cookie, value.to_owned())
        }
        (Placement::Token, Secret::Source(source)) => Ready::Token(source),
        _ => return Err(format!("the credential for `{name}` is of the wrong kind")),
    })
}

/// Standard base64 with padding, for basic authentication.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The credentials a client holds, one slot per scheme of the API.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    held: Vec<Option<Ready>>,
}

impl Credentials {
    /// Checks each credential against its scheme; a later value for a scheme
    /// replaces an earlier one. The first problem is returned beside what
    /// could be prepared.
    pub(crate) fn new(
        schemes: &[Scheme],
        secrets: impl IntoIterator<Item = (usize, Secret)>,
    ) -> (Credentials, Option<String>) {
        let mut held: Vec<Option<Ready>> = vec![None; schemes.len()];
        let mut problem = None;
        for (index, secret) in secrets {
            let Some(scheme) = schemes.get(index) else { continue };
            match prepare(scheme, secret) {
                Ok(ready) => held[index] = Some(ready),
                Err(msg) => {
                    problem.get_or_insert(msg);
                }
            }
        }
        (Credentials { held }, problem)
    }

    /// The credentials of the first of `alternatives` (lists of scheme
    /// indices) whose schemes are all held; none when no alternative is (no
    /// credentials are sent). Chosen per request, so nothing is collected.
    fn choose<'a>(&'a self, alternatives: &[&'a [usize]]) -> impl Iterator<Item = &'a Ready> + 'a {
        let held = |i: &usize| self.held.get(*i).and_then(Option::as_ref);
        let chosen = alternatives.iter().copied().find(|alt| alt.iter().all(|i| held(i).is_some()));
        chosen.into_iter().flat_map(|alt| alt.iter()).filter_map(held)
    }

    /// What one request sends for the first alternative the client can meet:
    /// headers (skipping those the request sets itself), query pairs, and the
    /// token source whose token goes in `Authorization`.
    pub(crate) fn for_request(
        &self,
        alternatives: &[&[usize]],
        headers: &mut HeaderMap,
        own: &HeaderMap,
    ) -> Sent {
        let mut sent = Sent::default();
        let mut cookies: Vec<String> = Vec::new();
        for ready in self.choose(alternatives) {
            match ready {
                Ready::Header(name, value) => {
                    if !own.contains_key(name) {
                        headers.insert(name.clone(), value.clone());
                    }
                }
                Ready::Query(name, value) => sent.query.push((name, value.clone())),
                Ready::Cookie(name, value) => cookies.push(format!("{name}={value}")),
                Ready::Token(source) => sent.token = Some(source.clone()),
            }
        }
        if !cookies.is_empty() {
            if let Some(existing) = headers.get(COOKIE).and_then(|v| v.to_str().ok()) {
                cookies.insert(0, existing.to_owned());
            }
            if let Ok(mut v) = HeaderValue::from_str(&cookies.join("; ")) {
                v.set_sensitive(true);
                headers.insert(COOKIE, v);
            }
        }
        sent
    }
}

/// What [`Credentials::for_request`] leaves to the request: query pairs, and
/// a token to fetch (and refresh once on 401).
#[derive(Default)]
pub(crate) struct Sent {
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) token: Option<Arc<dyn TokenSource>>,
}

/// Puts a token from a token source into `Authorization`; `fresh` asks for a
/// refreshed one.
pub(crate) async fn bearer_from(
    source: &dyn TokenSource,
    fresh: bool,
    headers: &mut HeaderMap,
) -> Result<(), String> {
    let got = if fresh { source.refresh().await } else { source.token().await };
    let token = got.map_err(|e| format!("the token source failed: {e}"))?;
    headers.insert(AUTHORIZATION, secret_value(&format!("Bearer {}", token.trim()), "the token source")?);
    Ok(())
}

/// One way to authenticate read from the environment: its variables, and how
/// their values make the credential.
pub(crate) struct EnvOption<T: 'static> {
    pub(crate) vars: &'static [&'static str],
    pub(crate) make: fn(Vec<String>) -> T,
}

/// The first option whose variables are all set (blank counts as unset). One
/// set only in part is an error naming what is missing; none at all is an
/// error listing the options, unless credentials are optional.
pub(crate) fn from_env<T>(
    options: &[EnvOption<T>],
    optional: bool,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<T>, String> {
    let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
    let mut partial: Option<(Vec<&str>, Vec<&str>)> = None;
    for option in options {
        let values: Vec<Option<String>> = option.vars.iter().map(|v| get(v)).collect();
        if values.iter().all(Option::is_some) {
            return Ok(Some((option.make)(values.into_iter().flatten().collect())));
        }
        if partial.is_none() && values.iter().any(Option::is_some) {
            let (set, missing) = option.vars.iter().zip(&values).partition::<Vec<_>, _>(|(_, v)| v.is_some());
            partial = Some((set.into_iter().map(|(n, _)| *n).collect(), missing.into_iter().map(|(n, _)| *n).collect()));
        }
    }
    if let Some((set, missing)) = partial {
        let verb = if set.len() == 1 { "is" } else { "are" };
        return Err(format!("{} {verb} set but {} is not", set.join(" and "), missing.join(" and ")));
    }
    if optional || options.is_empty() {
        return Ok(None);
    }
    let mut choices = options.iter().map(|o| o.vars.join(" and "));
    let first = choices.next().unwrap_or_default();
    let rest: Vec<String> = choices.collect();
    Err(if rest.is_empty() {
        format!("no credentials: set {first}")
    } else {
        format!("no credentials: set {first} (or {})", rest.join(", or "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const OPTIONS: &[EnvOption<String>] = &[
        EnvOption { vars: &["P_TOKEN"], make: |v| format!("token {}", v[0]) },
        EnvOption { vars: &["P_EMAIL", "P_KEY"], make: |v| format!("key {} {}", v[0], v[1]) },
    ];

    #[test]
    fn env_takes_the_first_complete_option() {
        let pick = |pairs: &[(&str, &str)]| from_env(OPTIONS, false, &env(pairs));
        assert_eq!(pick(&[("P_TOKEN", "t\n"), ("P_KEY", "k")]), Ok(Some("token t\n".into())));
        assert_eq!(pick(&[("P_KEY", "k"), ("P_EMAIL", "e")]), Ok(Some("key e k".into())));
        assert_eq!(pick(&[("P_KEY", "secret-k")]), Err("P_KEY is set but P_EMAIL is not".into()));
        assert_eq!(pick(&[("P_TOKEN", "  ")]), Err("no credentials: set P_TOKEN (or P_EMAIL and P_KEY)".into()));
        assert_eq!(from_env(OPTIONS, true, &env(&[])), Ok(None));
    }

    #[test]
    fn bad_values_are_refused_without_the_secret() {
        let schemes = [
            Scheme { name: "t", placement: Placement::Authorization("Bearer") },
            Scheme { name: "c", placement: Placement::Cookie("sid") },
        ];
        for (i, bad) in [(0, "SEKRIT\nTOKEN"), (1, "SEKRIT; x=y")] {
            let (_, problem) = Credentials::new(&schemes, [(i, Secret::Text(bad.into()))]);
            let problem = problem.expect("refused");
            assert!(!problem.contains("SEKRIT"), "{problem}");
        }
    }

    #[test]
    fn basic_is_base64() {
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn the_first_alternative_held_is_sent() {
        let schemes = [
            Scheme { name: "a", placement: Placement::Header("x-a") },
            Scheme { name: "b", placement: Placement::Query("b") },
            Scheme { name: "c", placement: Placement::Cookie("c") },
        ];
        let (creds, problem) = Credentials::new(
            &schemes,
            [(1, Secret::Text("qv".into())), (2, Secret::Text("cv".into()))],
        );
        assert!(problem.is_none());
        let mut headers = HeaderMap::new();
        let sent = creds.for_request(&[&[0], &[1, 2]], &mut headers, &HeaderMap::new());
        assert_eq!(sent.query, [("b", "qv".to_string())]);
        assert_eq!(headers[COOKIE], "c=cv");
        assert!(headers[COOKIE].is_sensitive());
        let mut headers = HeaderMap::new();
        let sent = creds.for_request(&[&[0]], &mut headers, &HeaderMap::new());
        assert!(sent.query.is_empty() && headers.is_empty());
    }
}
