//! Rust names from spec names: case conversion plus the rules that make any string a legal,
//! stable identifier.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that can be raw identifiers (`r#type`) but read badly; we append `_` instead.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in",
    "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// True for Rust keywords (strict and reserved), which cannot name a crate or an item as they are.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// True for a name of ASCII letters, digits and `_` that does not start with a digit: what an
/// identifier (or an environment variable name) may be as written. Keywords and a lone `_` pass;
/// callers that care refuse them.
pub fn is_ascii_ident(name: &str) -> bool {
    !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// True for a name Windows keeps for a device whatever the extension (`con`, `nul.rs`, `com1`):
/// a module so named would be a file no Windows checkout can hold.
pub fn is_windows_device(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "con" | "prn" | "aux" | "nul")
        || ((lower.starts_with("com") || lower.starts_with("lpt")) && lower.len() == 4 && lower.as_bytes()[3].is_ascii_digit() && lower.as_bytes()[3] != b'0')
}

/// Longest module name; longer ones are shortened (they name files, which file systems cap at
/// 255 bytes, and read badly long before that).
pub const MAX_MODULE_NAME: usize = 48;

/// A module (and file) name of at most [`MAX_MODULE_NAME`] bytes: a long name keeps its first
/// words and gains a short hash of the whole, so it stays readable, stable and distinct.
pub fn cap_module(name: &str) -> String {
    if name.len() <= MAX_MODULE_NAME {
        return name.to_string();
    }
    let hash = hash_hex(name, 3);
    let keep = MAX_MODULE_NAME - hash.len() - 1;
    let mut head = &name[..name.floor_char_boundary(keep)];
    if let Some(i) = head.rfind('_').filter(|i| *i > keep / 2) {
        head = &head[..i];
    }
    format!("{}_{hash}", head.trim_end_matches('_'))
}

/// The longest Rust type name derived from the document, in bytes. Nested types are named
/// after their parents, so a 100 KB schema name made 215 inline enums of 100 KB names each
/// (97 MB of output from a 201 KB document); Microsoft Graph beta's longest is 269 bytes.
pub const MAX_TYPE_NAME: usize = 1024;

/// A type name of at most [`MAX_TYPE_NAME`] bytes: a longer one keeps its start and gains a
/// short hash of the whole, so it stays stable and distinct.
pub fn cap_type(name: &str) -> String {
    if name.len() <= MAX_TYPE_NAME {
        return name.to_string();
    }
    let hash = hash_hex(name, 4).to_ascii_uppercase();
    format!("{}{hash}", &name[..name.floor_char_boundary(MAX_TYPE_NAME - hash.len())])
}

/// The first `bytes` bytes of the SHA-256 of `name`, in lowercase hex.
fn hash_hex(name: &str, bytes: usize) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(name.as_bytes())[..bytes].iter().map(|b| format!("{b:02x}")).collect()
}

/// Reduces a name to ASCII words: other characters become word breaks.
fn ascii_words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// `snake_case` identifier for fields, methods, modules and parameters.
pub fn snake(name: &str) -> String {
    remembered(&SNAKE, name, |name| identifier(ascii_words(name).to_snake_case(), "value", 'n'))
}

/// `UpperCamelCase` identifier for types, enum variants and resource structs.
pub fn camel(name: &str) -> String {
    remembered(&CAMEL, name, |name| identifier(ascii_words(name).to_upper_camel_case(), "Value", 'N'))
}

