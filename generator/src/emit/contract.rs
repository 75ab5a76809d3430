//! `tests/contract.rs`: every operation called against Prism mocking the crate's document, once
//! with its required arguments and once with all of them, each call built by the code that
//! builds the rustdoc examples (`example_parts`, `CallParts::call`) with values the document's
//! schemas accept. Written as text, then parsed, so anything that is not Rust fails here.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;

use super::{example_parts, Fill, Plan};
use crate::escape;
use crate::ir::{Api, Body, BodyKind, FieldLocation, Operation, Resource, Ty};

/// The `TokenSource` the test hands to ways of authenticating that take one.
const TOKEN_SOURCE: &str = "ContractToken";

/// One operation's calls, in resource order.
struct Calls {
    /// `resource.path.method`.
    label: String,
    feature: Option<String>,
    /// The way to authenticate (index into `Security::requirements`), `None` for none.
    way: Option<usize>,
    /// (`required` or `all`, the function's name, its body lines); empty when no value of a
    /// required argument can be built.
    calls: Vec<(&'static str, String, Vec<String>)>,
    /// `METHOD` and the path as a code span, for the function's doc comment.
    http: String,
    /// The `prism::Known` limitations its calls meet, as Rust expressions.
    known: Vec<String>,
}

/// The test file, as tokens to format; `Err` names what did not parse (a generator bug).
pub fn contract_tests(api: &Api, plan: &Plan) -> Result<TokenStream, String> {
    let text = contract_text(api, plan);
    text.parse::<TokenStream>().map_err(|e| format!("tests/contract.rs does not parse: {e}"))
}

fn contract_text(api: &Api, plan: &Plan) -> String {
    let lib = &api.meta.lib_name;
    let mut ops = Vec::new();
    collect(api, plan, &api.root, &mut Vec::new(), &mut BTreeSet::new(), &mut ops);
    let uses_token = ops.iter().filter_map(|o| o.way).any(|w| {
        let r = &api.security.requirements[w];
        r.schemes.iter().any(|&i| api.security.schemes[i].kind == crate::ir::SchemeKind::Token)
    });
    let mut out = String::new();
    out.push_str("//! Contract tests: every operation the generator could write a call for, called against\n");
    out.push_str("//! Prism mocking the API's document, once with its required arguments and once with all of\n");
    out.push_str("//! them; a call that fails or a violation Prism logs fails the test. How to run them is in\n");
    out.push_str("//! the crate's README (\"Contract tests\").\n");
    if !super::allow_deprecated(api).is_empty() {
        out.push_str("#![allow(deprecated)]\n");
    }
    out.push_str("#[path = \"contract/prism.rs\"]\nmod prism;\n");
    out.push_str(&format!("use {lib}::{{Client, Error}};\n"));
    let spec = match api.meta.contract.as_ref().and_then(|c| c.spec.as_deref()) {
        Some(s) => format!("Some({})", escape::rust_str(s)),
        None => "None".into(),
    };
    out.push_str("/// The document Prism mocks, relative to this crate, unless `CONTRACT_SPEC` names one.\n");
    out.push_str(&format!("const SPEC: Option<&str> = {spec};\n"));
    if uses_token {
        out.push_str("/// The token source of the ways to authenticate that take one: a fixed token.\n");
        out.push_str(&format!("struct {TOKEN_SOURCE};\n"));
        out.push_str(&format!("impl {lib}::TokenSource for {TOKEN_SOURCE} {{\n"));
        out.push_str(&format!("fn token(&self) -> {lib}::TokenFuture<'_> {{ Box::pin(std::future::ready(Ok(\"contract-token\".to_owned()))) }}\n}}\n"));
    }
    out.push_str("/// A client of Prism that authenticates the `way`th way of `auth::Auth` (`None`: not at all).\n");
    out.push_str("fn client(base_url: &str, way: Option<usize>) -> Client {\n");
    out.push_str("let builder = Client::builder().base_url(base_url).max_retries(0).timeout(std::time::Duration::from_secs(60));\n");
    let mut ways: Vec<usize> = ops.iter().filter_map(|o| o.way).collect();
    ways.sort_unstable();
    ways.dedup();
    let arms: Vec<String> = ways
        .iter()
        .filter_map(|&w| {
            let r = &api.security.requirements[w];
            let args = super::auth::args_with_token(&api.security, r, Some(TOKEN_SOURCE))?;
            Some(format!("Some({w}) => builder.{}({}),\n", r.method, args.join(", ")))
        })
        .collect();
    if arms.is_empty() {
        // No operation authenticates: a `match` of one arm is all clippy would see.
        out.push_str("let _ = way;\n");
    } else {
        out.push_str("let builder = match way {\n");
        out.extend(arms);
        out.push_str("_ => builder,\n};\n");
    }
    out.push_str("builder.build().expect(\"a client of Prism\")\n}\n");

    let called: usize = ops.iter().filter(|o| !o.calls.is_empty()).count();
    out.push_str("/// A call under way.\n");
    out.push_str("type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send>>;\n");
    out.push_str("/// One call, made with a client of Prism.\n");
    out.push_str("type Call = fn(Client) -> Pending;\n");
    out.push_str("/// A call in the table: (operation, arguments, way to authenticate, known limitations, call).\n");
    out.push_str("type Entry = (&'static str, &'static str, Option<usize>, &'static [prism::Known], Call);\n");
    out.push_str("/// Every call, in resource order.\n");
    // Pushes, not `vec![…]`: each is behind its resource's cargo feature, which an element of
    // a `vec![…]` cannot be. Without features clippy would rather see `vec![…]`.
    out.push_str("#[allow(clippy::vec_init_then_push, reason = \"each push is behind its resource's cargo feature when the crate has features\")]\n");
    out.push_str("fn calls() -> Vec<Entry> {\n");
    out.push_str("let mut calls: Vec<Entry> = Vec::new();\n");
    for op in &ops {
        let way = match op.way {
            Some(w) => format!("Some({w})"),
            None => "None".into(),
        };
        for (args, name, _) in &op.calls {
            push_gate(&mut out, &op.feature);
            let known = format!("&[{}]", op.known.join(", "));
            out.push_str(&format!("calls.push(({}, \"{args}\", {way}, {known}, {name}));\n", escape::rust_str(&op.label)));
        }
    }
    out.push_str("calls\n}\n");
    out.push_str(&format!(
        "/// Calls {called} of the crate's {} operations (an operation whose required arguments have no value the schemas accept is left out).\n",
        ops.len()
    ));
    out.push_str("#[tokio::test(flavor = \"multi_thread\", worker_threads = 2)]\n");
    out.push_str("async fn every_operation() {\n");
    out.push_str("let Some(prism) = prism::Prism::start_or_skip(SPEC) else { return };\n");
    out.push_str("let mut run = prism::Run::new(&prism);\n");
    out.push_str("for (op, args, way, known, call) in calls() {\n");
    out.push_str("let answer = call(client(prism.base_url(), way));\n");
    out.push_str("let failure = |e: Error| prism::Failure { status: e.status().map(|s| s.as_u16()), body: e.body().map(|b| String::from_utf8_lossy(b).into_owned()), message: e.to_string() };\n");
    out.push_str("run.call(op, args, known, async move { answer.await.map_err(failure) }).await;\n");
    out.push_str("}\n");
    out.push_str("run.finish();\n}\n");
    for op in &ops {
        for (args, name, body) in &op.calls {
            out.push_str(&format!("/// {} with {args} arguments.\n", op.http));
            push_gate(&mut out, &op.feature);
            out.push_str(&format!("fn {name}(client: Client) -> Pending {{\n"));
            out.push_str("Box::pin(async move {\n");
            for line in body {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("Ok::<(), Error>(())\n})\n}\n");
        }
    }
    out
}

fn push_gate(out: &mut String, feature: &Option<String>) {
    if let Some(f) = feature {
        out.push_str(&format!("#[cfg(feature = {})]\n", escape::rust_str(f)));
    }
}

/// Every operation under `node`, depth first in name order (the order of the crate's files).
/// `stems`: the function name stems already given, so a name two paths join to is numbered.
fn collect(api: &Api, plan: &Plan, node: &Resource, path: &mut Vec<String>, stems: &mut BTreeSet<String>, out: &mut Vec<Calls>) {
    for op in node.operations.values() {
        let mut label: Vec<&str> = path.iter().map(String::as_str).collect();
        label.push(&op.method_name);
        // Named after the method's path, not its place in the list, so that an operation added
        // to the document adds its own functions and renames none. Two paths that join to the
        // same name (`a_b.c`, `a.b_c`) number the later one.
        // A segment escaped with a trailing `_` (`move_`) would make a `__` in the name.
        let base = label.iter().map(|s| s.trim_end_matches('_')).collect::<Vec<_>>().join("_");
        let mut stem = base.clone();
        let mut n = 2;
        while stems.contains(&stem) {
            stem = format!("{base}_{n}");
            n += 1;
        }
        let mut calls = Vec::new();
        let required = call_lines(api, path, op, Fill::Required);
        let all = call_lines(api, path, op, Fill::All);
        if let Some(required) = required {
            let differs = all.as_ref().is_some_and(|a| *a != required);
            calls.push(("required", format!("call_{stem}_required"), required));
            if let (Some(all), true) = (all, differs) {
                calls.push(("all", format!("call_{stem}_all"), all));
            }
            stems.insert(stem);
        }
        out.push(Calls {
            label: label.join("."),
            feature: path.first().and_then(|m| plan.feature_of(m)).map(str::to_string),
            way: way_of(api, op),
            calls,
            http: escape::comment(&format!("{} {}", op.http_method, escape::md_code(op.path.as_str()))),
            known: known(api, op),
        });
    }
    for (name, child) in &node.children {
        path.push(name.clone());
        collect(api, plan, child, path, stems, out);
        path.pop();
    }
}

/// The body of a call function: the argument lines and the awaited call, or `None` when a
/// required argument has no value.
fn call_lines(api: &Api, path: &[String], op: &Operation, fill: Fill) -> Option<Vec<String>> {
    let parts = example_parts(api, op, fill);
    if parts.input.is_some() {
        return None;
    }
    let call = parts.call(path, op);
    let mut lines = parts.setup;
    lines.push(format!("{call}.await?;"));
    Some(lines)
}

/// The limitations of the mock a call of `op` is expected to meet (`prism::Known` values): an
/// upgrade answered `101`, `in: path` parameters its path does not name, and multipart parts Prism 5.15.0 cannot read as sent (JSON text,
/// repeated parts).
fn known(api: &Api, op: &Operation) -> Vec<String> {
    let mut known = Vec::new();
    if op.upgrade {
        known.push("prism::Known::Upgrade".to_string());
    }
    for name in &op.stray_path_params {
        known.push(format!("prism::Known::StrayPathParameter({})", escape::rust_str(name)));
    }
    if let (Some(Body { kind: BodyKind::Multipart { .. }, .. }), Some((_, s))) = (&op.body, super::params_struct(api, op)) {
        for f in s.fields.iter().filter(|f| f.location == FieldLocation::Body) {
            let ty = match &f.ty {
                Ty::Option(t) => t.as_ref(),
                t => t,
            };
            // Untyped JSON is written as JSON text too.
            let as_text = matches!(ty, Ty::Upload) || (super::display_kind(&api.types, ty) == super::Display::Direct && !matches!(ty, Ty::Json));
            if matches!(ty, Ty::Vec(_)) || !as_text {
                known.push(format!("prism::Known::PrismMultipartPart({})", escape::rust_str(&f.json_name)));
            }
        }
    }
    known
}

/// The way to authenticate the operation's first alternative is (`None`: no credentials).
fn way_of(api: &Api, op: &Operation) -> Option<usize> {
    let first = op.security.as_ref().unwrap_or(&api.security.default).first()?;
    if first.is_empty() {
        return None;
    }
    let mut wanted = first.clone();
    wanted.sort_unstable();
    api.security.requirements.iter().position(|r| {
        let mut have = r.schemes.clone();
        have.sort_unstable();
        have == wanted
    })
}
