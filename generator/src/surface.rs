//! The public Rust API of a generated crate as a sorted list of items, read from the IR with
//! the emitter's own type and signature functions: what `api.md` prints and what the spec diff
//! compares between two documents. Types are written as the crate declares them (`models::Pet`,
//! `Option<Option<String>>`), so two surfaces differ exactly where the generated API does.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;

use crate::emit;
use crate::ir::{Api, Operation, Resource, Struct, Ty, TypeDef, TypeKind};

/// Every public item of a generated crate, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surface {
    /// The crate's version (`Cargo.toml`).
    pub version: String,
    /// Resource nodes by accessor path (`["zero_trust", "access", "users"]`).
    pub resources: BTreeMap<Vec<String>, ResourceItem>,
    /// Named types by Rust name.
    pub types: BTreeMap<String, TypeItem>,
    /// The ways to authenticate by `Auth` variant name.
    pub auth: BTreeMap<String, AuthItem>,
}

/// One way to authenticate: an `Auth` variant and the `ClientBuilder` method that sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthItem {
    /// The variant as declared (`ApiKey { api_email: String, api_key: String }`).
    pub variant: String,
    /// The builder method's signature (`fn api_key(self, api_email: impl Into<String>, …) -> Self`).
    pub method: String,
}

/// One resource node: its accessor from the client and its methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceItem {
    /// The struct the accessor returns (`Users`).
    pub struct_name: String,
    /// By method name.
    pub methods: BTreeMap<String, MethodItem>,
}

/// One resource method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodItem {
    /// Argument names and types after `&self`.
    pub args: Vec<(String, String)>,
    /// The return type.
    pub ret: String,
    /// `GET`, `POST`, …
    pub http_method: String,
    /// The path template as the document writes it.
    pub path: String,
    /// The template with parameter names blanked: with the method, the wire identity.
    pub wire_path: String,
    pub summary: Option<String>,
    pub deprecated: bool,
    /// The setters of the parameters struct on the returned request, in field order.
    pub setters: Vec<String>,
    /// What `Error::detail` decodes the method's error bodies to, when the document says.
    pub error: Option<String>,
}

impl MethodItem {
    /// `fn name(&self, a: &str, params: &models::P) -> Request<'c, models::T>`.
    pub fn signature(&self, name: &str) -> String {
        let mut args = vec!["&self".to_string()];
        args.extend(self.args.iter().map(|(n, t)| format!("{n}: {t}")));
        format!("fn {name}({}) -> {}", args.join(", "), self.ret)
    }

    /// `Users::list(account_id, params)`: how change messages name the method.
    pub fn call(&self, owner: &str, name: &str) -> String {
        let args: Vec<&str> = self.args.iter().map(|(n, _)| n.as_str()).collect();
        format!("{owner}::{name}({})", args.join(", "))
    }
}

/// One named type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeItem {
    pub kind: TypeItemKind,
    pub deprecated: bool,
    /// `#[non_exhaustive]`: every enum, and every struct only read from responses. Code
    /// outside the crate neither matches it exhaustively nor builds it with a literal, so a
    /// variant or field added to it breaks none.
    pub non_exhaustive: bool,
}

/// What a named type is, with the parts a user's code can name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeItemKind {
    /// Fields in declaration order: name, Rust type, wire name (`None` when the same as the
    /// name). `default` says whether the struct derives `Default`, which decides whether a new
    /// field breaks struct literals (`..Default::default()` covers it).
    Struct { fields: Vec<FieldItem>, default: bool },
    /// A string enum: variant name and wire value; the `Other(String)` catch-all is implied.
    Enum { variants: Vec<(String, String)> },
    /// `oneOf`/`anyOf` or an operation's error bodies: variant name and payload type.
    Union { variants: Vec<(String, String)> },
    /// `pub type Name = Ty;`
    Alias(String),
}

impl TypeItemKind {
    /// `struct`, `enum`, `one-of enum`, `type alias`.
    pub fn label(&self) -> &'static str {
        match self {
            TypeItemKind::Struct { .. } => "struct",
            TypeItemKind::Enum { .. } => "enum",
            TypeItemKind::Union { .. } => "one-of enum",
            TypeItemKind::Alias(_) => "type alias",
        }
    }
}

/// One struct field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldItem {
    pub name: String,
    pub ty: String,
    pub wire: Option<String>,
    pub deprecated: bool,
}

