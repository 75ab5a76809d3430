//! Where requests go: the servers of the API's document, their variables,
//! and the base URL a choice of server and variable values makes.

/// One server of the API's document: a URL template with a `{name}` for
/// each variable (see [`SERVERS`](crate::SERVERS)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Server {
    /// The URL as the document writes it.
    pub url: &'static str,
    /// What the document says of the server.
    pub description: Option<&'static str>,
    /// Its variables, sorted by name.
    pub variables: &'static [ServerVariable],
}

/// A variable of a server URL, set with
/// [`ClientBuilder::server_variable`](crate::ClientBuilder::server_variable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerVariable {
    /// The name the URL writes between braces.
    pub name: &'static str,
    /// The value used unless another is set; `None` when the document gives
    /// none, and then one must be set.
    pub default: Option<&'static str>,
    /// The only values allowed (the document's `enum`); empty when any value
    /// is.
    pub allowed: &'static [&'static str],
    /// What the document says of the variable.
    pub description: Option<&'static str>,
}

/// What the builder was told about servers: which one (`None`: the
/// document's default) and the variable values set, latest last.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServerChoice {
    pub(crate) index: Option<usize>,
    pub(crate) values: Vec<(String, String)>,
}

/// How to set a base URL instead, for messages that say there is none.
fn set_one() -> String {
    format!(
        "set one with `ClientBuilder::base_url` or the `{}` environment variable",
        crate::ENV_BASE_URL
    )
}

impl Server {
    /// The URL with each variable's value: the one set (percent-encoded, all
    /// but `A-Z a-z 0-9 - . _ ~`, so it cannot change the URL's shape), else
    /// the default, which is the document's own text like the rest of the
    /// template. A `{` that no `}` closes is text.
    fn fill(&self, values: &[(String, String)]) -> Result<String, String> {
        let mut url = String::with_capacity(self.url.len());
        let mut rest = self.url;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            url.push_str(&rest[..start]);
            let name = &rest[start + 1..start + len];
            let Some(var) = self.variables.iter().find(|v| v.name == name) else {
                return Err(format!(
                    "server URL `{}` names `{{{name}}}`, which the API's document does not define",
                    self.url
                ));
            };
            match (value_of(values, name), var.default) {
                (Some(v), _) => url.push_str(&crate::encode_path(v).to_string()),
                (None, Some(d)) => url.push_str(d),
                (None, None) => {
                    return Err(format!(
                        "server URL `{}` needs a value for `{name}`, which has no default: set it with `ClientBuilder::server_variable`",
                        self.url
                    ))
                }
            }
            rest = &rest[start + len + 1..];
        }
        url.push_str(rest);
        Ok(url)
    }
}

/// A URL that names no scheme and starts at the host or the path (`//host/v1`,
/// `/v1`, empty): relative to wherever the document is served.
fn is_relative(url: &str) -> bool {
    let url = url.trim();
    url.is_empty() || url.starts_with('/')
}

/// The value set last for `name`.
fn value_of<'v>(values: &'v [(String, String)], name: &str) -> Option<&'v str> {
    values
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

impl ServerChoice {
    /// The base URL the document's servers make: the default when no server
    /// was picked and no variable of the first one set, else the chosen server
    /// (the first unless one was picked) with the values set. Every value is
    /// checked first: its name must be a variable of a server, and where that
    /// variable has an `enum`, one of it.
    pub(crate) fn base_url(&self) -> Result<String, String> {
        self.check_values()?;
        let first_set = crate::SERVERS.first().is_some_and(|s| {
            s.variables
                .iter()
                .any(|v| value_of(&self.values, v.name).is_some())
        });
        if let (None, false, Some(url)) = (self.index, first_set, crate::DOCUMENT_BASE_URL) {
            return Ok(url.to_owned());
        }
        let servers = crate::SERVERS;
        let index = self.index.unwrap_or(0);
        let Some(server) = servers.get(index) else {
            return Err(match servers.len() {
                0 => format!(
                    "no base URL: the API's document lists no server; {}",
                    set_one()
                ),
                n => format!("there is no server {index}: the API's document lists {n} (see `SERVERS`)"),
            });
        };
        let url = server
            .fill(&self.values)
            .map_err(|e| format!("no base URL: {e}; or {}", set_one()))?;
        match reqwest::Url::parse(url.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(url),
            Err(_) if is_relative(&url) => Err(format!(
                "no base URL: server {index} of the API's document, `{url}`, has no host (it is relative to wherever the document is served); {}",
                set_one()
            )),
            _ => Err(format!(
                "no base URL: server {index} of the API's document, `{}`, is not an http(s) URL; {}",
                crate::client::redact_url(&url),
                set_one()
            )),
        }
    }

    /// Refuses a value for a variable no server has, a value outside the
    /// variable's `enum`, and an empty, `.` or `..` value.
    fn check_values(&self) -> Result<(), String> {
        let all = || {
            crate::SERVERS
                .iter()
                .chain(crate::servers::OPERATION_SERVERS)
                .flat_map(|s| s.variables)
        };
        for (name, value) in &self.values {
            let mut known = false;
            for var in all().filter(|v| v.name == name) {
                known = true;
                if !var.allowed.is_empty() && !var.allowed.contains(&value.as_str()) {
                    return Err(format!(
                        "server variable `{name}` cannot be `{value}`: the API's document allows only {}",
                        var.allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            if !known {
                let mut names: Vec<&str> = all().map(|v| v.name).collect();
                names.sort_unstable();
                names.dedup();
                let listed = names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(format!(
                    "no server of the API's document has a variable `{name}` (its variables: {})",
                    if listed.is_empty() { "none" } else { &listed }
                ));
            }
            if matches!(value.as_str(), "" | "." | "..") {
                return Err(format!(
                    "server variable `{name}` cannot be `{value}`: a value is not empty, `.` or `..`"
                ));
            }
        }
        Ok(())
    }

    /// The URL of each server operations declare for themselves, for a client
    /// whose base URL `base` came from the document: filled in with the values
    /// set, and when relative, resolved against `base`'s origin. A server
    /// whose URL cannot be made holds the reason, reported by the requests of
    /// its operations.
    pub(crate) fn operation_urls(&self, base: &str) -> Vec<Result<reqwest::Url, String>> {
        crate::servers::OPERATION_SERVERS
            .iter()
            .map(|server| {
                let url = server.fill(&self.values)?;
                let url = url.trim();
                let resolved = match reqwest::Url::parse(url) {
                    Ok(u) => u,
                    Err(_) if is_relative(url) => {
                        let origin = reqwest::Url::parse(base).and_then(|b| b.join("/"));
                        match origin.and_then(|o| o.join(url)) {
                            Ok(u) => u,
                            Err(e) => {
                                return Err(format!("server `{}` of an operation: {e}", server.url))
                            }
                        }
                    }
                    Err(e) => return Err(format!("server `{}` of an operation: {e}", server.url)),
                };
                if !matches!(resolved.scheme(), "http" | "https")
                    || resolved.query().is_some()
                    || resolved.fragment().is_some()
                {
                    return Err(format!(
                        "server `{}` of an operation is not an http(s) URL without query",
                        server.url
                    ));
                }
                Ok(resolved)
            })
            .collect()
    }
}
