//! The kinds of change the spec diff reports: one enum from which each change's id, the levels
//! it may have and its description all come, so a change cannot carry an id the catalog lacks.

use super::Level;

macro_rules! change_kinds {
    ($($variant:ident = $id:literal, [$($level:ident),+], $description:literal;)+) => {
        /// What kind of change a [`Change`](super::Change) is. Its [`id`](ChangeKind::id) is
        /// stable: scripts and CI filters match on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ChangeKind {
            $(#[doc = $description] $variant,)+
        }

        impl ChangeKind {
            /// Every kind, in catalog order.
            pub const ALL: &'static [ChangeKind] = &[$(ChangeKind::$variant),+];

            /// The stable kebab-case id.
            pub fn id(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $id,)+
                }
            }

            /// The levels a change of this kind can have, the usual one first.
            pub fn levels(self) -> &'static [Level] {
                match self {
                    $(ChangeKind::$variant => &[$(Level::$level),+],)+
                }
            }

            /// What the change means, one line.
            pub fn description(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $description,)+
                }
            }
        }
    };
}

change_kinds! {
    EndpointAdded = "endpoint-added", [Info],
        "a new operation (method + path)";
    EndpointRemoved = "endpoint-removed", [Breaking],
        "an operation is gone; its generated method disappears";
    EndpointMoved = "endpoint-moved", [Warning],
        "an operation only OLD has and one only NEW has share method and operationId: the same endpoint at a new path, compared as one";
    EndpointDeprecated = "endpoint-deprecated", [Warning],
        "an operation became `deprecated: true`";
    OperationIdChanged = "operation-id-changed", [Breaking],
        "operationId changed, added or removed: the generated method is renamed";
    RequiredRequestParameterAdded = "required-request-parameter-added", [Breaking],
        "a new required parameter: a new argument to supply";
    OptionalRequestParameterAdded = "optional-request-parameter-added", [Info],
        "a new optional parameter";
    RequestParameterRemoved = "request-parameter-removed", [Breaking],
        "a parameter is gone from the generated method";
    RequestParameterBecameRequired = "request-parameter-became-required", [Breaking],
        "an optional parameter became required";
    RequestParameterBecameOptional = "request-parameter-became-optional", [Breaking],
        "a required parameter became optional: its Rust type becomes `Option<T>`";
    RequestParameterTypeChanged = "request-parameter-type-changed", [Breaking, Warning],
        "parameter type or format changed: breaking when the Rust type changes, warning when only the format does";
    RequestParameterEnumValueRemoved = "request-parameter-enum-value-removed", [Breaking],
        "a value the client could send is no longer accepted";
    RequestParameterEnumValueAdded = "request-parameter-enum-value-added", [Info],
        "a parameter accepts a new enum value";
    RequestParameterConstraintNarrowed = "request-parameter-constraint-narrowed", [Warning],
        "maxLength down, minimum up, new pattern, … on a parameter";
    RequiredRequestBodyAdded = "required-request-body-added", [Breaking],
        "a required request body was added";
    OptionalRequestBodyAdded = "optional-request-body-added", [Info],
        "an optional request body was added";
    RequestBodyRemoved = "request-body-removed", [Breaking],
        "the request body is gone from the generated method";
    RequestBodyBecameRequired = "request-body-became-required", [Breaking],
        "an optional request body became required";
    RequestBodyBecameOptional = "request-body-became-optional", [Info],
        "a required request body became optional: the generated method is the same (its fields are in the params struct either way; a `rust-*` change says so when it is not)";
    RequestMediaTypeRemoved = "request-media-type-removed", [Breaking],
        "a request media type the client sends is no longer accepted";
    RequiredRequestPropertyAdded = "required-request-property-added", [Breaking],
        "a new required request property: a new field to set";
    OptionalRequestPropertyAdded = "optional-request-property-added", [Info],
        "a new optional request property";
    RequestPropertyRemoved = "request-property-removed", [Breaking],
        "a request property is gone from the generated struct";
    RequestPropertyBecameRequired = "request-property-became-required", [Breaking],
        "an optional request property became required";
    RequestPropertyBecameOptional = "request-property-became-optional", [Breaking, Info],
        "a request property became optional: breaking when its Rust field becomes `Option<T>`";
    RequestPropertyTypeChanged = "request-property-type-changed", [Breaking, Warning],
        "request schema type or format changed: breaking when the Rust type changes, warning when only the format does";
    RequestPropertyEnumValueRemoved = "request-property-enum-value-removed", [Breaking],
        "a request enum value is no longer accepted";
    RequestPropertyEnumValueAdded = "request-property-enum-value-added", [Info],
        "a request enum accepts a new value";
    RequestPropertyBecameNotNullable = "request-property-became-not-nullable", [Breaking],
        "a request property no longer accepts null";
    RequestPropertyBecameNullable = "request-property-became-nullable", [Breaking, Info],
        "a request property accepts null: breaking when its Rust field becomes `Option<T>`";
    RequestPropertyConstraintNarrowed = "request-property-constraint-narrowed", [Warning],
        "maxLength down, minimum up, new pattern, … in a request body";
    SuccessStatusRemoved = "success-status-removed", [Breaking],
        "a 2xx response the client handled is gone";
    SuccessStatusAdded = "success-status-added", [Info],
        "a new 2xx response";
    ResponseMediaTypeRemoved = "response-media-type-removed", [Breaking],
        "a response media type (or the response body) is gone";
    ResponseEnvelopeChanged = "response-envelope-changed", [Breaking],
        "a success body became, or stopped being, a Cloudflare envelope: the generated method returns `result` instead of the whole body, or the reverse";
    ResponsePropertyRemoved = "response-property-removed", [Breaking, Info],
        "a response property is gone from the generated struct (info for envelope members and failure bodies)";
    ResponsePropertyAdded = "response-property-added", [Info],
        "a new response property";
    ResponsePropertyBecameOptional = "response-property-became-optional", [Breaking, Info],
        "a response property may be absent: breaking when its Rust field becomes `Option<T>`";
    ResponsePropertyBecameNullable = "response-property-became-nullable", [Breaking, Info],
        "a response property may be null: breaking when its Rust field becomes `Option<T>`";
    ResponsePropertyBecameRequired = "response-property-became-required", [Breaking, Info],
        "a response property became required: breaking when its Rust field stops being `Option<T>`";
    ResponsePropertyBecameNotNullable = "response-property-became-not-nullable", [Breaking, Info],
        "a response property is never null: breaking when its Rust field stops being `Option<T>`";
    ResponsePropertyTypeChanged = "response-property-type-changed", [Breaking, Warning, Info],
        "response schema type or format changed: breaking when the Rust type changes, warning when only the format does (or when an envelope member the runtime decodes changes shape)";
    ResponseEnumValueAdded = "response-enum-value-added", [Info, Breaking],
        "a response enum has a new value: info, since every generated enum has a catch-all (see `rust_type::enum_has_catch_all`)";
    ResponseEnumValueRemoved = "response-enum-value-removed", [Breaking, Info],
        "a response enum value is gone: breaking for string enums (a Rust variant disappears), info for integer/boolean enums (plain `i64`/`bool`)";
    SecurityRequirementAdded = "security-requirement-added", [Info, Breaking],
        "a new security alternative: info, or breaking when the operation needed no credentials before";
    NestingTooDeep = "nesting-too-deep", [Warning],
        "schemas nest deeper than the generator's limit (see README, Limits); the comparison stops there";
    SecurityRequirementRemoved = "security-requirement-removed", [Breaking, Info],
        "a security alternative clients may be using is gone: breaking, or info when a requirement of NEW asks for part of it (an all-of requirement split into alternatives: relaxed)";
    SecuritySchemeChanged = "security-scheme-changed", [Breaking],
        "a security scheme of the same name sends its credential another way (type, HTTP scheme, API key place or name)";
    RustApiNotCompared = "rust-api-not-compared", [Warning],
        "the generator refuses OLD or NEW, so their Rust APIs were not compared";
    RustResourceAdded = "rust-resource-added", [Info],
        "a new resource accessor (`client.animals()`)";
    RustResourceRemoved = "rust-resource-removed", [Breaking],
        "a resource accessor is gone (a tag renamed or its last operation removed)";
    RustMethodAdded = "rust-method-added", [Info],
        "a new resource method";
    RustMethodRemoved = "rust-method-removed", [Breaking],
        "a resource method is gone";
    RustMethodMoved = "rust-method-moved", [Breaking],
        "the same operation (HTTP method and path) is now another method or under another accessor";
    RustMethodSignatureChanged = "rust-method-signature-changed", [Breaking],
        "a method's arguments or return type changed (a first optional parameter adds `params`)";
    RustTypeAdded = "rust-type-added", [Info],
        "a new type in `models`";
    RustTypeRemoved = "rust-type-removed", [Breaking],
        "a type in `models` is gone";
    RustTypeRenamed = "rust-type-renamed", [Breaking],
        "a type in `models` has a new name and the same definition (a component renamed)";
    RustTypeChanged = "rust-type-changed", [Breaking],
        "a type became another kind of type (struct, enum, alias) or an alias names another type";
    RustFieldAdded = "rust-field-added", [Info, Breaking],
        "a new struct field: info when the struct is `#[non_exhaustive]` (only read from responses) or derives `Default` (literals with `..Default::default()` still build), breaking when not";
    RustFieldRemoved = "rust-field-removed", [Breaking],
        "a struct field is gone";
    RustFieldTypeChanged = "rust-field-type-changed", [Breaking],
        "a struct field's Rust type changed (became `Option`, `Option<Option<T>>`, another type)";
    RustVariantAdded = "rust-variant-added", [Info],
        "a new enum variant: the generated enums are `#[non_exhaustive]`, so no `match` outside the crate is exhaustive";
    RustVariantRemoved = "rust-variant-removed", [Breaking],
        "an enum variant is gone";
    RustVariantChanged = "rust-variant-changed", [Breaking],
        "a one-of enum's variant holds another type";
    RustAuthAdded = "rust-auth-added", [Info],
        "a new way to authenticate: an `Auth` variant and its `ClientBuilder` method";
    RustAuthRemoved = "rust-auth-removed", [Breaking],
        "a way to authenticate is gone with its `Auth` variant and `ClientBuilder` method (a security requirement removed, or requirements merged)";
    RustAuthChanged = "rust-auth-changed", [Breaking],
        "an `Auth` variant's fields or its `ClientBuilder` method's arguments changed";
    RustItemDeprecated = "rust-item-deprecated", [Info],
        "a method, type or field now carries `#[deprecated]`: users' builds warn where they use it, and Cargo's semver rules count that a minor change";
}

impl ChangeKind {
    /// The kind with this id.
    pub fn parse(id: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.iter().copied().find(|k| k.id() == id)
    }
}

/// Ordered by id, so reports sort the same way whatever order the kinds are declared in.
impl Ord for ChangeKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id().cmp(other.id())
    }
}

impl PartialOrd for ChangeKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_parse_back() {
        let mut seen = std::collections::BTreeSet::new();
        for &kind in ChangeKind::ALL {
            let id = kind.id();
            assert!(seen.insert(id), "duplicate id `{id}`");
            assert!(
                !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "`{id}` is not kebab-case"
            );
            assert_eq!(ChangeKind::parse(id), Some(kind));
            let mut levels = kind.levels().to_vec();
            levels.sort();
            levels.dedup();
            assert_eq!(
                levels.len(),
                kind.levels().len(),
                "`{id}` lists a level twice"
            );
            assert!(!kind.description().is_empty());
        }
    }
}
