//! `src/auth.rs`: the `Auth` enum (one variant per way to authenticate), its `ClientBuilder`
//! methods, and the tables the runtime's `credentials` module reads: the schemes, the document's
//! default alternatives and the environment variables of each way.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attrs, ident};
use crate::escape;
use crate::ir::{Api, Requirement, SchemeKind, Security, SecurityScheme};

/// How the credential of `scheme` is sent, for docs.
pub fn sent_as(scheme: &SecurityScheme) -> String {
    match &scheme.kind {
        SchemeKind::Http(word) => format!("`Authorization: {word} …`"),
        SchemeKind::Basic => "`Authorization: Basic …` (username and password)".into(),
        SchemeKind::Header(name) => format!("the {} header", escape::md_code(name)),
        SchemeKind::Query(name) => format!("the {} query parameter", escape::md_code(name)),
        SchemeKind::Cookie(name) => format!("the {} cookie", escape::md_code(name)),
        SchemeKind::Token => "`Authorization: Bearer …`, from a `TokenSource`".into(),
    }
}

/// The environment variables of one scheme.
pub fn env_vars(scheme: &SecurityScheme) -> Vec<String> {
    match scheme.kind {
        SchemeKind::Basic => vec![format!("{}_USERNAME", scheme.env), format!("{}_PASSWORD", scheme.env)],
        _ => vec![scheme.env.clone()],
    }
}

/// The environment variables of one way to authenticate, in argument order.
pub fn requirement_env(sec: &Security, r: &Requirement) -> Vec<String> {
    r.schemes.iter().flat_map(|&i| env_vars(&sec.schemes[i])).collect()
}

/// One builder argument: its name, type and the expression that turns it into the value held.
struct Arg {
    name: String,
    /// A basic credential takes two arguments.
    second: Option<String>,
    kind: SchemeKind,
}

impl Arg {
    fn new(name: String, kind: &SchemeKind) -> Arg {
        match kind {
            SchemeKind::Basic => Arg { second: Some(format!("{name}password")), name: format!("{name}username"), kind: kind.clone() },
            _ => Arg { name, second: None, kind: kind.clone() },
        }
    }

