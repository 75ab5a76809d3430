//! The Rust types the generator emits, as far as the diff needs them.
//!
//! The diff calls a change `breaking` when it changes the Rust type of a generated field,
//! argument or enum. This module is the one place that knows the mapping, so it can be swapped
//! for the generator's own:
//!
//! | schema | Rust |
//! | --- | --- |
//! | `string` (any `format`) | `String` |
//! | `string` (or no `type`) with an `enum` of strings | a generated enum with a catch-all variant (`Other(String)`) |
//! | `integer` | `i64` (`format: int32` → `i32`) |
//! | `number` | `f64` (`format: float` → `f32`) |
//! | `boolean` | `bool` |
//! | `integer`/`number`/`boolean` with `enum` | the plain type (`i64`, `f64`, `bool`) |
//! | `array` | `Vec<T>` |
//! | `object` with `properties` (or untyped with `properties`) | a generated struct |
//! | `object` with only an `additionalProperties` schema (not `{}`/`true`) | `BTreeMap<String, T>` |
//! | `object` without either, or no `type` at all | `serde_json::Value` |
//! | `allOf` of several schemas | a generated struct of their properties |
//! | `oneOf` / `anyOf` | a generated untagged enum |
//! | not in `required`, or `nullable` | `Option<T>` |

use serde_json::Value;

use super::resolve::{Additional, Norm, Resolver};

/// The outermost Rust type constructor of a schema (without `Option`). Two schemas whose heads
/// differ generate different Rust types; the diff compares heads and then descends into
/// items, values and properties, so each change is reported once, where it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustHead {
    String,
    I32,
    I64,
    F32,
    F64,
    Bool,
    Json,
    Vec,
    Map,
    Struct,
    Enum,
    Union,
}

/// The mapping from a resolved schema to its Rust type head. See the module documentation.
pub(crate) fn rust_head(n: &Norm<'_>) -> RustHead {
    if !n.alternatives.is_empty() {
        return RustHead::Union;
    }
    // As the generator does: an enum of strings (nulls aside) on a string or untyped schema.
    let string_enum = n.enum_values.is_some_and(|v| {
        v.iter().any(Value::is_string) && v.iter().filter(|x| !x.is_null()).all(Value::is_string)
    });
    match n.ty {
        Some("string") | None if string_enum => RustHead::Enum,
        Some("string") => RustHead::String,
        Some("integer") if n.format == Some("int32") => RustHead::I32,
        Some("integer") => RustHead::I64,
        Some("number") if n.format == Some("float") => RustHead::F32,
        Some("number") => RustHead::F64,
        Some("boolean") => RustHead::Bool,
        Some("array") => RustHead::Vec,
        Some("object") | None => {
            if !n.properties.is_empty() {
                RustHead::Struct
            } else if matches!(n.additional, Additional::Schema(_)) {
                RustHead::Map
            } else if n.ty.is_none() && n.items.is_some() {
                RustHead::Vec
            } else {
                RustHead::Json
            }
        }
        Some(_) => RustHead::Json,
    }
}

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
    let inner = |res: &mut Resolver<'_>, child: Option<&super::resolve::Child>| -> String {
        match child {
            Some(c) if depth < 6 => {
                let c = res.node(c);
                text(res, &c, depth + 1)
            }
            Some(_) => "…".to_string(),
            None => "serde_json::Value".to_string(),
        }
    };
    match rust_head(n) {
        RustHead::String => "String".into(),
        RustHead::I32 => "i32".into(),
        RustHead::I64 => "i64".into(),
        RustHead::F32 => "f32".into(),
        RustHead::F64 => "f64".into(),
        RustHead::Bool => "bool".into(),
        RustHead::Json => "serde_json::Value".into(),
        RustHead::Vec => format!("Vec<{}>", inner(res, n.items.as_ref())),
        RustHead::Map => {
            let v = match &n.additional {
                Additional::Schema(c) => inner(res, Some(c)),
                _ => "serde_json::Value".into(),
            };
            format!("BTreeMap<String, {v}>")
        }
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
    let rest = n.pointer.strip_prefix("/components/schemas/")?;
    if rest.contains('/') {
        return None;
    }
    Some(heck::ToUpperCamelCase::to_upper_camel_case(
        crate::locate::unescape_token(rest).as_str(),
    ))
}

/// `T` or `Option<T>`.
pub(crate) fn with_option(t: &str, option: bool) -> String {
    if option {
        format!("Option<{t}>")
    } else {
        t.to_string()
    }
}
