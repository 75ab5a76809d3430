//! The Rust types the generator emits, as far as the diff needs them: whether a type is
//! `Option<T>`, whether an enum has a catch-all, and the type written out for messages. Which
//! Rust type a schema becomes is `spec`'s decision ([`RustKind`](crate::spec::RustKind), the
//! "Type mapping" table in ARCHITECTURE.md), carried on each [`Norm`] as its head: the diff
//! calls a change `breaking` when it changes the Rust type of a generated field, argument or
//! enum, compares heads and then descends into items, values and properties, so each change is
//! reported once, where it happens.

use super::resolve::{Child, Norm, Resolver};
use crate::spec::RustHead;

/// Whether a field, argument or body of this schema is `Option<T>`.
pub fn is_option(required: bool, nullable: bool) -> bool {
    !required || nullable
}

/// Whether the generated Rust enum for this head tolerates values it does not know. Every enum
/// the generator emits for a string `enum` has a catch-all variant (`Other(String)`), and
/// integer and boolean enums are plain `i64`/`bool`, so a new value never fails to deserialize:
/// a response enum value added is `info`. Returns `false` only for heads that are not enums.
pub fn enum_has_catch_all(head: RustHead) -> bool {
    matches!(
        head,
        RustHead::Enum
            | RustHead::I32
            | RustHead::I64
            | RustHead::F32
            | RustHead::F64
            | RustHead::Bool
    )
}

/// The Rust type written out, for messages (`Vec<String>`, `Option<f64>`, …).
pub(crate) fn rust_type_text(res: &mut Resolver<'_>, n: &Norm<'_>) -> String {
    text(res, n, 0)
}

fn text(res: &mut Resolver<'_>, n: &Norm<'_>, depth: usize) -> String {
    let inner = |res: &mut Resolver<'_>, child: Option<&Child>| -> String {
        match child {
            Some(c) if depth < 6 => {
                let c = res.node(c);
                text(res, &c, depth + 1)
            }
            Some(_) => "…".to_string(),
            None => "serde_json::Value".to_string(),
        }
    };
    match n.head {
        RustHead::String => "String".into(),
        RustHead::Mapped(m) => m.rust_path().into(),
        RustHead::I32 => "i32".into(),
        RustHead::I64 => "i64".into(),
        RustHead::F32 => "f32".into(),
        RustHead::F64 => "f64".into(),
        RustHead::Bool => "bool".into(),
        RustHead::Json => "serde_json::Value".into(),
        RustHead::Vec => format!("Vec<{}>", inner(res, n.items.as_ref())),
        RustHead::Map => format!("BTreeMap<String, {}>", inner(res, n.additional.as_ref())),
        RustHead::Struct => named(n).unwrap_or_else(|| "struct".into()),
        RustHead::Enum => named(n).unwrap_or_else(|| "enum".into()),
        RustHead::Union => format!(
            "{} ({} of {})",
            named(n).unwrap_or_else(|| "enum".into()),
            n.alternatives_kw.unwrap_or("oneOf"),
            n.alternatives.len()
        ),
    }
}

/// The generated name of a component schema (`access_users-2` → `AccessUsers2`), for messages;
/// `spec/codegen.yaml` may rename it, so this is a hint only.
fn named(n: &Norm<'_>) -> Option<String> {
    crate::spec::component_name(&n.pointer).map(|name| crate::naming::camel(&name))
}

/// `T` or `Option<T>`.
pub(crate) fn with_option(t: &str, option: bool) -> String {
    if option {
        format!("Option<{t}>")
    } else {
        t.to_string()
    }
}