    fn params(&self) -> TokenStream {
        let a = ident(&self.name);
        match (&self.kind, &self.second) {
            (SchemeKind::Token, _) => quote!(#a: impl TokenSource + 'static),
            (_, Some(b)) => {
                let b = ident(b);
                quote!(#a: impl Into<String>, #b: impl Into<String>)
            }
            _ => quote!(#a: impl Into<String>),
        }
    }

    /// The held value built from the arguments.
    fn value(&self) -> TokenStream {
        let a = ident(&self.name);
        match (&self.kind, &self.second) {
            (SchemeKind::Token, _) => quote!(std::sync::Arc::new(#a)),
            (_, Some(b)) => {
                let b = ident(b);
                quote!((#a.into(), #b.into()))
            }
            _ => quote!(#a.into()),
        }
    }

    /// The held value built from environment values, taken in order by `next()`.
    fn env_value(&self) -> TokenStream {
        match (&self.kind, &self.second) {
            (SchemeKind::Token, _) => quote!(std::sync::Arc::new(crate::credentials::StaticToken(next()))),
            (_, Some(_)) => quote!((next(), next())),
            _ => quote!(next()),
        }
    }

    /// The variant's fields when it is the only argument of a tuple variant: a basic
    /// credential is two `String`s there rather than one pair.
    fn tuple_fields(&self) -> TokenStream {
        match &self.kind {
            SchemeKind::Basic => quote!(String, String),
            _ => self.ty(),
        }
    }

    fn ty(&self) -> TokenStream {
        match &self.kind {
            SchemeKind::Token => quote!(std::sync::Arc<dyn TokenSource>),
            SchemeKind::Basic => quote!((String, String)),
            _ => quote!(String),
        }
    }

    /// The runtime's `Secret` made from a held value `v`.
    fn secret(&self, v: &TokenStream) -> TokenStream {
        match &self.kind {
            SchemeKind::Token => quote!(crate::credentials::Secret::Source(#v)),
            SchemeKind::Basic => quote!(crate::credentials::Secret::Basic(#v.0, #v.1)),
            _ => quote!(crate::credentials::Secret::Text(#v)),
        }
    }
}

/// One way to authenticate as the crate's public API shows it: the `Auth` variant
/// (`Bearer(String)`, `ApiKey { api_email: String, api_key: String }`) and its `ClientBuilder`
/// method's signature, each as one line of Rust.
pub fn requirement_api(sec: &Security, r: &Requirement) -> (String, String) {
    let args = args(sec, r);
    let flat = crate::surface::text;
    let variant = if r.fields.is_empty() {
        format!("{}({})", r.variant, flat(args[0].tuple_fields()))
    } else {
        let fields: Vec<String> = r.fields.iter().zip(&args).map(|(f, a)| format!("{f}: {}", flat(a.ty()))).collect();
        format!("{} {{ {} }}", r.variant, fields.join(", "))
    };
    let params: Vec<String> = args.iter().map(|a| flat(a.params())).collect();
    let method = format!("fn {}(self{}) -> Self", r.method, params.iter().map(|p| format!(", {p}")).collect::<String>());
    (variant, method)
}

/// The argument name of a one-scheme way to authenticate.
fn single_arg(kind: &SchemeKind) -> &'static str {
    match kind {
        SchemeKind::Http(_) => "token",
        SchemeKind::Token => "source",
        SchemeKind::Basic => "",
        _ => "key",
    }
}

/// The arguments of one way to authenticate, in field order.
fn args(sec: &Security, r: &Requirement) -> Vec<Arg> {
    if r.fields.is_empty() {
        let kind = &sec.schemes[r.schemes[0]].kind;
        return vec![Arg::new(single_arg(kind).into(), kind)];
    }
    r.fields
        .iter()
        .zip(&r.schemes)
        .map(|(f, &i)| {
            let kind = &sec.schemes[i].kind;
            let name = if *kind == SchemeKind::Basic { format!("{f}_") } else { f.clone() };
            Arg::new(name, kind)
        })
        .collect()
}

/// Sample argument values for examples: `"my-key"`, `"my-username", "my-password"`.
pub fn sample_args(sec: &Security, r: &Requirement) -> Option<Vec<String>> {
    args_with_token(sec, r, None)
}

/// [`sample_args`], with `token` (an expression of a `TokenSource`) for the schemes a token
/// source serves; without one such a way to authenticate has no sample.
pub fn args_with_token(sec: &Security, r: &Requirement, token: Option<&str>) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for a in args(sec, r) {
        if a.kind == SchemeKind::Token {
            out.push(token?.to_string());
            continue;
        }
        for n in [Some(&a.name), a.second.as_ref()].into_iter().flatten() {
            out.push(escape::rust_str(&format!("my-{}", n.trim_end_matches('_').replace('_', "-"))));
        }
    }
    Some(out)
}

/// Which schemes a way to authenticate sends, for docs: `` `api_email` and `api_key` ``.
fn scheme_list(sec: &Security, r: &Requirement) -> String {
    let names: Vec<String> = r.schemes.iter().map(|&i| escape::md_code(&sec.schemes[i].name)).collect();
    names.join(" and ")
}

/// The scheme's line in docs, then its description.
fn scheme_doc(s: &SecurityScheme) -> String {
    let mut doc = format!("{}: sent as {}.", escape::md_code(&s.name), sent_as(s));
    if let Some(d) = &s.docs {
        doc.push_str("\n\n");
        doc.push_str(d.trim());
    }
    doc
}

pub fn auth(api: &Api) -> TokenStream {
    let sec = &api.security;
    let lib = &api.meta.lib_name;
    let has_token = sec.schemes.iter().any(|s| s.kind == SchemeKind::Token);
    let reexport = if has_token {
        quote!(pub use crate::credentials::{TokenFuture, TokenSource};)
    } else {
        TokenStream::new()
    };

    let mut variants = Vec::new();
    let (mut debug_arms, mut kind_arms, mut secret_arms, mut methods, mut env) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in &sec.requirements {
        let v = ident(&r.variant);
        let args = args(sec, r);
        let kind_name = &r.method;
        let method = ident(&r.method);
        let params: Vec<TokenStream> = args.iter().map(Arg::params).collect();
        let values: Vec<TokenStream> = args.iter().map(Arg::value).collect();
        let from_env: Vec<TokenStream> = args.iter().map(Arg::env_value).collect();
        let vars = requirement_env(sec, r);
        let vars_doc = vars.iter().map(|v| escape::md_code(v)).collect::<Vec<_>>().join(" and ");
        if r.fields.is_empty() {
            let s = &sec.schemes[r.schemes[0]];
            let doc = doc_attrs(Some(&scheme_doc(s)));
            let ty = args[0].tuple_fields();
            variants.push(quote!(#doc #v(#ty)));
            let shown = format!("{}(<redacted>)", r.variant);
            debug_arms.push(quote!(Auth::#v(..) => f.write_str(#shown)));
            kind_arms.push(quote!(Auth::#v(..) => #kind_name));
            let i = index(r.schemes[0]);
            let (pattern, secret) = if args[0].kind == SchemeKind::Basic {
                (quote!(Auth::#v(username, password)), quote!(crate::credentials::Secret::Basic(username, password)))
            } else {
                (quote!(Auth::#v(value)), args[0].secret(&quote!(value)))
            };
            secret_arms.push(quote!(#pattern => Vec::from([(#i, #secret)])));
            // A pair `(a, b)` spreads into the tuple variant's two fields.
            let unpair = |t: &TokenStream| -> TokenStream {
                match t.clone().into_iter().collect::<Vec<_>>().as_slice() {
                    [proc_macro2::TokenTree::Group(g)] if g.delimiter() == proc_macro2::Delimiter::Parenthesis => g.stream(),
                    _ => t.clone(),
                }
            };
            let value = unpair(&values[0]);
            let variables = if vars.len() > 1 { "variables" } else { "variable" };
            let doc = format!(" Authenticate with {} (the environment {variables} {vars_doc}): sent as {}.", scheme_list(sec, r), sent_as(s));
            methods.push(quote! {
                #[doc = #doc]
                pub fn #method(self, #(#params),*) -> Self {
                    self.auth(Auth::#v(#value))
                }
            });
            let make = unpair(&from_env[0]);
            env.push(quote!(crate::credentials::EnvOption {
                vars: &[#(#vars),*],
                make: |v| {
                    let mut v = v.into_iter();
                    let mut next = || v.next().unwrap_or_default();
                    Auth::#v(#make)
                },
            }));
        } else {
            let doc = format!("{} together.", scheme_list(sec, r));
            let doc = doc_attrs(Some(&doc));
            let field_idents: Vec<_> = r.fields.iter().map(|f| ident(f)).collect();
            let field_defs = r.schemes.iter().zip(&args).zip(&field_idents).map(|((&i, a), f)| {
                let ty = a.ty();
                let doc = doc_attrs(Some(&scheme_doc(&sec.schemes[i])));
                quote!(#doc #f: #ty)
            });
            variants.push(quote!(#doc #v { #(#field_defs),* }));
            let shown = format!("{} {{ {} }}", r.variant, r.fields.iter().map(|f| format!("{f}: <redacted>")).collect::<Vec<_>>().join(", "));
            debug_arms.push(quote!(Auth::#v { .. } => f.write_str(#shown)));
            kind_arms.push(quote!(Auth::#v { .. } => #kind_name));
            let secrets = args.iter().zip(&r.schemes).zip(&field_idents).map(|((a, &i), f)| {
                let i = index(i);
                let secret = a.secret(&quote!(#f));
                quote!((#i, #secret))
            });
            secret_arms.push(quote!(Auth::#v { #(#field_idents),* } => Vec::from([#(#secrets),*])));
            let doc = format!(" Authenticate with {} (the environment variables {vars_doc}).", scheme_list(sec, r));
            methods.push(quote! {
                #[doc = #doc]
                pub fn #method(self, #(#params),*) -> Self {
                    self.auth(Auth::#v { #(#field_idents: #values),* })
                }
            });
            env.push(quote!(crate::credentials::EnvOption {
                vars: &[#(#vars),*],
                make: |v| {
                    let mut v = v.into_iter();
                    let mut next = || v.next().unwrap_or_default();
                    Auth::#v { #(#field_idents: #from_env),* }
                },
            }));
        }
    }

    let derives = if has_token { quote!(#[derive(Clone)]) } else { quote!(#[derive(Clone, PartialEq, Eq)]) };
    let mut doc = String::from(
        "Credentials used to authenticate requests: one variant per way the API accepts (a \
         security requirement of its document). A client may hold several; each request sends \
         those of the first way its operation accepts that the client holds.\n\nThe secret parts \
         are never shown by `Debug`.",
    );
    if !sec.requirements.is_empty() {
        doc.push_str("\n\n`Client::from_env` reads the first of these that is set:\n");
        for r in &sec.requirements {
            let vars = requirement_env(sec, r).iter().map(|v| escape::md_code(v)).collect::<Vec<_>>().join(" and ");
            doc.push_str(&format!("\n- {vars}: [`Auth::{}`]", r.variant));
        }
    }
    let mut doc_lines: Vec<String> = doc.lines().map(|l| format!(" {l}")).collect();
    if let Some((r, samples)) = sec.requirements.iter().find_map(|r| sample_args(sec, r).map(|s| (r, s))) {
        let value = if r.fields.is_empty() {
            let inner: Vec<String> = samples.iter().map(|s| format!("{s}.into()")).collect();
            format!("Auth::{}({})", r.variant, inner.join(", "))
        } else {
            let mut samples = samples.iter();
            let mut next = || format!("{}.into()", samples.next().map(String::as_str).unwrap_or("\"\""));
            let fields: Vec<String> = r
                .fields
                .iter()
                .zip(&r.schemes)
                .map(|(f, &i)| if sec.schemes[i].kind == SchemeKind::Basic { format!("{f}: ({}, {})", next(), next()) } else { format!("{f}: {}", next()) })
                .collect();
            format!("Auth::{} {{ {} }}", r.variant, fields.join(", "))
        };
        for l in [
            String::new(),
            "```".into(),
            format!("use {lib}::Auth;"),
            format!("let auth = {value};"),
            "assert!(!format!(\"{auth:?}\").contains(\"my-\"));".into(),
            "```".into(),
        ] {
            doc_lines.push(format!(" {l}").trim_end().to_string());
        }
    }
    let debug_body = if sec.requirements.is_empty() { quote!(let _ = f; match *self {}) } else { quote!(match self { #(#debug_arms,)* }) };
    let kind_body = if sec.requirements.is_empty() { quote!(match *self {}) } else { quote!(match self { #(#kind_arms,)* }) };
    let secret_body = if sec.requirements.is_empty() { quote!(match self {}) } else { quote!(match self { #(#secret_arms,)* }) };
    let builder = if methods.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            impl crate::ClientBuilder {
                #(#methods)*
            }
        }
    };
    let schemes = sec.schemes.iter().map(|s| {
        let name = &s.name;
        let placement = match &s.kind {
            SchemeKind::Http(word) => quote!(Authorization(#word)),
            SchemeKind::Basic => quote!(Basic),
            SchemeKind::Header(h) => quote!(Header(#h)),
            SchemeKind::Query(q) => quote!(Query(#q)),
            SchemeKind::Cookie(c) => quote!(Cookie(#c)),
            SchemeKind::Token => quote!(Token),
        };
        quote!(crate::credentials::Scheme { name: #name, placement: crate::credentials::Placement::#placement })
    });
    let default = security_tokens(&sec.default);
    quote! {
        //! How requests authenticate, from the API document's security schemes and requirements.

        #reexport

        #(#[doc = #doc_lines])*
        #derives
        #[non_exhaustive]
        pub enum Auth {
            #(#variants,)*
        }

        impl std::fmt::Debug for Auth {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                #debug_body
            }
        }

        impl Auth {
            /// The way to authenticate, as `Debug` of the client names it.
            pub(crate) fn kind(&self) -> &'static str {
                #kind_body
            }

            /// The credential for each scheme, by index into [`SCHEMES`].
            pub(crate) fn secrets(self) -> Vec<(usize, crate::credentials::Secret)> {
                #secret_body
            }
        }

        #builder

        /// The API's security schemes, as the runtime sends them.
        pub(crate) static SCHEMES: &[crate::credentials::Scheme] = &[#(#schemes),*];

        /// The document's top-level `security`: the alternatives of requests built by hand.
        pub(crate) static DEFAULT_SECURITY: &[&[usize]] = #default;

        /// The ways `Client::from_env` tries, in order.
        pub(crate) static ENV: &[crate::credentials::EnvOption<Auth>] = &[#(#env),*];
    }
}

/// A scheme index as an unsuffixed literal (`2`, not `2usize`).
fn index(i: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(i)
}

/// Alternatives as a static slice of scheme-index slices: `&[&[2], &[0, 1]]`.
pub fn security_tokens(alternatives: &[Vec<usize>]) -> TokenStream {
    let alts = alternatives.iter().map(|a| {
        let a = a.iter().map(|&i| index(i));
        quote!(&[#(#a),*])
    });
    quote!(&[#(#alts),*])
}