/// Reads the surface of the crate `api` generates.
pub fn surface(api: &Api) -> Surface {
    let mut resources = BTreeMap::new();
    let mut stack: Vec<(Vec<String>, &Resource)> = api.root.children.values().map(|c| (vec![c.name.clone()], c)).collect();
    while let Some((path, node)) = stack.pop() {
        for c in node.children.values() {
            let mut p = path.clone();
            p.push(c.name.clone());
            stack.push((p, c));
        }
        let methods = node.operations.iter().map(|(name, op)| (name.clone(), method(api, op))).collect();
        resources.insert(path, ResourceItem { struct_name: node.struct_name.clone(), methods });
    }
    // Only `non_exhaustive` is asked of the plan here.
    let plan = emit::exhaustiveness(api);
    let types = api.types.iter().map(|(name, t)| (name.clone(), type_item(t, &api.types, &plan))).collect();
    let auth = api
        .security
        .requirements
        .iter()
        .map(|r| {
            let (variant, method) = emit::auth::requirement_api(&api.security, r);
            (r.variant.clone(), AuthItem { variant, method })
        })
        .collect();
    Surface { version: api.meta.version.clone(), resources, types, auth }
}

fn method(api: &Api, op: &Operation) -> MethodItem {
    let args = emit::arguments(api, op).into_iter().map(|(n, t)| (n.to_string(), text(t))).collect();
    MethodItem {
        args,
        ret: text(emit::returns(api, op).0),
        http_method: op.http_method.clone(),
        path: op.path.as_str().to_string(),
        wire_path: op.path.normalized(),
        summary: op.summary.clone(),
        deprecated: op.deprecated,
        setters: emit::params_struct(api, op)
            .filter(|_| !emit::is_stream(op))
            .map(|(_, s)| emit::setters(s).into_iter().map(|(_, n)| n).collect())
            .unwrap_or_default(),
        error: op.error.as_ref().map(|t| text(emit::ty_tokens(t))),
    }
}

fn type_item(t: &TypeDef, types: &BTreeMap<String, TypeDef>, plan: &emit::Plan) -> TypeItem {
    let kind = match &t.kind {
        TypeKind::Struct(s) => struct_item(s, types),
        TypeKind::Enum { variants } => TypeItemKind::Enum { variants: variants.iter().map(|v| (v.rust_name.clone(), v.value.clone())).collect() },
        TypeKind::Union(u) => TypeItemKind::Union {
            variants: u
                .variants
                .iter()
                .map(|v| {
                    let ty = model_ty(&v.ty);
                    (v.rust_name.clone(), if v.boxed { format!("Box<{ty}>") } else { ty })
                })
                .collect(),
        },
        TypeKind::ErrorBody(vs) => TypeItemKind::Union { variants: vs.iter().map(|v| (v.name.clone(), model_ty(&v.ty))).collect() },
        TypeKind::Alias(ty) => TypeItemKind::Alias(model_ty(ty)),
    };
    TypeItem { kind, deprecated: t.deprecated, non_exhaustive: plan.non_exhaustive(t) }
}

fn struct_item(s: &Struct, types: &BTreeMap<String, TypeDef>) -> TypeItemKind {
    let mut fields: Vec<FieldItem> = s
        .fields
        .iter()
        .map(|f| FieldItem {
            name: f.rust_name.clone(),
            ty: qualify(text(emit::field_ty(s, f))),
            wire: (f.json_name != f.rust_name).then(|| f.json_name.clone()),
            deprecated: f.deprecated,
        })
        .collect();
    if let Some(extra) = &s.extra {
        fields.push(FieldItem {
            name: "additional_properties".into(),
            ty: format!("BTreeMap<String, {}>", model_ty(extra)),
            wire: None,
            deprecated: false,
        });
    }
    TypeItemKind::Struct { fields, default: emit::derives_default(s, types) }
}

/// A type use as the crate writes it from outside `models` (`models::Pet`).
fn model_ty(ty: &Ty) -> String {
    text(emit::ty_tokens(ty))
}

/// Field types come from inside `models`, where named types are unqualified: qualify them
/// (every capitalised path-free word that is not a std type the models use).
fn qualify(ty: String) -> String {
    let mut out = String::with_capacity(ty.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let std = ["Option", "Vec", "Box", "BTreeMap", "String"];
        let first = word.chars().next();
        if first.is_some_and(|c| c.is_ascii_uppercase()) && !std.contains(&word.as_str()) && !out.ends_with("::") {
            out.push_str("models::");
        }
        out.push_str(word);
        word.clear();
    };
    for c in ty.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Tokens as one line of Rust as people write it (`Request<'c, models::Pet>`), with the
/// crate's own paths written from its root.
pub(crate) fn text(tokens: TokenStream) -> String {
    tokens
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" <", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
        .replace(" : ", ": ")
        .replace("crate::", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_text_reads_as_written() {
        use quote::quote;
        assert_eq!(text(quote!(crate::Request<'c, Vec<crate::models::Pet>>)), "Request<'c, Vec<models::Pet>>");
        assert_eq!(text(quote!(&str)), "&str");
        assert_eq!(text(quote!(std::collections::BTreeMap<String, Option<Option<i64>>>)), "std::collections::BTreeMap<String, Option<Option<i64>>>");
        assert_eq!(qualify("Option<Box<Pet>>".into()), "Option<Box<models::Pet>>");
        assert_eq!(qualify("serde_json::Value".into()), "serde_json::Value");
    }
}
