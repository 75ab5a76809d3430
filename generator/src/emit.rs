//! IR → Rust source: `quote!` tokens per file, formatted by prettyplease.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::escape;
use crate::limits::{GATE_FEATURES_PER_TYPE, MAX_REACH_BITS, MIN_GATE_FEATURES};
use crate::ir::*;
use crate::spec::Segment;

pub mod auth;
mod body;
pub mod contract;
pub mod servers;

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Turns spec prose into `#[doc]` attributes that rustdoc renders and never compiles (see
/// [`escape::doc_prose`]).
pub fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else {
        return TokenStream::new();
    };
    doc_lines(&escape::doc_prose(text))
}

/// Doc attributes of lines already escaped, each ` text` (or empty): set aside for the
/// formatter as one block when it takes them ([`crate::format::set_aside`]).
fn doc_lines(lines: &[String]) -> TokenStream {
    if let Some(marker) = crate::format::set_aside(lines) {
        return quote! { #[doc = #marker] };
    }
    quote! { #( #[doc = #lines] )* }
}

/// The token form of a type use, from a module that is not `models`.
pub fn ty_tokens(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::Mapped(m) => mapped_tokens(*m),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F32 => quote!(f32),
        Ty::F64 => quote!(f64),
        Ty::Json => quote!(serde_json::Value),
        Ty::Named(n) => {
            let n = ident(n);
            quote!(crate::models::#n)
        }
        Ty::Vec(inner) => {
            let inner = ty_tokens(inner);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = ty_tokens(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Ty::Option(inner) => {
            let inner = ty_tokens(inner);
            quote!(Option<#inner>)
        }
        Ty::Upload => quote!(crate::Upload),
        Ty::Multipart => quote!(crate::Multipart),
        Ty::Unit => quote!(()),
    }
}

/// `#[deprecated]`, with the API's note (`x-stainless-deprecation-message`) or `fallback`.
/// The note is document text: one escaped string literal, cut to `MAX_NOTE_CHARS`, so no quote,
/// line break or bidi character in it can end the literal, add an item or reorder the source.
fn deprecated_attr(note: Option<&str>, fallback: Option<&str>) -> TokenStream {
    const MAX_NOTE_CHARS: usize = 500;
    let note = note.map(|n| {
        let n = n.trim();
        match n.char_indices().nth(MAX_NOTE_CHARS) {
            Some((at, _)) => format!("{}…", &n[..at]),
            None => n.to_string(),
        }
    });
    match note.as_deref().or(fallback) {
        Some(text) => {
            let literal: TokenStream = escape::rust_str(text).parse().unwrap_or_else(|_| quote!("deprecated in the API"));
            quote!(#[deprecated(note = #literal)])
        }
        None => quote!(#[deprecated]),
    }
}

/// A library type, written from the extern prelude (`::time::…`) so a module of the crate
/// named like the library cannot shadow it.
fn mapped_tokens(m: crate::config::FormatType) -> TokenStream {
    let segments = m.rust_path().split("::").map(ident);
    quote!(#(::#segments)*)
}

/// True for the type a path, query or header parameter writes through the runtime's
/// `Rfc3339Text`: `time::OffsetDateTime`, whose own `Display` is not RFC 3339 (`time::Date`'s
/// is the full-date).
fn time_text(m: crate::config::FormatType) -> bool {
    m == crate::config::FormatType::TimeDateTime
}

/// `#[serde(with = …)]` for a field or variant holding `time` values (see `Ty::needs_time_helper`).
/// The path is relative to `models`, a child of the crate's (or module's) root, so it needs no
/// rebasing when the crate is generated as a module.
fn time_serde_attr(ty: &Ty) -> Option<TokenStream> {
    ty.needs_time_helper().then(|| quote!(with = "super::time_serde"))
}

/// The same, from inside `models` (named types unqualified).
fn model_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::Named(n) => {
            let n = ident(n);
            quote!(#n)
        }
        Ty::Vec(inner) => {
            let inner = model_ty(inner);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = model_ty(inner);
            quote!(BTreeMap<String, #inner>)
        }
        Ty::Option(inner) => {
            let inner = model_ty(inner);
            quote!(Option<#inner>)
        }
        other => ty_tokens(other),
    }
}

/// What the emitted code needs beyond the IR: the cargo features a large API is split into,
/// which types each feature needs, and which serde directions each type is used in.
///
/// An API with one top-level resource (or none) is not split: no features, and every model
/// derives both `Serialize` and `Deserialize`. An API with several gets one feature per
/// top-level resource; then each model is compiled only with the features whose operations
/// reach it, and derives only the serde traits its uses need.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Feature names, one per top-level resource, in module order; empty when not split.
    pub features: Vec<String>,
    /// Top-level module name → its feature.
    module_features: BTreeMap<String, String>,
    /// Type → the features that need it; a type not listed is always compiled.
    gates: BTreeMap<String, Vec<String>>,
    /// Types sent in requests (need `Serialize`); only consulted when split.
    ser: BTreeSet<String>,
    /// Types read from responses (need `Deserialize`); only consulted when split.
    de: BTreeSet<String>,
    /// Structs only read from responses: no operation sends them and no extra schema mentions
    /// them, so users never build one and they are `#[non_exhaustive]`.
    response_only: BTreeSet<String>,
    /// Types only some features need that are compiled under every feature all the same,
    /// because their gates would have listed too many features in all.
    pub ungated: usize,
}

impl Plan {
    /// True when the type is `#[non_exhaustive]`: every enum (a variant added later then breaks
    /// no `match`; users still build any variant) and every struct only read from responses (a
    /// field added later breaks nothing, as no code outside the crate builds one). Structs users
    /// build (parameters, bodies, what they mention) are not: `..Default::default()` is refused
    /// on a `#[non_exhaustive]` struct outside its crate.
    pub(crate) fn non_exhaustive(&self, t: &TypeDef) -> bool {
        match &t.kind {
            TypeKind::Enum { .. } | TypeKind::Union(_) | TypeKind::ErrorBody(_) => true,
            TypeKind::Struct(s) => s.usage == Usage::Model && self.response_only.contains(&t.name),
            TypeKind::Alias(_) => false,
        }
    }

    fn split(&self) -> bool {
        !self.features.is_empty()
    }

    /// The features that need a type, when only some do (`None`: every feature, or none).
    pub(crate) fn gate_features(&self, name: &str) -> Option<&[String]> {
        self.gates.get(name).map(Vec::as_slice)
    }

    fn needs_ser(&self, name: &str) -> bool {
        !self.split() || self.ser.contains(name)
    }

    fn needs_de(&self, name: &str) -> bool {
        !self.split() || self.de.contains(name)
    }

    /// The crate's own type gates, for [`models_selected`].
    pub(crate) fn gates(&self) -> &Gates {
        &self.gates
    }

    /// The cargo feature of a top-level resource module, when the crate is split.
    pub(crate) fn feature_of(&self, module: &str) -> Option<&str> {
        self.module_features.get(module).map(String::as_str)
    }

    /// `#[cfg(feature = "...")]` for a top-level resource module and its accessor.
    fn module_gate(&self, module: &str) -> TokenStream {
        match self.module_features.get(module) {
            Some(f) => quote!(#[cfg(feature = #f)]),
            None => TokenStream::new(),
        }
    }
}

/// Type → the features that need it. A split workspace's member crate gates its types by its
/// own features (or not at all) with the rest of the [`Plan`] unchanged, so the gates are
/// passed beside the plan rather than copied into a plan per member.
pub(crate) type Gates = BTreeMap<String, Vec<String>>;

/// `#[cfg(...)]` for a type, when only some features need it.
fn type_gate(gates: &Gates, name: &str) -> TokenStream {
    match gates.get(name) {
        Some(features) => cfg_any(features),
        None => TokenStream::new(),
    }
}

fn cfg_any(features: &[String]) -> TokenStream {
    match features {
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// The feature name for a top-level module: the module name, except that cargo reserves
/// `default` (and a module cannot be named like a feature cargo adds for `dep:` syntax).
fn feature_name(module: &str) -> String {
    if module == "default" {
        "default_".to_string()
    } else {
        module.to_string()
    }
}

/// Named types a type use mentions.
fn named_in<'a>(ty: &'a Ty, out: &mut Vec<&'a str>) {
    match ty {
        Ty::Named(n) => out.push(n),
        Ty::Vec(i) | Ty::Map(i) | Ty::Option(i) => named_in(i, out),
        _ => {}
    }
}

/// Named types a type's definition mentions directly.
pub(crate) fn refs_of(t: &TypeDef) -> Vec<&str> {
    let mut out = Vec::new();
    match &t.kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                named_in(&f.ty, &mut out);
            }
            if let Some(e) = &s.extra {
                named_in(e, &mut out);
            }
        }
        TypeKind::Union(u) => {
            for v in &u.variants {
                named_in(&v.ty, &mut out);
            }
        }
        TypeKind::Alias(ty) => named_in(ty, &mut out),
        TypeKind::ErrorBody(variants) => {
            for v in variants {
                named_in(&v.ty, &mut out);
            }
        }
        TypeKind::Enum { .. } => {}
    }
    out
}

/// The types as numbers (their place in `types`) and the references between them, made once
/// for the plan's walks: walks over ordered sets of names spent most of their time comparing
/// names.
struct Graph<'a> {
    names: Vec<&'a str>,
    index: std::collections::HashMap<&'a str, usize, foldhash::fast::RandomState>,
    edges: Vec<Vec<usize>>,
}

impl<'a> Graph<'a> {
    fn new(types: &'a BTreeMap<String, TypeDef>) -> Graph<'a> {
        let names: Vec<&str> = types.keys().map(String::as_str).collect();
        let index: std::collections::HashMap<&str, usize, foldhash::fast::RandomState> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let edges = types.values().map(|t| refs_of(t).into_iter().filter_map(|n| index.get(n).copied()).collect()).collect();
        Graph { names, index, edges }
    }

    /// The numbers of the names that are types.
    fn ids(&self, names: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        names.into_iter().filter_map(|n| self.index.get(n).copied()).collect()
    }

    /// Every type reachable from `roots` (roots included), following type definitions.
    fn closure(&self, roots: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let mut seen = vec![false; self.names.len()];
        let mut stack: Vec<usize> = roots.into_iter().collect();
        while let Some(t) = stack.pop() {
            if !std::mem::replace(&mut seen[t], true) {
                stack.extend(&self.edges[t]);
            }
        }
        seen
    }

    /// The names whose place in `set` is true.
    fn names_in(&self, set: &[bool]) -> BTreeSet<String> {
        places(set, true).map(|t| self.names[t].to_string()).collect()
    }
}

/// The places in `set` that are `on`.
fn places(set: &[bool], on: bool) -> impl Iterator<Item = usize> + '_ {
    set.iter().enumerate().filter(move |(_, &s)| s == on).map(|(t, _)| t)
}

/// Request roots (params structs and the types of their fields) and response roots (the
/// result or body type, and the page item) of every operation under `node`.
fn op_roots<'a>(types: &'a BTreeMap<String, TypeDef>, node: &'a Resource, req: &mut Vec<&'a str>, resp: &mut Vec<&'a str>) {
    for op in node.operations.values() {
        if let Some(p) = &op.params {
            req.push(p);
            if let Some(TypeKind::Struct(s)) = types.get(p).map(|t| &t.kind) {
                for f in &s.fields {
                    named_in(&f.ty, req);
                }
            }
        }
        match &op.response {
            Response::Envelope(ty) | Response::Body(ty) | Response::Stream { item: ty, .. } | Response::Events(ty) => {
                named_in(ty, resp)
            }
            Response::Bytes | Response::Text | Response::Empty => {}
        }
        if let Some(p) = &op.pagination {
            named_in(&p.item, resp);
        }
        if let Some(e) = &op.error {
            named_in(e, resp);
        }
    }
    for c in node.children.values() {
        op_roots(types, c, req, resp);
    }
}

/// Works out features, gates and serde directions for an API.
pub fn plan(api: &Api) -> Plan {
    let types = &api.types;
    let graph = Graph::new(types);
    let (req, resp) = roots_of(types, &api.root);
    let response_only = response_only(&graph, &req, &resp);
    if api.root.children.len() < 2 {
        return Plan { response_only, ..Plan::default() };
    }
    let mut plan = Plan { response_only, ..Plan::default() };
    // Each top-level module's roots; the types each one reaches are found for all modules at
    // once (`reached_from`), which stays linear in the types where one closure per module grew
    // with modules × types.
    let mut roots = Vec::with_capacity(api.root.children.len());
    let (mut req_all, mut resp_all) = (Vec::new(), Vec::new());
    for (module, node) in &api.root.children {
        let feature = feature_name(module);
        let (req, resp) = roots_of(types, node);
        roots.push(graph.ids(req.iter().chain(&resp).copied()));
        req_all.extend(graph.ids(req));
        resp_all.extend(graph.ids(resp));
        plan.module_features.insert(module.clone(), feature.clone());
        plan.features.push(feature);
    }
    // Without the table of which features reach which types (too large to hold), no type is
    // gated: every type is compiled whatever the features, as when the API has one module.
    let Some(users) = reached_from(&graph.edges, &roots) else {
        let every = vec![true; types.len()];
        plan.ser = graph.names_in(&every);
        plan.de = graph.names_in(&every);
        plan.ungated = types.len();
        return plan;
    };
    // Types no operation reaches (extra schemas) keep both derives and are always compiled,
    // and so is everything they mention.
    let always = graph.closure((0..types.len()).filter(|&t| users.count(t) == 0));
    plan.ser = graph.names_in(&graph.closure(req_all.into_iter().chain(places(&always, true))));
    plan.de = graph.names_in(&graph.closure(resp_all.into_iter().chain(places(&always, true))));
    let all = plan.features.len();
    let sizes: Vec<usize> = (0..types.len())
        .map(|t| match users.count(t) {
            n if n < all && !always[t] => n,
            _ => 0,
        })
        .collect();
    let longest = longest_gate(&sizes, MIN_GATE_FEATURES.max(GATE_FEATURES_PER_TYPE.saturating_mul(types.len())));
    for (t, name) in types.keys().enumerate() {
        match sizes[t] {
            0 => {}
            n if n <= longest => {
                plan.gates.insert(name.clone(), users.members(t).map(|f| plan.features[f].clone()).collect());
            }
            _ => plan.ungated += 1,
        }
    }
    plan
}

/// The most features a type's gate may list so that all the gates together list at most
/// `budget`: gates are kept shortest first, a whole length at a time, and the types whose
/// gates would be longer are compiled whatever the features.
///
/// Cutting by length keeps the gates consistent: a type reached by some features is reached
/// by every feature that reaches a type mentioning it, so a type that loses its gate only
/// mentions types that lose theirs too (or had none), and no gated type is left out of a
/// build that needs it.
fn longest_gate(sizes: &[usize], budget: usize) -> usize {
    let mut gated: Vec<usize> = sizes.iter().copied().filter(|&n| n > 0).collect();
    gated.sort_unstable();
    let mut listed = 0usize;
    let mut i = 0;
    while i < gated.len() {
        let n = gated[i];
        let same = gated[i..].iter().take_while(|&&m| m == n).count();
        listed = listed.saturating_add(n.saturating_mul(same));
        if listed > budget {
            return n - 1;
        }
        i += same;
    }
    usize::MAX
}

/// A plan that only knows which structs are read from responses alone, which is all
/// [`Plan::non_exhaustive`] asks (the API surface reads nothing else of it).
pub(crate) fn exhaustiveness(api: &Api) -> Plan {
    let (req, resp) = roots_of(&api.types, &api.root);
    Plan { response_only: response_only(&Graph::new(&api.types), &req, &resp), ..Plan::default() }
}

/// The request and response roots of every operation under `node`.
fn roots_of<'a>(types: &'a BTreeMap<String, TypeDef>, node: &'a Resource) -> (Vec<&'a str>, Vec<&'a str>) {
    let (mut req, mut resp) = (Vec::new(), Vec::new());
    op_roots(types, node, &mut req, &mut resp);
    (req, resp)
}

/// Structs only read from responses: reached from a response, and neither from a request nor
/// from a type no operation reaches.
fn response_only(graph: &Graph<'_>, req: &[&str], resp: &[&str]) -> BTreeSet<String> {
    let (req, resp) = (graph.ids(req.iter().copied()), graph.ids(resp.iter().copied()));
    let reached = graph.closure(req.iter().chain(&resp).copied());
    let built = graph.closure(req.iter().copied().chain(places(&reached, false)));
    let from_responses = graph.closure(resp);
    graph.names_in(&from_responses.iter().zip(&built).map(|(&r, &b)| r && !b).collect::<Vec<_>>())
}

/// For every node of the graph `edges`, the seed sets from which it can be reached (a seed
/// reaches itself): the same answer as one closure per seed set, in time linear in the nodes
/// and edges times the seed sets / 64. The graph is cut into strongly connected components
/// (every node of a cycle is reached by the same sets), visited so that a component comes after
/// every component that refers to it; each passes its sets on along its edges as a bit set.
/// `None` when the table would hold more than [`MAX_REACH_BITS`] bits: nodes × sets grows with
/// the product of a document's types and its modules.
fn reached_from(edges: &[Vec<usize>], seeds: &[Vec<usize>]) -> Option<Reach> {
    let n = edges.len();
    let words = seeds.len().div_ceil(64);
    if n.saturating_mul(words).saturating_mul(64) > MAX_REACH_BITS {
        return None;
    }
    let mut bits = vec![0u64; n * words];
    for (set, nodes) in seeds.iter().enumerate() {
        for &t in nodes {
            bits[t * words + set / 64] |= 1 << (set % 64);
        }
    }
    let component = crate::build::cycles::scc(edges);
    let count = component.iter().max().map_or(0, |c| c + 1);
    // Components are numbered so that each comes after every component it refers to; walked
    // backwards, a component's sets are complete before they are passed on.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (t, &c) in component.iter().enumerate() {
        members[c].push(t);
    }
    let mut acc = vec![0u64; words];
    for c in (0..count).rev() {
        acc.iter_mut().for_each(|w| *w = 0);
        for &t in &members[c] {
            acc.iter_mut().zip(&bits[t * words..(t + 1) * words]).for_each(|(a, b)| *a |= b);
        }
        for &t in &members[c] {
            bits[t * words..(t + 1) * words].copy_from_slice(&acc);
            for &u in &edges[t] {
                if component[u] != c {
                    bits[u * words..(u + 1) * words].iter_mut().zip(&acc).for_each(|(b, a)| *b |= a);
                }
            }
        }
    }
    Some(Reach { bits, words })
}

/// Which seed sets reach each node ([`reached_from`]), a row of bits per node, read without
/// listing them all: the lists of every node would be nodes × sets long.
struct Reach {
    bits: Vec<u64>,
    words: usize,
}

impl Reach {
    fn row(&self, node: usize) -> &[u64] {
        &self.bits[node * self.words..(node + 1) * self.words]
    }

    /// How many sets reach `node`.
    fn count(&self, node: usize) -> usize {
        self.row(node).iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The sets that reach `node`, ascending.
    fn members(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.row(node).iter().enumerate().flat_map(|(i, &w)| (0..64).filter(move |b| w & (1 << b) != 0).map(move |b| i * 64 + b))
    }
}

/// The most bytes of a server URL a method's docs spell out.
const MAX_DOC_URL: usize = 200;

/// A part of `src/models.rs` (every named type, in name order): the types `part`, a run of
/// `api.types`, after the file's inner attributes and imports when `first`. The parts, printed
/// in order and joined, are the whole file; they let several threads share one large file.
pub fn models_part(api: &Api, plan: &Plan, part: &[&TypeDef], first: bool) -> TokenStream {
    let items = part.iter().map(|t| type_def(t, &api.types, plan, &plan.gates));
    if !first {
        return quote!(#(#items)*);
    }
    let uses_map = api.types.values().any(uses_map);
    let map_import = map_import(plan, uses_map);
    let allow = allow_deprecated(api);
    quote! {
        //! Types from the API's schemas and the parameters of its operations.
        #allow
        #map_import
        #(#items)*
    }
}

/// `use std::collections::BTreeMap;` for a models file that uses maps (allowed unused when
/// features may compile out every user).
fn map_import(plan: &Plan, uses_map: bool) -> TokenStream {
    if uses_map && plan.split() {
        quote!(#[allow(unused_imports)] use std::collections::BTreeMap;)
    } else if uses_map {
        quote!(use std::collections::BTreeMap;)
    } else {
        TokenStream::new()
    }
}

/// The types `kept` (in name order) gated by `gates`, as a module or crate root: `inner`
/// (inner doc and attributes), `allow` ([`allow_deprecated`] of the whole API) and `head`
/// (imports, module declarations) come first. The caller hands over only the file's types,
/// made once for every file, so a workspace of many member crates costs the size of the API,
/// not the API per member.
pub(crate) fn models_selected(
    api: &Api,
    plan: &Plan,
    gates: &Gates,
    kept: &[&TypeDef],
    allow: &TokenStream,
    inner: TokenStream,
    head: TokenStream,
) -> TokenStream {
    let items = kept.iter().map(|t| type_def(t, &api.types, plan, gates));
    let uses_map = kept.iter().any(|t| uses_map(t));
    let map_import = map_import(plan, uses_map);
    quote! {
        #inner
        #allow
        #head
        #map_import
        #(#items)*
    }
}

/// `#![allow(deprecated)]` when the API marks any type or field deprecated: the crate itself
/// uses them (derives, parameters), while users still get the warning.
pub fn allow_deprecated(api: &Api) -> TokenStream {
    let any = api.types.values().any(|t| {
        t.deprecated || matches!(&t.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.deprecated))
    });
    if any {
        quote!(#![allow(deprecated)])
    } else {
        TokenStream::new()
    }
}

fn uses_map(t: &TypeDef) -> bool {
    fn has(ty: &Ty) -> bool {
        match ty {
            Ty::Map(_) => true,
            Ty::Vec(i) | Ty::Option(i) => has(i),
            _ => false,
        }
    }
    match &t.kind {
        TypeKind::Struct(s) => s.fields.iter().any(|f| has(&f.ty)) || s.extra.as_ref().is_some_and(|_| true),
        TypeKind::Union(u) => u.variants.iter().any(|v| has(&v.ty)),
        TypeKind::Alias(ty) => has(ty),
        TypeKind::ErrorBody(variants) => variants.iter().any(|v| has(&v.ty)),
        TypeKind::Enum { .. } => false,
    }
}

fn type_def(t: &TypeDef, types: &BTreeMap<String, TypeDef>, plan: &Plan, gates: &Gates) -> TokenStream {
    let name = ident(&t.name);
    let mut docs = t.docs.clone();
    if t.deprecated {
        docs = Some(format!("{}\n\n**Deprecated** in the API.", docs.unwrap_or_default()));
    }
    let mut doc = doc_attrs(docs.as_deref());
    if t.deprecated {
        doc.extend(deprecated_attr(t.deprecation_note.as_deref(), None));
    }
    // Every item of the type (the definition and its impls) carries the same gate.
    let gate = type_gate(gates, &t.name);
    if plan.non_exhaustive(t) {
        doc.extend(quote!(#[non_exhaustive]));
    }
    let enum_attrs = doc.clone();
    doc.extend(gate.clone());
    let serde = serde_traits(plan, &t.name);
    match &t.kind {
        TypeKind::Alias(ty) => {
            let ty = model_ty(ty);
            let doc = if t.docs.is_none() {
                let line = " Alias kept for the name the API reference uses.";
                quote!(#[doc = #line] #gate)
            } else {
                doc
            };
            quote! { #doc pub type #name = #ty; }
        }
        TypeKind::Struct(s) => struct_def(&name, doc, &gate, s, types, serde, !plan.response_only.contains(&t.name)),
        TypeKind::Enum { variants } => enum_def(&name, enum_attrs, &gate, variants, serde),
        TypeKind::Union(u) => union_def(&name, doc, &gate, u, serde),
        TypeKind::ErrorBody(variants) => error_body_def(&name, doc, &gate, variants),
    }
}

/// An operation's error bodies by status, and how a response's status picks one: a code
/// before its class, a class before `default` (matched on `(code, class)`, so no two arms'
/// patterns overlap as ranges would).
fn error_body_def(name: &Ident, doc: TokenStream, gate: &TokenStream, variants: &[ErrorVariant]) -> TokenStream {
    let defs = variants.iter().map(|v| {
        let vname = ident(&v.name);
        let ty = model_ty(&v.ty);
        let vdoc = format!(" The body of a {} response.", crate::escape::md_code(&v.status.key()));
        quote!(#[doc = #vdoc] #vname(#ty),)
    });
    let mut arms: Vec<TokenStream> = variants
        .iter()
        .map(|v| {
            let vname = ident(&v.name);
            let pattern = match v.status {
                ErrorStatus::Code(c) => {
                    let c = proc_macro2::Literal::u16_unsuffixed(c);
                    quote!((#c, _))
                }
                ErrorStatus::Class(c) => {
                    let c = proc_macro2::Literal::u16_unsuffixed(c);
                    quote!((_, #c))
                }
                ErrorStatus::Default => quote!(_),
            };
            quote!(#pattern => serde_json::from_slice(body).ok().map(Self::#vname),)
        })
        .collect();
    if !variants.iter().any(|v| v.status == ErrorStatus::Default) {
        arms.push(quote!(_ => None,));
    }
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#defs)*
        }

        #gate
        impl crate::ErrorBody for #name {
            fn from_response(status: reqwest::StatusCode, body: &[u8]) -> Option<Self> {
                let code = status.as_u16();
                match (code, code / 100) {
                    #(#arms)*
                }
            }
        }
    }
}

/// Which serde traits a model implements.
#[derive(Debug, Clone, Copy)]
struct SerdeTraits {
    ser: bool,
    de: bool,
}

impl SerdeTraits {
    fn derives(self) -> TokenStream {
        let ser = if self.ser { quote!(serde::Serialize,) } else { TokenStream::new() };
        let de = if self.de { quote!(serde::Deserialize,) } else { TokenStream::new() };
        quote!(#ser #de)
    }
}

fn serde_traits(plan: &Plan, name: &str) -> SerdeTraits {
    SerdeTraits { ser: plan.needs_ser(name), de: plan.needs_de(name) }
}

/// True when the struct derives `Default`: every required field's type has one (a boxed field
/// is `Default` only when its type is, as `Box<T>: Default` needs `T: Default`).
pub(crate) fn derives_default(s: &Struct, types: &BTreeMap<String, TypeDef>) -> bool {
    s.fields.iter().all(|f| !f.required || f.ty.has_default(types))
}

/// A body field the API accepts `null` for: `None` leaves it out, `Some(None)` sends `null`.
/// (`serde_json::Value` and options already carry a null of their own.)
fn sends_null(s: &Struct, f: &Field) -> bool {
    s.usage == Usage::ParamsWithBody && f.location == FieldLocation::Body && f.nullable && !f.required && !matches!(f.ty, Ty::Json | Ty::Option(_))
}

/// The Rust type of a struct's field as `models` declares it.
pub(crate) fn field_ty(s: &Struct, f: &Field) -> TokenStream {
    let mut inner = model_ty(&f.ty);
    if f.boxed {
        inner = quote!(Box<#inner>);
    }
    if sends_null(s, f) {
        quote!(Option<Option<#inner>>)
    } else if f.required {
        inner
    } else {
        quote!(Option<#inner>)
    }
}

/// `sent`: the struct is reached from a request (or from nothing), so how it serializes matters.
fn struct_def(name: &Ident, doc: TokenStream, gate: &TokenStream, s: &Struct, types: &BTreeMap<String, TypeDef>, serde: SerdeTraits, sent: bool) -> TokenStream {
    let default = if derives_default(s, types) { quote!(Default,) } else { TokenStream::new() };
    // A model read through `crate::de` implements `Deserialize` below instead of deriving it.
    let object = s.usage == Usage::Model && serde.de && reads_as_object(s);
    let derived = SerdeTraits { de: serde.de && !object, ..serde };
    let derive = match s.usage {
        Usage::Model => {
            let traits = derived.derives();
            quote!(#[derive(Debug, Clone, PartialEq, #default #traits)])
        }
        Usage::ParamsWithBody => quote!(#[derive(Debug, Clone, PartialEq, #default serde::Serialize)]),
        Usage::ParamsNoBody | Usage::ParamsWithRawBody => quote!(#[derive(Debug, Clone, PartialEq, #default)]),
    };
    let serde_on = match s.usage {
        Usage::Model => derived.ser || derived.de,
        Usage::ParamsWithBody => true,
        Usage::ParamsNoBody | Usage::ParamsWithRawBody => false,
    };
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let send_null = sends_null(s, f);
        let full = field_ty(s, f);
        let mut docs = f.docs.clone().unwrap_or_default();
        let mut notes: Vec<String> = Vec::new();
        if let Some(d) = &f.default {
            notes.push(default_note(d));
        }
        if send_null {
            notes.push("`None` leaves the field out of the request; `Some(None)` sends `null`.".into());
        }
        if f.read_only {
            notes.push("Read-only: sent by the server, ignored in requests.".into());
        }
        if f.write_only {
            notes.push("Write-only: sent in requests, never returned.".into());
        }
        if f.deprecated {
            notes.push("**Deprecated** in the API.".into());
        }
        match f.location {
            FieldLocation::Query if s.usage != Usage::Model => notes.push("Sent in the query string.".into()),
            FieldLocation::Header => notes.push("Sent as a request header.".into()),
            FieldLocation::Cookie => notes.push("Sent as a cookie.".into()),
            _ => {}
        }
        for n in notes {
            if !docs.is_empty() {
                docs.push_str("\n\n");
            }
            docs.push_str(&n);
        }
        let mut doc = doc_attrs((!docs.is_empty()).then_some(docs.as_str()));
        if f.deprecated {
            doc.extend(deprecated_attr(f.deprecation_note.as_deref(), None));
        }
        let mut serde_args = Vec::new();
        if serde_on {
            if f.location != FieldLocation::Body {
                serde_args.push(quote!(skip));
            } else {
                if f.json_name != f.rust_name {
                    let j = &f.json_name;
                    serde_args.push(quote!(rename = #j));
                }
                if sent && f.in_required && !f.required && !sends_null(s, f) {
                    // Required but nullable: `None` is sent as `null`, never left out.
                    serde_args.push(quote!(default));
                } else if !f.required {
                    serde_args.push(quote!(default, skip_serializing_if = "Option::is_none"));
                }
                serde_args.extend(time_serde_attr(&f.ty));
            }
        }
        let serde_attr = if serde_args.is_empty() {
            TokenStream::new()
        } else {
            quote!(#[serde(#(#serde_args),*)])
        };
        quote! {
            #doc
            #serde_attr
            pub #fname: #full,
        }
    });
    let extra = s.extra.as_ref().map(|ty| {
        let ty = model_ty(ty);
        let flatten = if serde_on { quote!(#[serde(flatten)]) } else { TokenStream::new() };
        quote! {
            /// Properties not named above.
            #flatten
            pub additional_properties: BTreeMap<String, #ty>,
        }
    });
    let de_impl = if object { object_impl(name, gate, s) } else { TokenStream::new() };
    quote! {
        #doc
        #derive
        pub struct #name {
            #(#fields)*
            #extra
        }

        #de_impl
    }
}

/// True when a model's `Deserialize` can be the runtime's `object!`: every field in the body, no
/// flattened extra properties and no field read through a `with` module (those derive it).
fn reads_as_object(s: &Struct) -> bool {
    s.extra.is_none() && s.fields.iter().all(|f| f.location == FieldLocation::Body && time_serde_attr(&f.ty).is_none())
}

/// `Deserialize` for a model as one `object!` invocation (see `templates/runtime/de.rs`): each
/// field with its wire name, `optional` where the derive's attributes would say `default`.
/// The gate goes on the invocation, so it covers every impl the macro writes.
fn object_impl(name: &Ident, gate: &TokenStream, s: &Struct) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let json = &f.json_name;
        let how = if f.required { quote!(required) } else { quote!(optional) };
        quote!(#how #field = #json,)
    });
    quote! {
        #gate
        crate::object! {
            #name {
                #(#fields)*
            }
        }
    }
}

/// "Default: `1000`." for a field whose schema has a `default` (long values as a block).
fn default_note(json: &str) -> String {
    if json.len() > 100 {
        format!("Default:\n\n```text\n{json}\n```")
    } else {
        format!("Default: {}.", escape::md_code(json))
    }
}

/// One `string_enum!` invocation (see `templates/runtime/string_enum.rs`): the macro writes
/// the type, its variant docs and impls. `attrs` (docs, `#[deprecated]`) go on the type; the
/// gate goes on the invocation, so it covers the type and every impl.
fn enum_def(name: &Ident, attrs: TokenStream, gate: &TokenStream, variants: &[EnumVariant], serde: SerdeTraits) -> TokenStream {
    let idents = variants.iter().map(|v| ident(&v.rust_name));
    let values = variants.iter().map(|v| &v.value);
    // Each variant is documented with its wire value as a code span the value cannot close
    // or turn into a fence (the macro cannot escape a literal itself).
    let value_docs = variants.iter().map(|v| format!(" {}", crate::escape::md_code(&v.value)));
    let mut traits = Vec::new();
    if serde.ser {
        traits.push(quote!(Serialize));
    }
    if serde.de {
        traits.push(quote!(Deserialize));
    }
    let traits = if traits.is_empty() { TokenStream::new() } else { quote!(: #(#traits),*) };
    quote! {
        #gate
        crate::string_enum! {
            #attrs
            pub enum #name #traits {
                #( #[doc = #value_docs] #idents = #values, )*
            }
        }
    }
}

fn union_def(name: &Ident, doc: TokenStream, gate: &TokenStream, u: &Union, serde: SerdeTraits) -> TokenStream {
    if let Some(tag) = &u.tag {
        return tagged_union_def(name, doc, gate, tag, u, serde);
    }
    let variants = u.variants.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let mut ty = model_ty(&v.ty);
        if v.boxed {
            ty = quote!(Box<#ty>);
        }
        let with = time_serde_attr(&v.ty).filter(|_| serde.ser || serde.de).map(|w| quote!(#[serde(#w)]));
        quote!(#with #vname(#ty),)
    });
    let traits = serde.derives();
    let untagged = if serde.ser || serde.de { quote!(#[serde(untagged)]) } else { TokenStream::new() };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #traits)]
        #untagged
        pub enum #name {
            #(#variants)*
        }
    }
}

/// A union whose variant a property's value selects: serialised as the variant itself (which
/// carries the property), deserialised by reading the property first. Unknown values are kept.
fn tagged_union_def(name: &Ident, doc: TokenStream, gate: &TokenStream, tag: &str, u: &Union, serde: SerdeTraits) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let mut ty = model_ty(&v.ty);
        if v.boxed {
            ty = quote!(Box<#ty>);
        }
        let value = format!(" {}", escape::md_code(&format!("{tag}: {}", v.tag_value.as_deref().unwrap_or_default())));
        quote!(#[doc = #value] #vname(#ty),)
    });
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.rust_name);
        let value = v.tag_value.as_deref().unwrap_or_default();
        let wrap = if v.boxed { quote!(|v| Self::#vname(Box::new(v))) } else { quote!(Self::#vname) };
        quote!(Some(#value) => serde_json::from_value(value).map(#wrap),)
    });
    let other_doc = format!(" A {} value this version of the crate does not know; kept as sent.", escape::md_code(tag));
    let ser = if serde.ser {
        quote!(#[derive(Debug, Clone, PartialEq, serde::Serialize)] #[serde(untagged)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    let de_impl = if serde.de {
        quote! {
            #gate
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = serde_json::Value::deserialize(deserializer)?;
                    let tag = value.get(#tag).and_then(serde_json::Value::as_str).map(str::to_owned);
                    let found = match tag.as_deref() {
                        #(#arms)*
                        _ => return Ok(Self::Other(value)),
                    };
                    found.map_err(serde::de::Error::custom)
                }
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        #doc
        #ser
        pub enum #name {
            #(#variants)*
            #[doc = #other_doc]
            Other(serde_json::Value),
        }

        #de_impl
    }
}

/// One resource module: its struct, accessors for its children, and its operations.
/// One resource node's file; `allow` is [`allow_deprecated`], worked out once for all files.
pub fn resource(api: &Api, path: &[String], node: &Resource, allow: &TokenStream) -> TokenStream {
    let struct_name = ident(&node.struct_name);
    let child_mods = node.children.keys().map(|c| {
        let c = ident(c);
        quote!(pub mod #c;)
    });
    let accessors = node.children.values().map(|c| {
        let m = ident(&c.name);
        let s = ident(&c.struct_name);
        let child_path: Vec<String> = path.iter().chain([&c.name]).cloned().collect();
        let doc = format!(" Operations under `{}`.", child_path.join("."));
        let doc = doc_lines(&[vec![doc, String::new()], accessor_example(&api.meta.lib_name, &child_path)].concat());
        quote! {
            #doc
            pub fn #m(&self) -> #m::#s<'c> {
                #m::#s { client: self.client }
            }
        }
    });
    let ops = node.operations.values().map(|op| operation(api, path, op));
    let params = node.operations.values().map(|op| params_impls(api, op));
    let doc = format!(" The `{}` resource.", path.join("."));
    quote! {
        #allow
        #(#child_mods)*

        #[doc = #doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #struct_name<'c> {
            pub(crate) client: &'c crate::Client,
        }

        impl<'c> #struct_name<'c> {
            #(#accessors)*
            #(#ops)*
        }

        #(#params)*
    }
}

/// `src/resources.rs`: the top-level accessors on `Client`.
pub fn resources_root(api: &Api, plan: &Plan) -> TokenStream {
    let root = &api.root;
    let mods = root.children.keys().map(|c| {
        let gate = plan.module_gate(c);
        let c = ident(c);
        quote!(#gate pub mod #c;)
    });
    let accessors = root.children.values().map(|c| {
        let gate = plan.module_gate(&c.name);
        let m = ident(&c.name);
        let s = ident(&c.struct_name);
        let doc = match plan.module_features.get(&c.name) {
            Some(f) => format!(" Operations under `{}` (cargo feature `{f}`).", c.name),
            None => format!(" Operations under `{}`.", c.name),
        };
        let doc = doc_lines(&[vec![doc, String::new()], accessor_example(&api.meta.lib_name, std::slice::from_ref(&c.name))].concat());
        quote! {
            #gate
            #doc
            pub fn #m(&self) -> #m::#s<'_> {
                #m::#s { client: self }
            }
        }
    });
    quote! {
        //! The resource tree: `client.zero_trust().access().users()` style accessors.
        #(#mods)*

        impl crate::Client {
            #(#accessors)*
        }
    }
}

/// A `no_run` example for a resource accessor: reach the node from a client.
fn accessor_example(lib: &str, path: &[String]) -> Vec<String> {
    let chain: String = path.iter().map(|s| format!(".{s}()")).collect();
    let last = path.last().map(String::as_str).unwrap_or("resource");
    [
        "```no_run".to_string(),
        format!("# fn example(client: &{lib}::Client) {{"),
        format!("let {last} = client{chain};"),
        format!("# let _ = {last};"),
        "# }".to_string(),
        "```".to_string(),
    ]
    .into_iter()
    .map(|l| format!(" {l}"))
    .collect()
}

/// How a parameter value becomes text in a query string or header.
#[derive(PartialEq, Eq)]
enum Display {
    /// It implements `Display`.
    Direct,
    /// A `time::OffsetDateTime`: written through `crate::Rfc3339Text`.
    Rfc3339,
    /// An `Option` of something that does (absent values are left out).
    Optional,
    /// Anything else: `crate::param_text` (a string as it is, a list's items joined by
    /// commas, an object as its JSON text).
    AsJson,
}

fn display_kind(types: &BTreeMap<String, TypeDef>, ty: &Ty) -> Display {
    match ty {
        Ty::String | Ty::Bool | Ty::I32 | Ty::I64 | Ty::F32 | Ty::F64 | Ty::Json => Display::Direct,
        Ty::Mapped(m) if time_text(*m) => Display::Rfc3339,
        Ty::Mapped(_) => Display::Direct,
        Ty::Named(n) => match types.get(n).map(|t| &t.kind) {
            Some(TypeKind::Enum { .. }) => Display::Direct,
            Some(TypeKind::Alias(t)) => display_kind(types, t),
            _ => Display::AsJson,
        },
        Ty::Option(inner) => match display_kind(types, inner) {
            Display::Direct => Display::Optional,
            _ => Display::AsJson,
        },
        Ty::Vec(_) | Ty::Map(_) | Ty::Unit | Ty::Upload | Ty::Multipart => Display::AsJson,
    }
}

fn path_arg_ty(types: &BTreeMap<String, TypeDef>, ty: &Ty) -> (TokenStream, bool) {
    match ty {
        Ty::I32 | Ty::I64 | Ty::F32 | Ty::F64 | Ty::Bool | Ty::Mapped(_) => (ty_tokens(ty), true),
        Ty::Named(_) if ty.is_string_enum(types) => {
            let t = ty_tokens(ty);
            (quote!(&#t), true)
        }
        // Written by the runtime's `path_param`, which serializes them.
        Ty::Vec(item) => {
            let t = ty_tokens(item);
            (quote!(&[#t]), false)
        }
        _ if ty.is_object(types) => {
            let t = ty_tokens(ty);
            (quote!(&#t), false)
        }
        _ => (quote!(&str), false),
    }
}

/// Which arguments an example call passes and where their values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// A doc example: required arguments, values that show the type (a field's name as text).
    Doc,
    /// A contract test's call with only the required arguments, values the schemas accept.
    Required,
    /// A contract test's call with every argument the client sends (read-only fields stay out).
    All,
    /// Inside a union in a contract test's call with all arguments: the required fields and
    /// those the sample has, so the value is the sample, which fits one variant, and no added
    /// optional field makes it fit another as well (or none).
    Sample,
}

/// Sample values for examples: a Rust expression for a use of a type, with named types
/// spelled `lib::models::Name` and struct literals laid out one field a line.
struct Samples<'a> {
    types: &'a BTreeMap<String, TypeDef>,
    lib: &'a str,
    fill: Fill,
    /// The bytes of values built so far for one call, against [`MAX_SAMPLE_BYTES`].
    spent: &'a std::cell::Cell<usize>,
}

/// The most text the values of one example or contract call may take, counted as each value
/// and every value inside it is built. Types that each hold two fields of the next make a value
/// twice as long per level: 19 such types, 3 KB of document, had made 514 MB of examples.
/// Past it the value is not built, and the call takes it as an argument instead, as it does a
/// value no finite one exists for.
const MAX_SAMPLE_BYTES: usize = 1 << 20;

/// What one attempt at a value costs of [`MAX_SAMPLE_BYTES`] besides its text: at most 65,536
/// attempts a call.
const SAMPLE_ATTEMPT_BYTES: usize = 16;

/// The most steps [`Samples::ty_fits`] takes for one value: unions of unions try the value
/// against every path (10 variants, 16 levels). Out of steps, the value does not fit.
const MAX_TY_FIT_STEPS: usize = 20_000;

impl<'a> Samples<'a> {
    /// Charges `value` to the call's budget: `None` once the budget is spent.
    fn spend(&self, value: String) -> Option<String> {
        let spent = self.spent.get().saturating_add(value.len());
        self.spent.set(spent);
        (spent <= MAX_SAMPLE_BYTES).then_some(value)
    }

    /// Charges one attempt at a value, built or not, to the call's budget: false once it is
    /// spent. Unions of unions whose leaves cannot be built fail along every path, producing no
    /// text: 24 such levels, 5 KB of document, took 19 s.
    fn attempt(&self) -> bool {
        let spent = self.spent.get().saturating_add(SAMPLE_ATTEMPT_BYTES);
        self.spent.set(spent);
        spent <= MAX_SAMPLE_BYTES
    }

    /// A value of `ty`; `name` is the field or parameter it is for (a string's sample text) and
    /// `indent` the column a struct literal's closing brace sits at. `open` holds the named
    /// types being built: `None` when the value would need itself (a required field leading
    /// back to its own struct), as no finite value of such a type exists, or when the call's
    /// values outgrow [`MAX_SAMPLE_BYTES`].
    fn value(&self, ty: &'a Ty, name: &str, indent: usize, open: &mut Vec<&'a str>) -> Option<String> {
        if !self.attempt() {
            return None;
        }
        let value = self.value_within(ty, name, indent, open)?;
        self.spend(value)
    }

    fn value_within(&self, ty: &'a Ty, name: &str, indent: usize, open: &mut Vec<&'a str>) -> Option<String> {
        if self.fill != Fill::Doc {
            return self.contract_value(ty, None, indent, open);
        }
        let n = match ty {
            Ty::String => return Some(format!("{}.into()", escape::rust_str(name))),
            Ty::Mapped(m) => return Some(mapped_sample(*m).into()),
            Ty::Bool => return Some("false".into()),
            Ty::I32 | Ty::I64 => return Some("1".into()),
            Ty::F32 | Ty::F64 => return Some("1.0".into()),
            Ty::Vec(_) => return Some("Vec::new()".into()),
            Ty::Map(_) => return Some("Default::default()".into()),
            Ty::Json => return Some("serde_json::Value::Null".into()),
            Ty::Option(_) => return Some("None".into()),
            Ty::Unit => return Some("()".into()),
            Ty::Upload => return Some(format!("{}::Upload::bytes(b\"data\".to_vec())", self.lib)),
            Ty::Multipart => return Some(format!("{}::Multipart::new()", self.lib)),
            Ty::Named(n) => n.as_str(),
        };
        if open.contains(&n) {
            return None;
        }
        let lib = self.lib;
        let kind = &self.types.get(n)?.kind;
        // An alias of an enum is spelled by its own name, the one the field or parameter has.
        if let Some(variants) = ty.enum_variants(self.types) {
            return Some(match variants.first() {
                Some(v) => format!("{lib}::models::{n}::{}", v.rust_name),
                None => format!("{lib}::models::{n}::Other(\"value\".into())"),
            });
        }
        if !matches!(kind, TypeKind::Alias(_)) && ty.has_default(self.types) {
            return Some("Default::default()".into());
        }
        open.push(n);
        let value = match kind {
            TypeKind::Alias(t) => self.value(t, name, indent, open),
            TypeKind::Struct(s) => self.struct_literal(n, s, indent, open),
            TypeKind::Union(u) => self.union_value(n, u, name, indent, open),
            TypeKind::Enum { .. } | TypeKind::ErrorBody(_) => None,
        };
        open.pop();
        value
    }

    /// `lib::models::Name { required: …, optional: None, }`, or with `..Default::default()` for
    /// the optional fields when the struct has a default. The caller has pushed `n` on `open`.
    fn struct_literal(&self, n: &str, s: &'a Struct, indent: usize, open: &mut Vec<&'a str>) -> Option<String> {
        if self.fill != Fill::Doc {
            return self.contract_struct(n, s, None, indent, open);
        }
        let pad = " ".repeat(indent + 4);
        let has_default = Ty::Named(n.to_string()).has_default(self.types);
        let mut out = format!("{}::models::{n} {{\n", self.lib);
        let required: Vec<&Field> = s.fields.iter().filter(|f| f.required).collect();
        for f in &required {
            let value = self.value(&f.ty, &f.json_name, indent + 4, open)?;
            let value = boxed(value, f.boxed);
            out.push_str(&format!("{pad}{}: {value},\n", f.rust_name));
        }
        let mut rest_defaulted = false;
        if required.len() < s.fields.len() {
            if has_default {
                out.push_str(&format!("{pad}..Default::default()\n"));
                rest_defaulted = true;
            } else {
                // Without `Default` every field is spelled out; optional ones are `Option`s.
                for f in s.fields.iter().filter(|f| !f.required) {
                    out.push_str(&format!("{pad}{}: None,\n", f.rust_name));
                }
            }
        }
        if s.extra.is_some() && !rest_defaulted {
            out.push_str(&format!("{pad}additional_properties: Default::default(),\n"));
        }
        out.push_str(&" ".repeat(indent));
        out.push('}');
        Some(out)
    }

    /// The first variant that can be built; a tagged union's `Other` when none can. The caller
    /// has pushed `n` on `open`.
    fn union_value(&self, n: &str, u: &'a Union, name: &str, indent: usize, open: &mut Vec<&'a str>) -> Option<String> {
        let lib = self.lib;
        for v in &u.variants {
            if let Some(value) = self.value(&v.ty, name, indent, open) {
                let value = boxed(value, v.boxed);
                return Some(format!("{lib}::models::{n}::{}({value})", v.rust_name));
            }
        }
        u.tag.is_some().then(|| format!("{lib}::models::{n}::Other(serde_json::Value::Null)"))
    }
}

/// A value of a library type for doc examples.
fn mapped_sample(m: crate::config::FormatType) -> &'static str {
    use crate::config::FormatType;
    match m {
        FormatType::TimeDateTime => "time::OffsetDateTime::UNIX_EPOCH",
        FormatType::TimeDate => "time::OffsetDateTime::UNIX_EPOCH.date()",
        FormatType::JiffTimestamp => "jiff::Timestamp::UNIX_EPOCH",
        FormatType::JiffDate => "jiff::civil::date(2024, 1, 1)",
        FormatType::Uuid => "uuid::Uuid::nil()",
    }
}

impl<'a> Samples<'a> {
    /// A contract test's value of `ty`: from `sample` (a value its schema accepts) where there
    /// is one, else the plainest value of the type. Text reaches the code only through
    /// `escape::rust_str`.
    fn contract_value(&self, ty: &'a Ty, sample: Option<&serde_json::Value>, indent: usize, open: &mut Vec<&'a str>) -> Option<String> {
        if !self.attempt() {
            return None;
        }
        let value = self.contract_value_within(ty, sample, indent, open)?;
        self.spend(value)
    }

    fn contract_value_within(&self, ty: &'a Ty, sample: Option<&serde_json::Value>, indent: usize, open: &mut Vec<&'a str>) -> Option<String> {
        use serde_json::Value;
        let lib = self.lib;
        Some(match ty {
            Ty::String => format!("{}.into()", escape::rust_str(&sample_text(sample).unwrap_or_else(|| "string".into()))),
            Ty::Bool => sample.and_then(Value::as_bool).unwrap_or(true).to_string(),
            Ty::I32 => sample.and_then(Value::as_i64).and_then(|v| i32::try_from(v).ok()).unwrap_or(1).to_string(),
            Ty::I64 => sample.and_then(Value::as_i64).unwrap_or(1).to_string(),
            Ty::F32 | Ty::F64 => format!("{:?}", sample.and_then(Value::as_f64).unwrap_or(1.0)),
            // A fixed value of the library type, valid for its format.
            Ty::Mapped(m) => mapped_sample(*m).to_string(),
            Ty::Vec(inner) => {
                let items: Vec<Option<&Value>> = match sample.and_then(Value::as_array) {
                    Some(a) => a.iter().take(4).map(Some).collect(),
                    None => vec![None],
                };
                let values = items.into_iter().map(|v| self.contract_value(inner, v, indent, open)).collect::<Option<Vec<_>>>()?;
                format!("vec![{}]", values.join(", "))
            }
            Ty::Map(inner) => match sample.and_then(Value::as_object).filter(|o| !o.is_empty()) {
                Some(o) => {
                    let entries = o
                        .iter()
                        .take(4)
                        .map(|(k, v)| Some(format!("({}.into(), {})", escape::rust_str(k), self.contract_value(inner, Some(v), indent, open)?)))
                        .collect::<Option<Vec<_>>>()?;
                    format!("[{}].into_iter().collect()", entries.join(", "))
                }
                None => "Default::default()".into(),
            },
            Ty::Json => match sample {
                Some(v) => format!("serde_json::from_str({}).expect(\"JSON written by the generator\")", escape::rust_str(&v.to_string())),
                // A schema-less value (often a whole body): `null` would read as no body at all.
                None => "serde_json::Value::Object(Default::default())".into(),
            },
            Ty::Option(inner) => match self.fill {
                Fill::All => format!("Some({})", self.contract_value(inner, sample, indent, open)?),
                Fill::Sample if sample.is_some_and(|v| !v.is_null()) => format!("Some({})", self.contract_value(inner, sample, indent, open)?),
                _ => "None".into(),
            },
            Ty::Unit => "()".into(),
            Ty::Upload => format!("{lib}::Upload::bytes(&b\"contract test\"[..])"),
            Ty::Multipart => multipart_sample(lib, sample),
            Ty::Named(n) => {
                if open.contains(&n.as_str()) {
                    return None;
                }
                let kind = &self.types.get(n)?.kind;
                if let Some(variants) = ty.enum_variants(self.types) {
                    let wanted = sample.and_then(Value::as_str);
                    return Some(match (variants.iter().find(|v| Some(v.value.as_str()) == wanted), variants.first(), wanted) {
                        (Some(v), _, _) => format!("{lib}::models::{n}::{}", v.rust_name),
                        (None, _, Some(text)) => format!("{lib}::models::{n}::Other({}.into())", escape::rust_str(text)),
                        (None, Some(v), None) => format!("{lib}::models::{n}::{}", v.rust_name),
                        (None, None, None) => format!("{lib}::models::{n}::Other(\"value\".into())"),
                    });
                }
                open.push(n);
                let value = match kind {
                    TypeKind::Alias(t) => self.contract_value(t, sample, indent, open),
                    TypeKind::Struct(s) => self.contract_struct(n, s, sample, indent, open),
                    TypeKind::Union(u) => self.contract_union(n, u, sample, indent, open),
                    TypeKind::Enum { .. } | TypeKind::ErrorBody(_) => None,
                };
                open.pop();
                value?
            }
        })
    }

    /// A union's value for a contract test: the variant its sample fits (the one its
    /// discriminator names, else the first whose fields the sample fits) built from that sample;
    /// with no sample or none that fits, the first variant that can be built from its own
    /// samples. Inside it a call with all arguments sends only what the sample has
    /// ([`Fill::Sample`]), unless the discriminator chose the variant (no optional field can
    /// make the value another variant's) or the variant's value with every field was found
    /// to fit the union (`sends_all`). The caller has pushed `n` on `open`.
    fn contract_union(&self, n: &str, u: &'a Union, sample: Option<&serde_json::Value>, indent: usize, open: &mut Vec<&'a str>) -> Option<String> {
        let tag = u.tag.as_deref().and_then(|t| sample?.get(t)?.as_str());
        let by_tag = tag.and_then(|t| u.variants.iter().find(|v| v.tag_value.as_deref() == Some(t)));
        let chosen = by_tag.or_else(|| sample.and_then(|s| u.variants.iter().find(|v| self.ty_fits(&v.ty, s, 0))));
        let fill = if self.fill == Fill::All && by_tag.is_none() && !chosen.is_some_and(|v| v.sends_all) { Fill::Sample } else { self.fill };
        let inner = Samples { fill, ..*self };
        let build = |v: &'a UnionVariant, sample: Option<&serde_json::Value>, open: &mut Vec<&'a str>| {
            let value = boxed(inner.contract_value(&v.ty, sample, indent, open)?, v.boxed);
            Some(format!("{}::models::{n}::{}({value})", self.lib, v.rust_name))
        };
        if let Some(value) = chosen.and_then(|v| build(v, sample, open)) {
            return Some(value);
        }
        u.variants.iter().find_map(|v| build(v, None, open))
    }

    /// Whether the JSON `value` reads as `ty`: its kind, an enum's values, a struct's required
    /// fields and the types of the members it names. Picks the variant a union's sample is of.
    fn ty_fits(&self, ty: &Ty, value: &serde_json::Value, depth: usize) -> bool {
        let steps = std::cell::Cell::new(MAX_TY_FIT_STEPS);
        self.ty_fits_within(ty, value, depth, &steps) && steps.get() > 0
    }

    fn ty_fits_within(&self, ty: &Ty, value: &serde_json::Value, depth: usize, steps: &std::cell::Cell<usize>) -> bool {
        use serde_json::Value;
        match steps.get().checked_sub(1) {
            Some(left) => steps.set(left),
            None => return false,
        }
        if depth > 16 {
            return true;
        }
        match (ty, value) {
            (Ty::Option(_), Value::Null) | (Ty::Json | Ty::Unit | Ty::Upload | Ty::Multipart, _) => true,
            (Ty::Option(t), v) => self.ty_fits_within(t, v, depth + 1, steps),
            (Ty::String | Ty::Mapped(_), Value::String(_)) | (Ty::Bool, Value::Bool(_)) | (Ty::F32 | Ty::F64, Value::Number(_)) => true,
            (Ty::I32 | Ty::I64, Value::Number(x)) => x.is_i64() || x.is_u64(),
            (Ty::Vec(t), Value::Array(items)) => items.iter().all(|v| self.ty_fits_within(t, v, depth + 1, steps)),
            (Ty::Map(t), Value::Object(o)) => o.values().all(|v| self.ty_fits_within(t, v, depth + 1, steps)),
            (Ty::Named(n), v) => match self.types.get(n).map(|t| &t.kind) {
                Some(TypeKind::Enum { variants }) => v.as_str().is_some_and(|s| variants.iter().any(|e| e.value == s)),
                Some(TypeKind::Alias(t)) => self.ty_fits_within(t, v, depth + 1, steps),
                Some(TypeKind::Union(u)) => u.variants.iter().any(|x| self.ty_fits_within(&x.ty, v, depth + 1, steps)),
                Some(TypeKind::Struct(s)) => v.as_object().is_some_and(|o| {
                    s.fields.iter().all(|f| match o.get(&f.json_name) {
                        Some(m) => self.ty_fits_within(&f.ty, m, depth + 1, steps),
                        None => !f.required,
                    }) && (s.extra.is_some() || o.keys().all(|k| s.fields.iter().any(|f| &f.json_name == k)))
                }),
                _ => false,
            },
            _ => false,
        }
    }

    /// A struct literal for a contract test: the required fields, and with [`Fill::All`] every
    /// optional one the client may send; each from the sample object's member when `sample`
    /// has it, else from the field's own sample. The caller has pushed `n` on `open`.
    fn contract_struct(&self, n: &str, s: &'a Struct, sample: Option<&serde_json::Value>, indent: usize, open: &mut Vec<&'a str>) -> Option<String> {
        let pad = " ".repeat(indent + 4);
        let defaulted = matches!(self.fill, Fill::Required | Fill::Sample) && Ty::Named(n.to_string()).has_default(self.types);
        let mut out = format!("{}::models::{n} {{\n", self.lib);
        let mut left_out = false;
        for f in &s.fields {
            // A required property the schema lets be `null` is still sent (`must_send`), and
            // deprecated parameters stay out of the all-arguments call: Prism reports their use.
            let member = sample.and_then(|v| v.get(&f.json_name));
            let wanted = f.required
                || f.must_send
                || (self.fill == Fill::All && !f.read_only && !f.deprecated)
                || (self.fill == Fill::Sample && member.is_some_and(|m| !m.is_null()) && !f.read_only);
            let sample = member.or(f.sample.as_ref());
            let inner = match &f.ty {
                // An optional field is `Option<T>`: its value is the `T` inside. So is a
                // required one that may be null: it is sent, with a value.
                Ty::Option(t) => t.as_ref(),
                t => t,
            };
            // An optional field whose type cannot carry its sample whole (the schema asks for
            // more than the type has fields for, as an `allOf` with a union part) stays out:
            // what the type can hold would break the schema.
            let cannot_carry = !f.required && !f.must_send && sample.is_some_and(|v| !v.is_null() && !self.ty_fits(inner, v, 0));
            // OpenAPI defines no way to write a list of objects into the query, and Prism
            // 5.15.0 checks each repeated value as text (`NAME.0 must be object`): an optional
            // one stays out, as no request the document describes would be accepted.
            let no_query_form = !f.required && f.location == FieldLocation::Query && matches!(inner, Ty::Vec(t) if t.is_object(self.types));
            let value = if wanted && !cannot_carry && !no_query_form {
                match self.contract_value(inner, sample, indent + 4, open) {
                    Some(v) => Some(boxed(v, f.boxed)),
                    None if f.required => return None,
                    None => None,
                }
            } else {
                None
            };
            let value = match value {
                Some(v) if f.required && matches!(f.ty, Ty::Option(_)) => format!("Some({v})"),
                Some(v) if f.required => v,
                Some(v) if sends_null(s, f) => format!("Some(Some({v}))"),
                Some(v) if matches!(f.ty, Ty::Option(_)) => format!("Some(Some({v}))"),
                Some(v) => format!("Some({v})"),
                None if defaulted => {
                    left_out = true;
                    continue;
                }
                None => "None".into(),
            };
            out.push_str(&format!("{pad}{}: {value},\n", f.rust_name));
        }
        match &s.extra {
            // A multipart form's parts named by the caller: one, so the form is not empty.
            Some(extra) if self.fill == Fill::All && s.usage == Usage::ParamsWithRawBody => {
                let value = self.contract_value(extra, None, indent + 4, open)?;
                out.push_str(&format!("{pad}additional_properties: [(\"part\".to_string(), {value})].into_iter().collect(),\n"));
                if left_out {
                    out.push_str(&format!("{pad}..Default::default()\n"));
                }
            }
            _ if left_out => out.push_str(&format!("{pad}..Default::default()\n")),
            Some(_) => out.push_str(&format!("{pad}additional_properties: Default::default(),\n")),
            None => {}
        }
        out.push_str(&" ".repeat(indent));
        out.push('}');
        Some(out)
    }

    /// A path argument for a contract test, as the method takes it.
    fn path_arg(&self, p: &'a PathParam) -> Option<String> {
        let sample = p.sample.as_ref();
        if matches!(p.ty, Ty::Vec(_)) || p.ty.is_object(self.types) {
            return Some(borrowed(self.contract_value(&p.ty, sample, 0, &mut Vec::new())?));
        }
        match path_arg_ty(self.types, &p.ty) {
            (_, true) if matches!(p.ty, Ty::Named(_)) => Some(format!("&{}", self.contract_value(&p.ty, sample, 0, &mut Vec::new())?)),
            (_, true) => self.contract_value(&p.ty, sample, 0, &mut Vec::new()),
            (_, false) => Some(escape::rust_str(&sample_text(sample).unwrap_or_else(|| p.json_name.clone()))),
        }
    }
}

/// A whole multipart form for a contract test: a part per member of the sample object (text
/// for a string, JSON otherwise), never empty: a form whose schema names no part gets one.
fn multipart_sample(lib: &str, sample: Option<&serde_json::Value>) -> String {
    let mut out = format!("{lib}::Multipart::new()");
    let members = sample.and_then(serde_json::Value::as_object).filter(|o| !o.is_empty());
    match members {
        Some(o) => {
            for (name, v) in o.iter().take(8) {
                match v {
                    serde_json::Value::String(t) => out.push_str(&format!(".text({}, {})", escape::rust_str(name), escape::rust_str(t))),
                    v => out.push_str(&format!(
                        ".json({}, &serde_json::from_str::<serde_json::Value>({}).expect(\"JSON written by the generator\"))",
                        escape::rust_str(name),
                        escape::rust_str(&v.to_string())
                    )),
                }
            }
        }
        None => out.push_str(".text(\"part\", \"contract test\")"),
    }
    out
}

/// A borrow of a sample value, as a path argument of an array or object type takes it: a
/// `vec![…]` as a slice of an array.
fn borrowed(value: String) -> String {
    match value.strip_prefix("vec!") {
        Some(items) => format!("&{items}"),
        None if value == "Vec::new()" => "&[]".into(),
        None => format!("&{value}"),
    }
}

/// A sample as text: a string as it is, any other JSON value as its JSON text.
fn sample_text(sample: Option<&serde_json::Value>) -> Option<String> {
    match sample? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// A sample for a `Box`ed field or variant (`Default::default()` builds a box as it is).
fn boxed(value: String, boxed: bool) -> String {
    if boxed && value != "Default::default()" {
        format!("Box::new({value})")
    } else {
        value
    }
}

fn example(api: &Api, path: &[String], op: &Operation) -> Vec<String> {
    finish_example(&api.meta.lib_name, path, op, example_parts(api, op, Fill::Doc))
}

/// A call of one of the crate's operations for the runtime's doc examples.
pub(crate) struct RuntimeExample {
    /// The lines that build the call's arguments.
    pub setup: Vec<String>,
    /// The call expression (`client.pets().list(&params)`).
    pub call: String,
    /// The top-level resource the call goes through (its cargo feature, when the crate has them).
    pub top: Option<String>,
}

/// The runtime's doc example call (`paged`: a list operation that pages, else one that does
/// not): the first operation in resource order whose arguments the example can build and
/// that returns a `Request` or `PageRequest` (not a stream),
/// preferring one that is not deprecated. `None` when the crate has no such operation.
pub(crate) fn runtime_example(api: &Api, paged: bool) -> Option<RuntimeExample> {
    fn walk(api: &Api, node: &crate::ir::Resource, path: &mut Vec<String>, paged: bool, deprecated: bool) -> Option<RuntimeExample> {
        // A stream request is not a `Request`: the examples call `Request`'s methods.
        for op in node.operations.values().filter(|o| o.pagination.is_some() == paged && o.deprecated == deprecated && !is_stream(o)) {
            let parts = example_parts(api, op, Fill::Doc);
            if parts.input.is_none() {
                let call = parts.call(path, op);
                return Some(RuntimeExample { setup: parts.setup, call, top: path.first().cloned() });
            }
        }
        for (name, child) in &node.children {
            path.push(name.clone());
            let found = walk(api, child, path, paged, deprecated);
            path.pop();
            if found.is_some() {
                return found;
            }
        }
        None
    }
    walk(api, &api.root, &mut Vec::new(), paged, false).or_else(|| walk(api, &api.root, &mut Vec::new(), paged, true))
}

/// `client.a().b().method(args)`.
fn call_expr(path: &[String], op: &Operation, args: &[String]) -> String {
    let chain: String = path.iter().map(|s| format!(".{s}()")).collect();
    format!("client{chain}.{}({})", op.method_name, args.join(", "))
}

/// How an example or a contract test calls one operation: what [`example_parts`] gives.
pub(crate) struct CallParts {
    /// The method's arguments.
    pub args: Vec<String>,
    /// The lines that build them (and the parameters struct set by name).
    pub setup: Vec<String>,
    /// The hidden function's extra input, for a value no example can build (then the call
    /// cannot be made as it stands).
    pub input: Option<String>,
    /// The parameters struct built in `setup` goes on the request with `.params(params)`.
    pub by_name: bool,
}

impl CallParts {
    /// The call expression: `client.a().b().method(args)`, then `.params(params)` when the
    /// parameters are set by name. The one place that says how an operation is called.
    pub(crate) fn call(&self, path: &[String], op: &Operation) -> String {
        let call = call_expr(path, op, &self.args);
        if self.by_name {
            format!("{call}.params(params)")
        } else {
            call
        }
    }
}

/// An example call's arguments, the lines that build them, and the hidden function's extra
/// input for a value no example can build (then the call cannot be made as it stands).
pub(crate) fn example_parts(api: &Api, op: &Operation, fill: Fill) -> CallParts {
    let lib = &api.meta.lib_name;
    // A form (multipart or URL-encoded) none of whose fields is required would go out empty,
    // which Prism takes for a missing body: a contract call sends its fields all the same.
    let fill = if fill == Fill::Required && optional_form(api, op) { Fill::All } else { fill };
    let spent = std::cell::Cell::new(0);
    let samples = Samples { types: &api.types, lib, fill, spent: &spent };
    let mut input = None;
    let mut args: Vec<String> = op
        .path_params
        .iter()
        .map(|p| match &p.ty {
            _ if fill != Fill::Doc => samples.path_arg(p).unwrap_or_else(|| {
                input = Some(format!("{}: {}", p.rust_name, path_arg_ty(&api.types, &p.ty).0));
                p.rust_name.clone()
            }),
            Ty::I32 | Ty::I64 => "1".to_string(),
            Ty::F32 | Ty::F64 => "1.0".to_string(),
            Ty::Bool => "true".to_string(),
            Ty::Mapped(m) => mapped_sample(*m).to_string(),
            Ty::Named(_) if p.ty.is_string_enum(&api.types) => {
                let value = samples.value(&p.ty, &p.json_name, 0, &mut Vec::new()).unwrap_or_default();
                format!("&{value}")
            }
            Ty::Vec(_) => borrowed(samples.value(&p.ty, &p.json_name, 0, &mut Vec::new()).unwrap_or_else(|| "vec![]".into())),
            _ if p.ty.is_object(&api.types) => match samples.value(&p.ty, &p.json_name, 0, &mut Vec::new()) {
                Some(v) => borrowed(v),
                None => {
                    input = Some(format!("{}: {}", p.rust_name, path_arg_ty(&api.types, &p.ty).0));
                    p.rust_name.clone()
                }
            },
            _ => escape::rust_str(&p.json_name),
        })
        .collect();
    let mut setup = Vec::new();
    let mut by_name = false;
    if let Some((params, s)) = params_struct(api, op) {
        // A struct with a required field is an argument; otherwise a doc example passes none
        // and a contract test's all-arguments call sets the whole struct with `.params(…)`.
        let positional = params_positional(op, s);
        // A required property that may be null is optional in Rust, but a call sends it.
        let must_send = fill == Fill::Required && s.fields.iter().any(|f| f.must_send);
        if positional || fill == Fill::All || must_send {
            match samples.struct_literal(params, s, 0, &mut vec![params]) {
                Some(literal) => setup = format!("let params = {literal};").lines().map(String::from).collect(),
                // No finite value exists: the example takes one.
                None => input = Some(format!("params: {lib}::models::{params}")),
            }
            if positional {
                args.push("params".into());
            } else {
                by_name = true;
            }
        }
    }
    CallParts { args, setup, input, by_name }
}

/// True when the operation sends a form (multipart or URL-encoded) from its parameters, none
/// of whose fields is required.
fn optional_form(api: &Api, op: &Operation) -> bool {
    let form = matches!(op.body, Some(Body { kind: BodyKind::Multipart { .. } | BodyKind::Form, .. }));
    form && params_struct(api, op).is_some_and(|(_, s)| !s.fields.iter().any(|f| f.location == FieldLocation::Body && f.required))
}

/// The example around its `setup` lines; `input` is a further argument of the hidden function,
/// for a value the example cannot build.
fn finish_example(lib: &str, path: &[String], op: &Operation, parts: CallParts) -> Vec<String> {
    let call = parts.call(path, op);
    let (setup, input) = (parts.setup, parts.input);
    let input = input.map(|i| format!(", {i}")).unwrap_or_default();
    let mut lines = vec![
        "```no_run".to_string(),
        format!("# async fn example(client: {lib}::Client{input}) -> Result<(), {lib}::Error> {{"),
    ];
    lines.extend(setup);
    if op.pagination.is_some() {
        lines.push(format!("let page = {call}.await?;"));
        lines.push("for item in &page.items {".into());
        lines.push("    println!(\"{item:?}\");".into());
        lines.push("}".into());
    } else {
        lines.push(format!("let response = {call}.await?;"));
        lines.push("println!(\"{response:?}\");".into());
    }
    lines.push("# Ok(())".into());
    lines.push("# }".into());
    lines.push("```".into());
    lines
}

/// The `reqwest::Method` an operation sends: a constant for the methods reqwest names, else one
/// made from its token (OpenAPI 3.2's `QUERY` and `additionalOperations`, checked to be a
/// token when the document was loaded).
fn http_method(method: &str) -> TokenStream {
    const NAMED: [&str; 9] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"];
    if NAMED.contains(&method) {
        let m = ident(method);
        quote!(reqwest::Method::#m)
    } else {
        let bytes = proc_macro2::Literal::byte_string(method.as_bytes());
        quote!(reqwest::Method::from_bytes(#bytes).expect("an HTTP method token, checked when this code was generated"))
    }
}

/// The call that turns a list request into a paged one: `.paginated(page, per_page)` for page
/// numbers in an envelope (the form the runtime has always had), `.paged(style, items)` otherwise.
/// Every name and path is the document's or configuration's text as a string literal.
fn paging_call(p: &Pagination, envelope: bool) -> TokenStream {
    let path = |segments: &[String]| quote!(&[#(#segments),*]);
    if let (PageStyle::PageNumber { page_param, per_page_param }, true) = (&p.style, envelope) {
        return quote!(.paginated(#page_param, #per_page_param));
    }
    let style = match &p.style {
        PageStyle::PageNumber { page_param, per_page_param } => quote!(crate::Paging::PageNumber { page: #page_param, per_page: #per_page_param }),
        PageStyle::Cursor { param, next } => {
            let next = path(next);
            quote!(crate::Paging::Cursor { param: #param, next: #next })
        }
        PageStyle::HasMore { param, has_more, id_field } => {
            let has_more = path(has_more);
            quote!(crate::Paging::HasMore { param: #param, has_more: #has_more, id: #id_field })
        }
        PageStyle::OffsetLimit { offset_param, limit_param, total } => {
            let total = match total {
                Some(t) => {
                    let t = path(t);
                    quote!(Some(#t))
                }
                None => quote!(None),
            };
            quote!(crate::Paging::OffsetLimit { offset: #offset_param, limit: #limit_param, total: #total })
        }
        PageStyle::LinkHeader => quote!(crate::Paging::LinkHeader),
        PageStyle::NextLink { next } => {
            let next = path(next);
            quote!(crate::Paging::NextLink { next: #next })
        }
    };
    let items = path(&p.items);
    let unwrap = if envelope { TokenStream::new() } else { quote!(.without_envelope()) };
    quote!(#unwrap .paged(#style, #items))
}

/// The operation's parameters struct (query, header and body fields), if it has one.
pub(crate) fn params_struct<'a>(api: &'a Api, op: &'a Operation) -> Option<(&'a str, &'a Struct)> {
    let name = op.params.as_deref()?;
    match api.types.get(name).map(|t| &t.kind) {
        Some(TypeKind::Struct(s)) => Some((name, s)),
        _ => None,
    }
}

/// True when the method takes its parameters struct as an argument: something in it is
/// required, so no request without it is valid, or the method returns a stream, whose request
/// has no setters. Otherwise the request starts from the struct's default and takes the
/// parameters by name.
pub(crate) fn params_positional(op: &Operation, s: &Struct) -> bool {
    s.fields.iter().any(|f| f.required) || is_stream(op)
}

/// True when the method returns a stream request (`StreamRequest`, `EventRequest`), which
/// puts the parameters on the request when it is made (so the request has no setters).
pub(crate) fn is_stream(op: &Operation) -> bool {
    matches!(op.response, Response::Stream { .. } | Response::Events(_))
}

/// A resource method's arguments after `&self`, as (name, type): the path parameters in path
/// order, then `params` (by value) when the operation's parameters struct has a required field.
pub(crate) fn arguments(api: &Api, op: &Operation) -> Vec<(Ident, TokenStream)> {
    let mut args: Vec<(Ident, TokenStream)> = op.path_params.iter().map(|p| (ident(&p.rust_name), path_arg_ty(&api.types, &p.ty).0)).collect();
    if let Some((p, _)) = params_struct(api, op).filter(|(_, s)| params_positional(op, s)) {
        let p = ident(p);
        args.push((ident("params"), quote!(crate::models::#p)));
    }
    args
}

/// What a resource method returns, and `finish`, the method call (if any) that turns the
/// request into it. A request carries the operation's parameters struct as its last type
/// parameter (`()` when it has none).
pub(crate) fn returns(api: &Api, op: &Operation) -> (TokenStream, TokenStream) {
    let params = params_struct(api, op).map(|(p, _)| {
        let p = ident(p);
        quote!(crate::models::#p)
    });
    // `Request<'c, T>`, or `Request<'c, T, crate::AsJson, P>` with parameters.
    let request = |t: TokenStream| match &params {
        Some(p) => quote!(crate::Request<'c, #t, crate::AsJson, #p>),
        None => quote!(crate::Request<'c, #t>),
    };
    match (&op.response, &op.pagination) {
        (response, Some(pg)) => {
            let item = ty_tokens(&pg.item);
            let ret = match &params {
                Some(p) => quote!(crate::PageRequest<'c, #item, #p>),
                None => quote!(crate::PageRequest<'c, #item>),
            };
            (ret, paging_call(pg, matches!(response, Response::Envelope(_))))
        }
        (Response::Envelope(ty), None) => (request(ty_tokens(ty)), TokenStream::new()),
        (Response::Body(ty), _) => (request(ty_tokens(ty)), quote!(.without_envelope())),
        (Response::Empty, _) => (request(quote!(())), quote!(.without_envelope())),
        // The parameters go on the request when `.items(…)` or `.events(…)` makes the stream of it.
        (stream @ (Response::Stream { .. } | Response::Events(_)), _) => match body::raw_response(stream) {
            Some((t, _, finish, _)) => (t, finish),
            None => (request(quote!(())), quote!(.without_envelope())),
        },
        (raw, _) => match body::raw_response(raw) {
            Some((t, decode, finish, _)) => {
                let ret = match &params {
                    Some(p) => quote!(crate::Request<'c, #t, #decode, #p>),
                    None => quote!(crate::Request<'c, #t, #decode>),
                };
                (ret, finish)
            }
            None => (request(quote!(())), quote!(.without_envelope())),
        },
    }
}

/// The setter of each field of a parameters struct on its request, by name: the field's own
/// name, unless a method of the runtime's request (or an earlier setter) has it, then with
/// `_param` (and a number) added. The additional-properties map has none (`.params(…)` sets it).
pub(crate) fn setters(s: &Struct) -> Vec<(&Field, String)> {
    let fields: BTreeSet<&str> = s.fields.iter().map(|f| f.rust_name.as_str()).collect();
    let mut taken: BTreeSet<String> = crate::render::REQUEST_METHODS.iter().map(|m| m.to_string()).collect();
    let mut out = Vec::new();
    for f in &s.fields {
        let mut name = f.rust_name.clone();
        let mut n = 1;
        while taken.contains(&name) || (name != f.rust_name && fields.contains(name.as_str())) {
            // A keyword's trailing `_` goes first: `type__param` would not be snake case.
            let stem = f.rust_name.trim_end_matches('_');
            name = if n == 1 { format!("{stem}_param") } else { format!("{stem}_param{n}") };
            n += 1;
        }
        taken.insert(name.clone());
        out.push((f, name));
    }
    out
}

/// What a parameters struct does for its operation's request: `impl crate::Params` (the
/// statements that put its fields on the request when it is sent) and a setter per field on
/// the request type the operation returns.
fn params_impls(api: &Api, op: &Operation) -> TokenStream {
    let Some((name, s)) = params_struct(api, op) else { return TokenStream::new() };
    let pname = ident(name);
    let steps = param_steps(api, op, s);
    let (req, bind) = if steps.is_empty() { (quote!(req), TokenStream::new()) } else { (quote!(mut req), quote!(let params = self;)) };
    let setters = setters(s).into_iter().map(|(f, setter)| {
        let fname = ident(&f.rust_name);
        let setter = ident(&setter);
        let mut inner = ty_tokens(&f.ty);
        if f.boxed {
            inner = quote!(Box<#inner>);
        }
        if sends_null(s, f) {
            inner = quote!(Option<#inner>);
        }
        let value = if f.required { quote!(value.into()) } else { quote!(Some(value.into())) };
        // No intra-doc link: a module's output is rebased on tokens, not in doc text.
        let doc = format!(" Sets `{name}::{}` (see its docs in `models`).", f.rust_name);
        let deprecated = if f.deprecated { quote!(#[deprecated]) } else { TokenStream::new() };
        quote! {
            #[doc = #doc]
            #deprecated
            pub fn #setter(mut self, value: impl Into<#inner>) -> Self {
                self.params_mut().#fname = #value;
                self
            }
        }
    });
    let target = if op.pagination.is_some() {
        quote!(impl<T> crate::PageRequest<'_, T, crate::models::#pname>)
    } else {
        quote!(impl<T, D> crate::Request<'_, T, D, crate::models::#pname>)
    };
    let apply = quote! {
        impl crate::Params for crate::models::#pname {
            fn apply<'c>(&self, #req: crate::Request<'c, ()>) -> crate::Request<'c, ()> {
                #bind
                #(#steps)*
                req
            }
        }
    };
    if is_stream(op) {
        return apply;
    }
    quote! {
        #apply

        #target {
            #(#setters)*
        }
    }
}

/// The statements that put a parameters struct's query, header and body fields on `req`,
/// reading them from `params`.
fn param_steps(api: &Api, op: &Operation, s: &Struct) -> Vec<TokenStream> {
    let mut steps = Vec::new();
    for f in &s.fields {
        if f.location == FieldLocation::Body {
            continue;
        }
        let fname = ident(&f.rust_name);
        let json = &f.json_name;
        let (call, value) = match (f.location, &f.ty) {
            _ if f.sends_members(&api.types) => {
                // `in: querystring` and exploded `form` objects send the members alone,
                // `deepObject` as `name[member]`.
                let prefix = if f.style == ParamStyle::DeepObject { quote!(Some(#json)) } else { quote!(None) };
                let call = if f.required {
                    quote!(let v = &params.#fname; req = req.query_members(#prefix, v);)
                } else {
                    quote!(if let Some(v) = &params.#fname { req = req.query_members(#prefix, v); })
                };
                steps.push(call);
                continue;
            }
            _ if f.joins_members(&api.types) => (quote!(query_joined), quote!(v)),
            (FieldLocation::Cookie, ty) => {
                // Each value once (`form` exploded) or the items joined by commas.
                let (item, many) = match ty {
                    Ty::Vec(item) => (item.as_ref(), true),
                    other => (other, false),
                };
                let kind = display_kind(&api.types, item);
                let text = |x: TokenStream| match kind {
                    Display::Direct => quote!(#x.to_string()),
                    Display::Rfc3339 => quote!(crate::Rfc3339Text(#x).to_string()),
                    Display::Optional => quote!(#x.as_ref().map(ToString::to_string).unwrap_or_default()),
                    Display::AsJson => quote!(crate::param_text(#x)),
                };
                let one = text(quote!(x));
                let values = match (many, f.style) {
                    (false, _) => {
                        let v = text(quote!(v));
                        quote!([#v])
                    }
                    (true, ParamStyle::Repeat) => quote!(v.iter().map(|x| #one)),
                    (true, _) => quote!([v.iter().map(|x| #one).collect::<Vec<_>>().join(",")]),
                };
                (quote!(cookie_param), values)
            }
            (FieldLocation::Query, Ty::Vec(item)) if f.style == ParamStyle::Repeat => {
                let values = match display_kind(&api.types, item) {
                    Display::Direct => quote!(v),
                    Display::Rfc3339 => quote!(v.iter().map(crate::Rfc3339Text)),
                    Display::Optional => quote!(v.iter().flatten()),
                    Display::AsJson => quote!(v.iter().map(crate::param_text)),
                };
                (quote!(query_each), values)
            }
            (location @ (FieldLocation::Query | FieldLocation::Header), Ty::Vec(item)) => {
                // One value, the items joined by the style's separator (`simple` for headers).
                let sep = match f.style {
                    ParamStyle::Space => " ",
                    ParamStyle::Pipe => "|",
                    ParamStyle::Tab => "\t",
                    _ => ",",
                };
                let texts = match display_kind(&api.types, item) {
                    Display::Direct => quote!(v.iter().map(ToString::to_string)),
                    Display::Rfc3339 => quote!(v.iter().map(|x| crate::Rfc3339Text(x).to_string())),
                    Display::Optional => quote!(v.iter().flatten().map(ToString::to_string)),
                    Display::AsJson => quote!(v.iter().map(crate::param_text)),
                };
                let call = if location == FieldLocation::Query { quote!(query) } else { quote!(header_param) };
                (call, quote!(&#texts.collect::<Vec<_>>().join(#sep)))
            }
            (location, ty) => {
                let call = if location == FieldLocation::Query { quote!(query) } else { quote!(header_param) };
                let value = match display_kind(&api.types, ty) {
                    Display::Direct => quote!(v),
                    Display::Rfc3339 => quote!(&crate::Rfc3339Text(v)),
                    Display::Optional | Display::AsJson => quote!(&crate::param_text(v)),
                };
                (call, value)
            }
        };
        if f.required {
            steps.push(quote! {
                let v = &params.#fname;
                req = req.#call(#json, #value);
            });
        } else {
            steps.push(quote! {
                if let Some(v) = &params.#fname {
                    req = req.#call(#json, #value);
                }
            });
        }
    }
    steps.extend(body::steps(api, op, s));
    steps
}

fn operation(api: &Api, path: &[String], op: &Operation) -> TokenStream {
    let mut doc = String::new();
    if let Some(s) = &op.summary {
        doc.push_str(s.trim());
    }
    if let Some(d) = &op.description {
        if op.summary.as_deref().map(str::trim) != Some(d.trim()) {
            if !doc.is_empty() {
                doc.push_str("\n\n");
            }
            doc.push_str(d.trim());
        }
    }
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&escape::md_code(&format!("{} {}", op.http_method, op.path)));
    if let Some(id) = &op.operation_id {
        doc.push_str(&format!(" (operationId {})", escape::md_code(id)));
    }
    doc.push('.');
    if let Some((_, s)) = params_struct(api, op) {
        if is_stream(op) {
            // A stream request has no setters.
        } else if params_positional(op, s) {
            doc.push_str(" `params` can be changed on the returned request by name too.");
        } else {
            doc.push_str(" Parameters are set by name on the returned request (one setter each) or all at once with `.params(…)`.");
        }
    }
    if op.pagination.is_some() {
        doc.push_str(" Returns one page (`.next_page()` fetches the next); `.auto_paging()` streams every item across pages.");
    }
    if let Some(note) = body::doc_note(op) {
        doc.push_str(&note);
    }
    if let Some((_, _, _, note)) = body::raw_response(&op.response) {
        doc.push_str(note);
    }
    if let Some(error) = &op.error {
        let shown = ty_tokens(error).to_string().replace(' ', "");
        doc.push_str(&format!(" Error responses decode with `Error::detail::<{shown}>()`."));
    }
    let server = op.server.and_then(|i| api.servers.operations.get(i).map(|s| (i, s)));
    if let Some((_, s)) = server {
        let url = s.default_url.as_deref().unwrap_or(&s.url);
        // Every method on a path item with a server names it: a long URL is cut, or a 64 KB
        // one repeated in 10,000 methods' docs wrote 670 MB.
        doc.push_str(&format!(
            " Sent to {}, the operation's own server in the API's document, unless the client was given a base URL.",
            escape::md_code(&escape::cut(url, MAX_DOC_URL))
        ));
    }
    let mut lines = escape::doc_prose(&doc);
    lines.push(String::new());
    lines.extend(example(api, path, op).into_iter().map(|l| format!(" {l}")));
    let doc_tokens = doc_lines(&lines);
    let deprecated = if op.deprecated {
        deprecated_attr(op.deprecation_note.as_deref(), Some("deprecated in the API"))
    } else {
        TokenStream::new()
    };

    let name = ident(&op.method_name);
    let args: Vec<TokenStream> = arguments(api, op).into_iter().map(|(n, ty)| quote!(#n: #ty)).collect();
    let mut encode = Vec::new();
    let styled = op.path_params.iter().any(|p| p.styled(&api.types));
    if styled {
        encode.push(quote!(let mut path_error = None;));
    }
    for p in &op.path_params {
        let pname = ident(&p.rust_name);
        let (_, by_value) = path_arg_ty(&api.types, &p.ty);
        if p.styled(&api.types) {
            // The runtime writes the style; a scalar goes in as the text a `simple` one sends.
            let text = match &p.ty {
                Ty::Mapped(m) if time_text(*m) => Some(quote!(crate::Rfc3339Text(&#pname).to_string())),
                _ if by_value => Some(quote!(#pname.to_string())),
                _ => None,
            };
            // A reference goes in as it is, a text made here by reference.
            let value = match text {
                Some(text) => {
                    encode.push(quote!(let #pname = #text;));
                    quote!(&#pname)
                }
                None => quote!(#pname),
            };
            let style = match p.style {
                PathStyle::Simple => quote!(Simple),
                PathStyle::Label => quote!(Label),
                PathStyle::Matrix => quote!(Matrix),
            };
            let (explode, json) = (p.explode, &p.json_name);
            encode.push(quote! {
                let #pname = crate::request::path_param(crate::request::PathStyle::#style, #explode, #json, #value, &mut path_error);
            });
        } else if let Ty::Mapped(m) = &p.ty {
            let text = if time_text(*m) { quote!(crate::Rfc3339Text(&#pname).to_string()) } else { quote!(#pname.to_string()) };
            encode.push(quote! {
                let #pname = #text;
                let #pname = crate::encode_path(&#pname);
            });
        } else if by_value {
            encode.push(quote! {
                let #pname = #pname.to_string();
                let #pname = crate::encode_path(&#pname);
            });
        } else {
            encode.push(quote!(let #pname = crate::encode_path(#pname);));
        }
    }
    // The path with `{name}` → `{rust_name}` (inline format args), other braces escaped.
    let escape_braces = |text: &str| text.replace('{', "{{").replace('}', "}}");
    let mut fmt = String::new();
    let mut params = op.path_params.iter();
    for segment in op.path.segments() {
        match segment {
            Segment::Literal(text) => fmt.push_str(&escape_braces(text)),
            Segment::Param(name) => match params.next() {
                Some(p) => fmt.push_str(&format!("{{{}}}", p.rust_name)),
                None => fmt.push_str(&escape_braces(&format!("{{{name}}}"))),
            },
        }
    }
    let path_expr = if encode.is_empty() {
        let p = op.path.as_str();
        quote!(#p.to_string())
    } else {
        quote!(format!(#fmt))
    };
    let method = http_method(&op.http_method);
    let template = op.path.as_str();
    let (ret, finish) = returns(api, op);
    // An operation that does not declare its own keeps the document's (`DEFAULT_SECURITY`,
    // which `Request::new` sets).
    let security = op.security.as_deref().map(|s| {
        let s = auth::security_tokens(s);
        quote!(.security(#s))
    });
    // A response read as bytes or text turns a request of `()` into one of its own.
    let new = if body::raw_response(&op.response).is_some() { quote!(crate::Request::<()>::new) } else { quote!(crate::Request::new) };
    let server = match server {
        Some((i, _)) => {
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            quote!(.server(#i))
        }
        None => TokenStream::new(),
    };
    let params = match params_struct(api, op) {
        Some((_, s)) if params_positional(op, s) => quote!(.with_params(params)),
        Some((p, _)) => {
            let p = ident(p);
            quote!(.with_params(crate::models::#p::default()))
        }
        None => TokenStream::new(),
    };
    // A response that is not plain JSON is asked for by its own media types.
    let accept = op.accept.as_deref().map(|a| quote!(.header("accept", #a))).unwrap_or_default();
    let path_error = if styled { quote!(.path_error(path_error)) } else { TokenStream::new() };
    let body = quote!(#new(self.client, #method, #template, path) #path_error #security #accept #server #params #finish);
    quote! {
        #doc_tokens
        #deprecated
        pub fn #name(&self, #(#args),*) -> #ret {
            #(#encode)*
            let path = #path_expr;
            #body
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{longest_gate, reached_from};

    #[test]
    fn gates_are_kept_shortest_first_a_whole_length_at_a_time() {
        // Everything fits: no limit.
        assert_eq!(longest_gate(&[0, 1, 2, 2, 3], 8), usize::MAX);
        // 1 + 2 + 2 = 5 fits, the 3 does not: gates of up to 2 features stay.
        assert_eq!(longest_gate(&[3, 2, 0, 1, 2], 7), 2);
        // The second gate of length 2 would pass the budget: both go, not one of them.
        assert_eq!(longest_gate(&[1, 2, 2], 4), 1);
        assert_eq!(longest_gate(&[5, 5], 4), 4);
        assert_eq!(longest_gate(&[], 0), usize::MAX);
    }

    /// The sets reaching each node, found by one search per set.
    fn by_search(edges: &[Vec<usize>], seeds: &[Vec<usize>]) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); edges.len()];
        for (set, nodes) in seeds.iter().enumerate() {
            let mut seen = vec![false; edges.len()];
            let mut stack = nodes.clone();
            while let Some(t) = stack.pop() {
                if !std::mem::replace(&mut seen[t], true) {
                    out[t].push(set);
                    stack.extend(&edges[t]);
                }
            }
        }
        out
    }

    #[test]
    fn reached_from_matches_one_search_per_set() {
        // A small deterministic generator: graphs with cycles, self-loops, shared targets,
        // and more than 64 seed sets so that the bit sets span several words.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for round in 0..60 {
            let n = 1 + next(120);
            let edges: Vec<Vec<usize>> = (0..n).map(|_| (0..next(4)).map(|_| next(n)).collect()).collect();
            let sets = if round % 3 == 0 { 70 + next(60) } else { 1 + next(8) };
            let seeds: Vec<Vec<usize>> = (0..sets).map(|_| (0..next(3)).map(|_| next(n)).collect()).collect();
            let reach = reached_from(&edges, &seeds).expect("a small table");
            let lists: Vec<Vec<usize>> = (0..n).map(|t| reach.members(t).collect()).collect();
            assert!((0..n).all(|t| reach.count(t) == lists[t].len()));
            assert_eq!(lists, by_search(&edges, &seeds), "round {round}");
        }
        // A chain far longer than any call stack would allow with recursion.
        let n = 200_000;
        let chain: Vec<Vec<usize>> = (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![0] }).collect();
        let reached = reached_from(&chain, &[vec![n / 2]]).expect("a small table");
        assert!((0..n).all(|t| reached.members(t).eq([0])));
    }
}
