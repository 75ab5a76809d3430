//! A large API as a cargo workspace (`crate.split_crates`): which member crate compiles each
//! model, so that no one rustc holds the whole API and cargo compiles the members in parallel.
//!
//! The facade crate keeps the crate's name, runtime, resources and every public path; its
//! `models` module re-exports the members' types. Top-level resources are taken in module
//! order into groups of at least `split_group_types` types of their own, one member crate per
//! group. A type that only one group's operations reach is compiled in that group's crate; a
//! type several groups reach (or none) in the shared crate, which every group depends on. So
//! no group crate names another: everything a group type mentions is reached by the same
//! operations, hence lives in the group or in the shared crate, and the crate graph has no
//! cycle to break. Types that need the runtime (an error-body enum, which implements its
//! `ErrorBody`; an upload, multipart or mapped-format field), and the types that mention them,
//! stay in the facade.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::emit::{models_selected, refs_of, Gates, Plan};
use crate::ir::{Api, Ty, TypeDef, TypeKind};
use crate::render::DEPENDENCIES;

/// Where a model is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Facade,
    Shared,
    Group(usize),
}

/// One member crate: its package name (also its folder under `crates/`) and its library name.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub package: String,
    pub lib: String,
}

impl Member {
    fn new(package: String) -> Self {
        let lib = package.replace('-', "_");
        Member { package, lib }
    }

    /// The folder of the member, relative to `--out`.
    pub fn dir(&self) -> String {
        format!("crates/{}", self.package)
    }
}

/// A group of top-level resources compiled in one member crate.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub member: Member,
    /// The facade's features (one per top-level resource) whose models this crate holds.
    pub features: Vec<String>,
}

/// The workspace's member crates and where each model goes.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub shared: Member,
    pub groups: Vec<Group>,
    /// Feature → the index of its group, so that looking one up does not scan the groups.
    group_index: BTreeMap<String, usize>,
    /// The types of the facade, the shared crate and each group, in name order: each crate's
    /// file takes its own list rather than filtering every type of the API.
    facade_types: Vec<String>,
    shared_types: Vec<String>,
    group_types: Vec<Vec<String>>,
}

impl Layout {
    /// The group a facade feature's models are in.
    pub fn group_of_feature(&self, feature: &str) -> Option<&Group> {
        self.group_index.get(feature).map(|&i| &self.groups[i])
    }

    /// The shared crate's gates: a type only some groups reach is compiled with their
    /// features (each named after the group's library).
    pub fn shared_gates(&self, plan: &Plan) -> Gates {
        let mut gates = BTreeMap::new();
        for name in &self.shared_types {
            let Some(features) = plan.gate_features(name) else { continue };
            let groups: BTreeSet<&str> = features
                .iter()
                .filter_map(|f| self.group_of_feature(f))
                .map(|g| g.member.lib.as_str())
                .collect();
            if groups.len() < self.groups.len() {
                gates.insert(name.clone(), groups.into_iter().map(str::to_string).collect());
            }
        }
        gates
    }

    /// The facade's `cfg` for re-exporting a group: any of its features.
    pub fn group_features(&self, group: usize) -> &[String] {
        &self.groups[group].features
    }
}

/// True when a type use needs the runtime or a format crate: an upload, a multipart body, a
/// mapped format.
fn runtime_ty(ty: &Ty) -> bool {
    match ty {
        Ty::Upload | Ty::Multipart | Ty::Mapped(_) => true,
        Ty::Vec(i) | Ty::Map(i) | Ty::Option(i) => runtime_ty(i),
        _ => false,
    }
}

/// True when a type's definition needs the facade: an error-body enum (it implements the
/// runtime's `ErrorBody`), or a field or variant of a runtime type.
fn needs_facade(t: &TypeDef) -> bool {
    match &t.kind {
        TypeKind::ErrorBody(_) => true,
        TypeKind::Struct(s) => s.fields.iter().any(|f| runtime_ty(&f.ty)) || s.extra.as_ref().is_some_and(runtime_ty),
        TypeKind::Union(u) => u.variants.iter().any(|v| runtime_ty(&v.ty)),
        TypeKind::Alias(ty) => runtime_ty(ty),
        TypeKind::Enum { .. } => false,
    }
}

