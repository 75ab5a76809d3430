//! Authentication from the document: `components.securitySchemes` become the schemes the
//! client can send, and every distinct requirement object of a `security` list (the top-level
//! one and each operation's) becomes one way to authenticate, an `Auth` variant with its
//! `ClientBuilder` method. Scheme order is by name and a requirement's schemes are sorted, so
//! the output does not depend on key order.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::{BuildError, Builder};
use crate::ir::{Requirement, SchemeKind, Security, SecurityScheme};
use crate::spec::SecurityList;
use crate::locate::join;
use crate::naming::{camel, snake};
use crate::render::BUILDER_METHODS;

/// What the build collects about security before the requirements are named.
#[derive(Debug, Default)]
pub(super) struct SecurityState {
    schemes: Vec<SecurityScheme>,
    /// Scheme name → index, for the schemes the client can send.
    index: HashMap<String, usize>,
    /// Names under `components.securitySchemes`, usable or not.
    declared: BTreeSet<String>,
    /// Distinct requirements (sorted scheme indices), in order of first use.
    requirements: Vec<Vec<usize>>,
    /// The same, to look one up.
    known: HashSet<Vec<usize>>,
    default: Vec<Vec<usize>>,
}

/// True for an HTTP token (RFC 9110): what a header name, cookie name or auth scheme must be.
pub(super) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl Builder<'_> {
    /// Reads `components.securitySchemes` and the top-level `security`; runs before the
    /// operations, which refer to both.
    pub(super) fn security_schemes(&mut self) -> Result<(), BuildError> {
        let mut names: Vec<String> = self.spec.object("/components/securitySchemes").map(|m| m.keys().cloned().collect()).unwrap_or_default();
        names.sort();
        for name in names {
            let ptr = join("/components/securitySchemes", &name);
            self.security.declared.insert(name.clone());
            let target = self.spec.target(&ptr)?;
            let Some(scheme) = self.spec.object(&target) else { continue };
            let text = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let (kind_of, location, field) = (text("type"), text("in"), text("name"));
            let kind = match kind_of.as_str() {
                "http" => match text("scheme").to_ascii_lowercase().as_str() {
                    "bearer" => Ok(SchemeKind::Http("Bearer".into())),
                    "basic" => Ok(SchemeKind::Basic),
                    _ if is_token(&text("scheme")) => Ok(SchemeKind::Http(text("scheme"))),
                    _ => Err(format!("its HTTP scheme {:?} is not an HTTP token", text("scheme"))),
                },
                "apiKey" => match location.as_str() {
                    "header" if is_token(&field) => Ok(SchemeKind::Header(field)),
                    "cookie" if is_token(&field) => Ok(SchemeKind::Cookie(field)),
                    "header" | "cookie" => Err(format!("its {location} name {field:?} is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)")),
                    "query" if !field.is_empty() => Ok(SchemeKind::Query(field)),
                    "query" => Err("it names no query parameter".into()),
                    other => Err(format!("an API key `in: {other}` has no place in a request")),
                },
                "oauth2" | "openIdConnect" => Ok(SchemeKind::Token),
                "mutualTLS" => Err("mutual TLS is set up on the HTTP client (`http_client_builder`), not per request".into()),
                other => Err(format!("type {other:?} is not a known security scheme type")),
            };
            match kind {
                Ok(kind) => {
                    // The crate's prefix is put in front once the crate's identity is known.
                    let env = match self.cfg.auth.env.get(&name) {
                        Some(s) => s.clone(),
                        None => snake(&name).trim_end_matches('_').to_uppercase(),
                    };
                    let docs = scheme.get("description").and_then(Value::as_str).map(str::to_string);
                    self.security.index.insert(name.clone(), self.security.schemes.len());
                    self.security.schemes.push(SecurityScheme { name, kind, env, docs });
                }
                Err(why) => self.diag(
                    "unsupported-security-scheme",
                    &ptr,
                    format!("security scheme `{name}` is left out: {why}; requirements that need it are never sent"),
                ),
            }
        }
        self.security.default = match self.spec.security_list("/security") {
            Some(list) => self.alternatives(&list),
            None => Vec::new(),
        };
        Ok(())
    }

    /// An operation's alternatives: its own `security`, else the document's.
    pub(super) fn operation_security(&mut self, op_ptr: &str) -> Option<Vec<Vec<usize>>> {
        match self.spec.operation_security(op_ptr) {
            Some(list) if list.pointer != "/security" => Some(self.alternatives(&list)),
            _ => None,
        }
    }

    /// The alternatives of a `security` list as scheme indices, each registered as a
    /// requirement. One that names an unusable scheme cannot be met and is left
    /// out; a repeated one counts once.
    fn alternatives(&mut self, list: &SecurityList) -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = Vec::new();
        let mut seen = HashSet::new();
        for (i, requirement) in &list.alternatives {
            let mut schemes = Vec::new();
            let mut usable = true;
            for name in requirement.keys() {
                match self.security.index.get(name.as_str()) {
                    Some(&s) => schemes.push(s),
                    None => {
                        usable = false;
                        if !self.security.declared.contains(name.as_str()) {
                            let message = format!("security requirement names `{name}`, which is not under components/securitySchemes; this alternative is never sent");
                            self.diag("unknown-security-scheme", &join(&list.pointer, &i.to_string()), message);
                        }
                    }
                }
            }
            if usable && seen.insert(schemes.clone()) {
                if !schemes.is_empty() && self.security.known.insert(schemes.clone()) {
                    self.security.requirements.push(schemes.clone());
                }
                out.push(schemes);
            }
        }
        out
    }

    /// Names every requirement (`Auth` variant, builder method, fields) and checks the
    /// configuration's `auth:` against the document.
    pub(super) fn finish_security(&mut self) -> Result<Security, BuildError> {
        let state = std::mem::take(&mut self.security);
        let cfg = self.cfg;
        let scheme_of = |name: &str| state.schemes.iter().position(|s| s.name == name);
        let auth_error = |keys: &[&str], message: String| {
            let line = cfg.line_of(keys).map(|l| format!(":{l}")).unwrap_or_default();
            BuildError::AuthConfig { place: format!("{}{line}", cfg.file), key: keys.join("."), message, file: cfg.file.clone() }
        };
        for scheme in cfg.auth.env.keys() {
            if scheme_of(scheme).is_none() {
                return Err(auth_error(&["auth", "env", scheme], "names no usable security scheme of the document".into()));
            }
        }
        let mut configured: BTreeMap<Vec<usize>, &String> = BTreeMap::new();
        for (name, schemes) in &cfg.auth.requirements {
            let mut set = Vec::new();
            for s in schemes {
                match scheme_of(s) {
                    Some(i) => set.push(i),
                    None => return Err(auth_error(&["auth", "requirements", name], format!("lists `{s}`, which is no usable security scheme of the document"))),
                }
            }
            set.sort();
            set.dedup();
            if !state.known.contains(&set) {
                return Err(auth_error(&["auth", "requirements", name], "lists schemes no `security` requirement of the document combines".into()));
            }
            configured.insert(set, name);
        }
        let mut requirements = Vec::new();
        let (mut variants, mut methods) = (BTreeSet::new(), BTreeSet::new());
        // The first number worth trying for a name, as `claim` keeps for types.
        let mut next_number: HashMap<(String, String), usize> = HashMap::new();
        for set in &state.requirements {
            let snakes: Vec<String> = set.iter().map(|&i| snake(&state.schemes[i].name)).collect();
            let base = match configured.get(set) {
                Some(name) => name.to_string(),
                None => snakes.join("_and_"),
            };
            let fields = if set.len() > 1 { field_names(&snakes) } else { Vec::new() };
            let mut variant = camel(&base);
            let mut method = snake(&base);
            if BUILDER_METHODS.contains(&method.as_str()) {
                method.push_str("_auth");
            }
            let (want_variant, want_method) = (variant.clone(), method.clone());
            if variants.contains(&variant) || methods.contains(&method) {
                let next = next_number.entry((want_variant.clone(), want_method.clone())).or_insert(2);
                loop {
                    variant = format!("{want_variant}{next}");
                    method = format!("{want_method}_{next}");
                    *next += 1;
                    if !variants.contains(&variant) && !methods.contains(&method) {
                        break;
                    }
                }
            }
            if (variant.as_str(), method.as_str()) != (camel(&base).as_str(), snake(&base).as_str()) {
                let schemes: Vec<&str> = set.iter().map(|&i| state.schemes[i].name.as_str()).collect();
                self.diag(
                    "auth-name-clash",
                    &join("/components/securitySchemes", schemes[0]),
                    format!("the way to authenticate with {schemes:?} would be named like another or like a `ClientBuilder` method; it is `Auth::{variant}` and `.{method}()`; name it in the config's `auth.requirements` to choose"),
                );
            }
            variants.insert(variant.clone());
            methods.insert(method.clone());
            requirements.push(Requirement { variant, method, schemes: set.clone(), fields });
        }
        Ok(Security { schemes: state.schemes, requirements, default: state.default })
    }
}

/// The fields of a struct variant: the schemes' snake names without the words they all start
/// with (`api_email`, `api_key` → `email`, `key`), or the whole names when that would leave an
/// empty or repeated one.
fn field_names(snakes: &[String]) -> Vec<String> {
    let words: Vec<Vec<&str>> = snakes.iter().map(|s| s.split('_').collect()).collect();
    let mut common = 0;
    while words.iter().all(|w| w.len() > common + 1 && w[common] == words[0][common]) {
        common += 1;
    }
    let stripped: Vec<String> = words.iter().map(|w| snake(&w[common..].join("_"))).collect();
    let distinct: BTreeSet<&String> = stripped.iter().collect();
    if distinct.len() == stripped.len() {
        stripped
    } else {
        snakes.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_drop_the_common_words() {
        let f = |names: &[&str]| field_names(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(f(&["api_email", "api_key"]), ["email", "key"]);
        assert_eq!(f(&["api_email", "api_key", "api_token"]), ["email", "key", "token"]);
        assert_eq!(f(&["api", "api_key"]), ["api", "api_key"]);
        assert_eq!(f(&["x_type", "x_key"]), ["type_", "key"]);
        assert_eq!(f(&["a_b_c", "a_b_d"]), ["c", "d"]);
    }
}