/// A converted name made an identifier: `empty` for nothing left, `digit` before a leading
/// digit, `_` after a keyword.
fn identifier(mut s: String, empty: &str, digit: char) -> String {
    if s.is_empty() {
        s = empty.to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, digit);
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Names converted on this thread, by conversion, with the bytes they hold. A large document
/// converts the same property and word names many thousand times (Microsoft Graph beta:
/// `createdDateTime` in hundreds of types), and a schema's name each time a `$ref` names it
/// (12,000 properties naming one 10 KB schema name spent 5 s on it); case conversion goes a
/// character at a time.
type Memo = std::cell::RefCell<(std::collections::HashMap<Box<str>, Box<str>, foldhash::fast::RandomState>, usize)>;

thread_local! {
    static SNAKE: Memo = Memo::default();
    static CAMEL: Memo = Memo::default();
}

/// The bytes (names and their conversions) a memo holds before it starts over, which keeps
/// its memory bounded whatever the document holds.
const MEMO_BYTES: usize = 8 << 20;

/// `convert(name)`, remembered in `memo`.
fn remembered(memo: &'static std::thread::LocalKey<Memo>, name: &str, convert: fn(&str) -> String) -> String {
    memo.with(|memo| {
        if let Some(known) = memo.borrow().0.get(name) {
            return known.to_string();
        }
        let made = convert(name);
        let bytes = name.len() + made.len();
        let (names, held) = &mut *memo.borrow_mut();
        if *held + bytes > MEMO_BYTES {
            names.clear();
            *held = 0;
        }
        if bytes <= MEMO_BYTES {
            names.insert(name.into(), made.as_str().into());
            *held += bytes;
        }
        made
    })
}

/// Singular form of a resource segment, for type names (`users` → `user`).
pub fn singular(word: &str) -> String {
    let w = word;
    // Acronyms and words whose plural-looking ending is not a plural.
    if matches!(w, "dns" | "news" | "series" | "species" | "analytics") {
        return w.to_string();
    }
    if let Some(stem) = w.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes"] {
        if let Some(stem) = w.strip_suffix(suffix) {
            return format!("{stem}{}", &suffix[..suffix.len() - 2]);
        }
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_string();
    }
    w.strip_suffix('s').unwrap_or(w).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_device_names() {
        for name in ["con", "CON", "prn", "aux", "nul", "com1", "lpt9"] {
            assert!(is_windows_device(name), "{name}");
        }
        for name in ["cons", "com", "com0", "com10", "lpt", "console", "null"] {
            assert!(!is_windows_device(name), "{name}");
        }
    }

    #[test]
    fn remembered_names_convert_as_before_and_the_memo_stays_bounded() {
        // A second conversion comes from the memo and reads the same.
        assert_eq!(snake("createdDateTime"), "created_date_time");
        assert_eq!(snake("createdDateTime"), "created_date_time");
        assert_eq!(camel("created-date time"), "CreatedDateTime");
        assert_eq!(camel("created-date time"), "CreatedDateTime");
        let long = "a".repeat(10_000);
        assert_eq!(snake(&long), long);
        assert!(SNAKE.with(|m| m.borrow().0.contains_key(long.as_str())));
        // More than the memo holds: it starts over instead of growing.
        let name = "n".repeat(1 << 19);
        for i in 0..17 {
            snake(&format!("{name}{i}"));
            assert!(SNAKE.with(|m| m.borrow().1) <= MEMO_BYTES);
        }
        assert_eq!(snake("name7"), "name7");
    }

    #[test]
    fn identifiers() {
        assert_eq!(snake("devicePosture"), "device_posture");
        assert_eq!(snake("isActive"), "is_active");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa-code"), "n2fa_code");
        assert_eq!(snake("héllo wörld"), "h_llo_w_rld");
        assert_eq!(camel("access_users-2"), "AccessUsers2");
        assert_eq!(camel("Self"), "Self_");
        assert_eq!(camel("3d"), "N3d");
        assert_eq!(camel(""), "Value");
    }

    #[test]
    fn long_module_names() {
        let long = "very_long_tag_".repeat(20);
        let capped = cap_module(&long);
        assert!(capped.len() <= MAX_MODULE_NAME, "{capped}");
        assert!(capped.starts_with("very_long_tag_very_long_tag"));
        assert_eq!(capped, cap_module(&long));
        assert_ne!(capped, cap_module(&format!("{long}x")));
        assert_eq!(cap_module("users"), "users");
    }

    #[test]
    fn long_type_names_keep_their_start_and_a_hash() {
        let long = "VeryLongSchemaName".repeat(100);
        let capped = cap_type(&long);
        assert_eq!(capped.len(), MAX_TYPE_NAME);
        assert!(capped.starts_with("VeryLongSchemaNameVeryLong"));
        assert_eq!(capped, cap_type(&long));
        assert_ne!(capped, cap_type(&format!("{long}X")));
        assert_eq!(cap_type("User"), "User");
        assert!(cap_type(&"É".repeat(600)).len() <= MAX_TYPE_NAME);
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("users"), "user");
        assert_eq!(singular("active_sessions"), "active_session");
        assert_eq!(singular("failed_logins"), "failed_login");
        assert_eq!(singular("last_seen_identity"), "last_seen_identity");
        assert_eq!(singular("policies"), "policy");
        assert_eq!(singular("access"), "access");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("boxes"), "box");
        assert_eq!(singular("dns"), "dns");
    }
}