/// Types that stay in the facade: those needing it, and every type that mentions one.
fn facade_types(api: &Api) -> BTreeSet<&str> {
    let mut mentioned_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in api.types.values() {
        for n in refs_of(t) {
            mentioned_by.entry(n).or_default().push(&t.name);
        }
    }
    let mut out = BTreeSet::new();
    let mut stack: Vec<&str> = api.types.values().filter(|t| needs_facade(t)).map(|t| t.name.as_str()).collect();
    while let Some(n) = stack.pop() {
        if out.insert(n) {
            stack.extend(mentioned_by.get(n).into_iter().flatten().copied());
        }
    }
    out
}

/// Cargo's longest package name that crates.io accepts.
const MAX_PACKAGE_NAME: usize = 64;

/// A member's package name: the crate's name, `-`, and `part` reduced to lowercase ASCII
/// letters, digits and single dashes (a resource name may hold anything the document wrote),
/// cut to [`MAX_PACKAGE_NAME`] and made unique among `taken`.
fn member_name(base: &str, part: &str, taken: &mut BTreeSet<String>) -> String {
    let mut cleaned = String::new();
    for c in part.chars() {
        if c.is_ascii_alphanumeric() {
            cleaned.push(c.to_ascii_lowercase());
        } else if !cleaned.ends_with('-') {
            cleaned.push('-');
        }
    }
    let cleaned = cleaned.trim_matches('-');
    let cleaned = if cleaned.is_empty() { "part" } else { cleaned };
    let fit = |text: &str, room: usize| -> String {
        let mut name = format!("{base}-{text}");
        name.truncate(room.max(base.len() + 2));
        name.trim_end_matches('-').to_string()
    };
    let mut name = fit(cleaned, MAX_PACKAGE_NAME);
    let mut n = 2;
    while taken.contains(&name) {
        let suffix = format!("-{n}");
        name = format!("{}{suffix}", fit(cleaned, MAX_PACKAGE_NAME.saturating_sub(suffix.len())));
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// The workspace for `api`, or `None` when the API has fewer than two top-level resources
/// (nothing to split: the crate is written whole).
pub(crate) fn layout(api: &Api, plan: &Plan, min_types: usize) -> Option<Layout> {
    if plan.features.len() < 2 {
        return None;
    }
    let facade = facade_types(api);
    // The types only one feature reaches, per feature.
    let mut own: BTreeMap<&str, usize> = BTreeMap::new();
    for name in api.types.keys().filter(|n| !facade.contains(n.as_str())) {
        if let Some([f]) = plan.gate_features(name) {
            *own.entry(f.as_str()).or_default() += 1;
        }
    }
    let mut chunks: Vec<Vec<String>> = Vec::new();
    let mut count = usize::MAX;
    for f in &plan.features {
        if count >= min_types {
            chunks.push(Vec::new());
            count = 0;
        }
        count += own.get(f.as_str()).copied().unwrap_or(0);
        if let Some(chunk) = chunks.last_mut() {
            chunk.push(f.clone());
        }
    }
    let base = &api.meta.crate_name;
    // Not the crate's name, nor a dependency's (cargo reads `-` and `_` alike in names).
    let mut taken: BTreeSet<String> = DEPENDENCIES.iter().map(|d| d.replace('_', "-")).collect();
    taken.insert(base.clone());
    let shared = Member::new(member_name(base, "shared", &mut taken));
    let groups: Vec<Group> = chunks
        .into_iter()
        .map(|features| {
            let part = match features.as_slice() {
                [one] => one.clone(),
                [first, rest @ ..] => format!("{first}-and-{}-more", rest.len()),
                [] => "part".to_string(),
            };
            Group { member: Member::new(member_name(base, &part, &mut taken)), features }
        })
        .collect();
    let group_index: BTreeMap<String, usize> =
        groups.iter().enumerate().flat_map(|(i, g)| g.features.iter().map(move |f| (f.clone(), i))).collect();
    let place: BTreeMap<String, Place> = api
        .types
        .keys()
        .map(|name| {
            let place = if facade.contains(name.as_str()) {
                Place::Facade
            } else {
                let within: BTreeSet<usize> = plan
                    .gate_features(name)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|f| group_index.get(f).copied())
                    .collect();
                match within.iter().collect::<Vec<_>>().as_slice() {
                    [one] => Place::Group(**one),
                    _ => Place::Shared,
                }
            };
            (name.clone(), place)
        })
        .collect();
    let (mut facade_types, mut shared_types, mut group_types) = (Vec::new(), Vec::new(), vec![Vec::new(); groups.len()]);
    for (name, place) in &place {
        match place {
            Place::Facade => facade_types.push(name.clone()),
            Place::Shared => shared_types.push(name.clone()),
            Place::Group(i) => group_types[*i].push(name.clone()),
        }
    }
    Some(Layout { shared, groups, group_index, facade_types, shared_types, group_types })
}

/// The definitions of `names` (types of the API), in the same order.
fn types_of<'a>(api: &'a Api, names: &[String]) -> Vec<&'a TypeDef> {
    names.iter().filter_map(|n| api.types.get(n)).collect()
}

