//! Servers: the `servers` list that applies to the document and to an operation (its own, else
//! its path item's: OpenAPI's override rule), each server's URL template and variables, the URL
//! the variables' defaults make, and whether that URL names a host.

use serde_json::Value;

use super::{PathOp, PathTemplate, Segment, Spec};
use crate::locate::join;

/// One server object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Where the server object is.
    pub pointer: String,
    /// The URL template as written (`{name}` for each variable); empty when `url` is not a string.
    pub url: String,
    pub template: PathTemplate,
    pub description: Option<String>,
    /// Sorted by name, so the output does not depend on key order.
    pub variables: Vec<Variable>,
}

/// One entry of a server's `variables`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub pointer: String,
    pub name: String,
    pub default: Option<String>,
    /// `enum`: the only values allowed; empty when any value is.
    pub allowed: Vec<String>,
    pub description: Option<String>,
}

/// What a server URL is once its variables are filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlKind {
    /// An `http(s)` URL with a host and without query or fragment: usable as a base URL.
    Absolute,
    /// A reference to resolve against where the document is served (`/v1`, empty, `//host/v1`):
    /// it has no origin of its own.
    Relative,
    /// Neither, and why.
    Invalid(String),
}

/// Something about a server that the generated crate cannot use as the document writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub code: &'static str,
    pub pointer: String,
    pub message: String,
}

/// A variable's value as text: a string, or the text of a number or boolean (which YAML makes of
/// an unquoted `8080` or `true`).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Server {
    /// The URL with each variable replaced by its default, as written (a default is the
    /// document's own text, like the template around it); the issue when a variable the URL
    /// names has no definition or no default.
    pub fn default_url(&self) -> Result<String, Issue> {
        let mut url = String::new();
        let by_name: std::collections::HashMap<&str, &Variable> = self.variables.iter().rev().map(|v| (v.name.as_str(), v)).collect();
        for segment in self.template.segments() {
            match segment {
                Segment::Literal(text) => url.push_str(text),
                Segment::Param(name) => match by_name.get(name.as_str()).copied() {
                    Some(Variable { default: Some(d), .. }) => url.push_str(d),
                    Some(v) => {
                        return Err(Issue {
                            code: "server-variable-no-default",
                            pointer: v.pointer.clone(),
                            message: format!("server variable `{name}` has no `default`, so the server has no URL until it is set"),
                        })
                    }
                    None => {
                        return Err(Issue {
                            code: "server-variable-undefined",
                            pointer: join(&self.pointer, "url"),
                            message: format!("server URL `{}` names `{{{name}}}`, which is not under its `variables`", self.url),
                        })
                    }
                },
            }
        }
        Ok(url)
    }

    /// Everything about this server that the generated crate cannot use as written: a missing
    /// URL, variables the URL names without defining them, variables without a default or
    /// with a default outside their `enum`, and a URL that is not one.
    pub fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let issue = |code, pointer: String, message| Issue { code, pointer, message };
        for v in &self.variables {
            if v.default.is_none() {
                issues.push(issue("server-variable-no-default", v.pointer.clone(), format!("server variable `{}` has no `default`", v.name)));
            }
            if let Some(d) = &v.default {
                if !v.allowed.is_empty() && !v.allowed.contains(d) {
                    issues.push(issue(
                        "server-variable-default-not-in-enum",
                        join(&v.pointer, "default"),
                        format!("server variable `{}` has the default `{d}`, which is not one of its `enum` values; the default is used as written", v.name),
                    ));
                }
            }
        }
        let defined: std::collections::HashSet<&str> = self.variables.iter().map(|v| v.name.as_str()).collect();
        let mut named: Vec<&str> = self.template.param_names().filter(|n| !defined.contains(n)).collect();
        named.sort_unstable();
        named.dedup();
        // One warning names them all: each would repeat the URL.
        let braced: Vec<String> = named.iter().map(|n| format!("{{{n}}}")).collect();
        let message = match braced.as_slice() {
            [] => None,
            [one] => Some(format!("server URL `{}` names `{one}`, which is not under its `variables`", self.url)),
            many => Some(format!("server URL `{}` names {}, which are not under its `variables`", self.url, crate::diag::listed(many))),
        };
        if let Some(message) = message {
            issues.push(issue("server-variable-undefined", join(&self.pointer, "url"), message));
        }
        if let Ok(url) = self.default_url() {
            if let UrlKind::Invalid(why) = url_kind(&url) {
                issues.push(issue("server-url-invalid", join(&self.pointer, "url"), format!("server URL `{url}` is not usable: {why}")));
            }
        }
        issues
    }
}