/// The lint allows every crate of the workspace starts with (as the facade's `lib.rs` does).
fn lint_allows() -> TokenStream {
    quote! {
        #![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]
        #![allow(clippy::too_many_arguments, clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
    }
}

/// The facade's `src/models.rs`: the members' types re-exported (each group's under any of
/// its features), then the types that stay in the facade.
pub(crate) fn facade_models(api: &Api, plan: &Plan, layout: &Layout, allow: &TokenStream) -> TokenStream {
    let shared = Ident::new(&layout.shared.lib, Span::call_site());
    let groups = layout.groups.iter().enumerate().map(|(i, g)| {
        let lib = Ident::new(&g.member.lib, Span::call_site());
        let gate = match layout.group_features(i) {
            [one] => quote!(#[cfg(feature = #one)]),
            many => quote!(#[cfg(any(#(feature = #many),*))]),
        };
        quote!(#gate pub use #lib::*;)
    });
    let inner = quote! {
        //! Types from the API's schemas and the parameters of its operations, compiled in the
        //! workspace's member crates and re-exported here.
    };
    let head = quote! {
        pub use #shared::*;
        #(#groups)*
    };
    models_selected(api, plan, plan.gates(), &types_of(api, &layout.facade_types), allow, inner, head)
}

/// A member crate's `src/lib.rs`: the shared crate (`group` `None`, with the `string_enum!`
/// macro every member's string enums expand and the `object!` macro and `de.rs` their structs
/// read through) or one group's crate. `de.rs` is the public module `__de` there: the facade's
/// `models` re-exports the shared crate with a glob, and a `de` module in it would be
/// ambiguous beside `serde::de` for a user who imports both with globs.
pub(crate) fn member_lib(api: &Api, plan: &Plan, layout: &Layout, group: Option<usize>, allow: &TokenStream) -> TokenStream {
    let allows = lint_allows();
    match group {
        None => {
            let doc = format!(
                " Models of `{}` that several of its parts use; re-exported by its `models` module.",
                api.meta.lib_name
            );
            let gates = layout.shared_gates(plan);
            let inner = quote!(#![doc = #doc] #allows);
            let head = quote!(mod string_enum; #[doc(hidden)] #[path = "de.rs"] pub mod __de;);
            models_selected(api, plan, &gates, &types_of(api, &layout.shared_types), allow, inner, head)
        }
        Some(i) => {
            let g = &layout.groups[i];
            let doc = format!(
                " Models of `{}` for {}; re-exported by its `models` module.",
                api.meta.lib_name,
                g.features.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            );
            let shared = Ident::new(&layout.shared.lib, Span::call_site());
            let inner = quote!(#![doc = #doc] #allows);
            let head = quote!(#[allow(unused_imports)] use #shared::*;);
            models_selected(api, plan, &Gates::new(), &types_of(api, &layout.group_types[i]), allow, inner, head)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_are_valid_and_unique() {
        let mut taken = BTreeSet::from(["api".to_string()]);
        assert_eq!(member_name("api", "zero_trust", &mut taken), "api-zero-trust");
        assert_eq!(member_name("api", "../../etc/\"x\" = 1\n[y]", &mut taken), "api-etc-x-1-y");
        assert_eq!(member_name("api", "Zero-Trust", &mut taken), "api-zero-trust-2");
        assert_eq!(member_name("api", "ünï", &mut taken), "api-n");
        assert_eq!(member_name("api", "---", &mut taken), "api-part");
        let long = member_name("api", &"word_".repeat(40), &mut taken);
        assert!(long.len() <= MAX_PACKAGE_NAME, "{long}");
        let again = member_name("api", &"word_".repeat(40), &mut taken);
        assert!(again.len() <= MAX_PACKAGE_NAME && again != long, "{again}");
        assert_eq!(member_name("futures", "core", &mut BTreeSet::from(["futures-core".to_string()])), "futures-core-2");
        for name in &taken {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{name}");
            assert!(!name.ends_with('-') && !name.contains("--"), "{name}");
        }
    }
}