/// What `url` is as a base URL, by the parser the generated client uses (`url`, through
/// reqwest): leading and trailing whitespace ignored, as the client ignores it.
pub fn url_kind(url: &str) -> UrlKind {
    let url = url.trim();
    match url::Url::parse(url) {
        Ok(u) if !matches!(u.scheme(), "http" | "https") => UrlKind::Invalid(format!("its scheme `{}` is not http or https", u.scheme())),
        Ok(u) if u.query().is_some() || u.fragment().is_some() => UrlKind::Invalid("a base URL has no query or fragment".into()),
        Ok(_) => UrlKind::Absolute,
        Err(url::ParseError::RelativeUrlWithoutBase) if url.is_empty() || url.starts_with('/') => {
            // It must still make a URL once a host is in front of it.
            match url::Url::parse("http://host.invalid/").and_then(|b| b.join(url)) {
                Ok(u) if u.query().is_none() && u.fragment().is_none() => UrlKind::Relative,
                Ok(_) => UrlKind::Invalid("a base URL has no query or fragment".into()),
                Err(e) => UrlKind::Invalid(format!("it does not parse: {e}")),
            }
        }
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            UrlKind::Invalid("it is neither an http(s) URL nor a path from the host (`/v1`, `//host/v1`)".into())
        }
        Err(e) => UrlKind::Invalid(format!("it does not parse: {e}")),
    }
}

impl Spec<'_> {
    /// The servers listed at `ptr` (a `servers` array); `None` when none is written there or the
    /// list is empty (OpenAPI then means the server above it).
    pub fn servers_at(&self, ptr: &str) -> Option<Vec<Server>> {
        self.servers_within(ptr, usize::MAX)
    }

    /// The first `most` servers listed at `ptr`, as [`Spec::servers_at`] reads them.
    fn servers_within(&self, ptr: &str, most: usize) -> Option<Vec<Server>> {
        let list = self.get(ptr)?.as_array()?;
        let servers: Vec<Server> = list
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let s = s.as_object()?;
                let pointer = join(ptr, &i.to_string());
                let url = s.get("url").and_then(Value::as_str).unwrap_or("").to_string();
                let mut variables: Vec<Variable> = s
                    .get("variables")
                    .and_then(Value::as_object)
                    .map(|vars| {
                        vars.iter()
                            .map(|(name, v)| {
                                let vp = join(&join(&pointer, "variables"), name);
                                let allowed = v.get("enum").and_then(Value::as_array).map(|a| a.iter().filter_map(text).collect()).unwrap_or_default();
                                Variable {
                                    pointer: vp,
                                    name: name.clone(),
                                    default: v.get("default").and_then(text),
                                    allowed,
                                    description: v.get("description").and_then(Value::as_str).map(str::to_string),
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                variables.sort_by(|a, b| a.name.cmp(&b.name));
                Some(Server {
                    template: PathTemplate::parse(&url),
                    url,
                    description: s.get("description").and_then(Value::as_str).map(str::to_string),
                    variables,
                    pointer,
                })
            })
            .take(most)
            .collect();
        (!servers.is_empty()).then_some(servers)
    }

    /// The document's `servers`; empty when it has none (OpenAPI then means `/`, relative to
    /// wherever the document is served).
    pub fn document_servers(&self) -> Vec<Server> {
        self.servers_at("/servers").unwrap_or_default()
    }

    /// The first server an operation declares for itself (the one its requests go to): from its
    /// own `servers`, else those of the path item it is written in (the one written at the path
    /// first, then the item its `$ref` leads to); `None` when neither declares any, and the
    /// document's apply. The rest of the list is not read: a path item's list is shared by
    /// every operation in it.
    pub fn operation_server(&self, op: &PathOp<'_>) -> Option<Server> {
        std::iter::once(&op.op_ptr).chain(op.items.iter().rev()).find_map(|scope| self.servers_within(&join(scope, "servers"), 1)?.pop())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_url() {
        for url in ["https://api.example.com/v1", "http://127.0.0.1:8080", " https://h.example/ "] {
            assert_eq!(url_kind(url), UrlKind::Absolute, "{url}");
        }
        for url in ["", "/", "/v1", "//api.example.com/v1", "/a b"] {
            assert_eq!(url_kind(url), UrlKind::Relative, "{url:?}");
        }
        for url in ["api.example.com/v1", "ftp://h/x", "https://h/x?y=1", "https://h/#f", "http://exa mple.com", "https://", "ws://h"] {
            assert!(matches!(url_kind(url), UrlKind::Invalid(_)), "{url:?}: {:?}", url_kind(url));
        }
    }

    fn servers(doc: serde_json::Value) -> Vec<Server> {
        Spec::from_value(&doc).document_servers()
    }

    #[test]
    fn defaults_fill_the_template() {
        let s = servers(serde_json::json!({"servers": [{
            "url": "{scheme}://{region}.api.example.com:{port}/v1",
            "variables": {
                "region": {"default": "eu", "enum": ["eu", "us"]},
                "scheme": {"default": "https"},
                "port": {"default": 8443},
            }
        }]}));
        assert_eq!(s[0].default_url().unwrap(), "https://eu.api.example.com:8443/v1");
        assert_eq!(s[0].variables.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["port", "region", "scheme"], "sorted by name");
        assert_eq!(s[0].variables[1].allowed, ["eu", "us"]);
        assert!(s[0].issues().is_empty(), "{:?}", s[0].issues());
    }

    #[test]
    fn issues_name_the_place() {
        let s = servers(serde_json::json!({"servers": [
            {"url": "https://{host}/{missing}", "variables": {"host": {"default": "x", "enum": ["a", "b"]}}},
            {"url": "https://h/{v}", "variables": {"v": {"enum": ["a"]}}},
            {"url": "not a url"},
            {"description": "no url"},
        ]}));
        let codes = |i: usize| s[i].issues().into_iter().map(|x| (x.code, x.pointer)).collect::<Vec<_>>();
        assert_eq!(
            codes(0),
            [
                ("server-variable-default-not-in-enum", "/servers/0/variables/host/default".to_string()),
                ("server-variable-undefined", "/servers/0/url".to_string()),
            ]
        );
        assert!(matches!(s[0].default_url(), Err(Issue { code: "server-variable-undefined", .. })));
        assert_eq!(codes(1), [("server-variable-no-default", "/servers/1/variables/v".to_string())]);
        assert_eq!(codes(2), [("server-url-invalid", "/servers/2/url".to_string())]);
        // No URL is the empty URL: relative, like OpenAPI's default server `/`.
        assert!(codes(3).is_empty());
        assert_eq!(url_kind(&s[3].default_url().unwrap()), UrlKind::Relative);
    }

    #[test]
    fn an_operation_s_servers_win_over_its_path_item_s() {
        let doc = serde_json::json!({
            "servers": [{"url": "https://top.example"}],
            "paths": {
                "/a": {"servers": [{"url": "https://path.example"}], "get": {"servers": [{"url": "https://op.example"}]}, "put": {}},
                "/b": {"get": {"servers": []}},
            }
        });
        let spec = Spec::from_value(&doc);
        let ops = spec.operations().unwrap();
        let first = |i: usize| spec.operation_server(&ops[i]).map(|s| s.url);
        assert_eq!(first(0).as_deref(), Some("https://op.example"));
        assert_eq!(first(1).as_deref(), Some("https://path.example"));
        assert_eq!(first(2), None, "an empty list declares nothing");
    }
}
