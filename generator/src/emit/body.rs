//! The statements that put an operation's body on its request, by content type, and the
//! request type its response gives.

use proc_macro2::TokenStream;
use quote::quote;

use super::{display_kind, ident, Display};
use crate::escape;
use crate::ir::*;

/// Statements adding the body to `req` (a `crate::Request` being sent with `params`).
pub(super) fn steps(api: &Api, op: &Operation, s: &Struct) -> Vec<TokenStream> {
    let Some(body) = &op.body else { return Vec::new() };
    let media = body.media.as_str();
    // The field sent as the whole body, by reference, and whether it is optional.
    let whole = op.body_field.as_ref().map(|field| {
        let required = s.fields.iter().any(|f| &f.rust_name == field && f.required);
        (ident(field), required)
    });
    // `call` makes the request method's call from the value expression.
    let send = |call: &dyn Fn(TokenStream) -> TokenStream| -> Vec<TokenStream> {
        match &whole {
            Some((fname, true)) => {
                let call = call(quote!(&params.#fname));
                vec![quote!(req = req.#call;)]
            }
            Some((fname, false)) => {
                let call = call(quote!(body));
                vec![quote! {
                    if let Some(body) = &params.#fname {
                        req = req.#call;
                    }
                }]
            }
            None => {
                let call = call(quote!(params));
                vec![quote!(req = req.#call;)]
            }
        }
    };
    match &body.kind {
        BodyKind::Json => send(&|v| quote!(json(#v))),
        BodyKind::Form => send(&|v| quote!(form(#v))),
        BodyKind::Binary => send(&|v| quote!(upload(#v, #media))),
        BodyKind::Text => send(&|v| quote!(text(#v, #media))),
        BodyKind::Multipart { .. } if whole.is_some() => send(&|v| quote!(multipart(crate::Multipart::clone(#v)))),
        BodyKind::Multipart { content_types } => {
            let mut out = vec![quote!(let mut form = crate::Multipart::new();)];
            for f in s.fields.iter().filter(|f| f.location == FieldLocation::Body) {
                let fname = ident(&f.rust_name);
                let add = add_part(api, &f.json_name, &f.ty, content_types.get(&f.json_name).map(String::as_str));
                out.push(if f.required {
                    quote! {
                        let v = &params.#fname;
                        #add
                    }
                } else {
                    quote! {
                        if let Some(v) = &params.#fname {
                            #add
                        }
                    }
                });
            }
            if let Some(ty) = &s.extra {
                let add = add_part_named(api, quote!(name), ty, None);
                out.push(quote! {
                    for (name, v) in &params.additional_properties {
                        #add
                    }
                });
            }
            out.push(quote!(req = req.multipart(form);));
            out
        }
    }
}

/// Adds the value `v` of type `ty` to `form` as the part(s) `name`.
fn add_part(api: &Api, name: &str, ty: &Ty, content_type: Option<&str>) -> TokenStream {
    add_part_named(api, quote!(#name), ty, content_type)
}

fn add_part_named(api: &Api, name: TokenStream, ty: &Ty, content_type: Option<&str>) -> TokenStream {
    let ct = content_type.map(|c| quote!(.content_type(#c)));
    let one = |ty: &Ty| match (ty, display_kind(&api.types, ty)) {
        (Ty::Upload, _) => quote!(form = form.file(#name, v) #ct;),
        (_, Display::Direct) => quote!(form = form.text(#name, v) #ct;),
        _ => quote!(form = form.json(#name, v) #ct;),
    };
    match ty {
        // A list is one part per item, under the same name.
        Ty::Vec(item) if matches!(**item, Ty::Upload) || display_kind(&api.types, item) == Display::Direct => {
            let add = one(item);
            quote! {
                for v in v {
                    #add
                }
            }
        }
        other => one(other),
    }
}

/// For a response that is not JSON: the type it becomes and the request's decoder type
/// parameter, the call that makes the request return it, and the sentence its docs add;
/// `None` for JSON and empty responses.
pub(super) fn raw_response(response: &Response) -> Option<(TokenStream, TokenStream, TokenStream, &'static str)> {
    match response {
        Response::Stream { item, format } => {
            let item = super::ty_tokens(item);
            let framing = match format {
                StreamFormat::JsonLines => quote!(crate::ItemFraming::JsonLines),
                StreamFormat::EventStream => quote!(crate::ItemFraming::EventStream),
            };
            // The method returns `StreamRequest<'c, item>` (see `emit::returns`).
            Some((
                quote!(crate::StreamRequest<'c, #item>),
                TokenStream::new(),
                quote!(.returning_bytes().items(#framing)),
                " Returns the response's items as they arrive: `.await` opens it, a `futures_core::Stream` (or `.try_next().await`) decodes each.",
            ))
        }
        Response::Events(data) => {
            let decode = if *data == Ty::String { quote!(crate::AsText) } else { quote!(crate::AsJson) };
            let data = super::ty_tokens(data);
            // The method returns `EventRequest<'c, data>` (see `emit::returns`).
            Some((
                quote!(crate::EventRequest<'c, #data>),
                TokenStream::new(),
                quote!(.returning_bytes().events::<#data, #decode>()),
                " Returns the server-sent events as they arrive: `.await` opens the stream, a `futures_core::Stream` (or `.try_next().await`) gives each event with its `data` decoded; it reconnects as `EventStream` says.",
            ))
        }
        Response::Bytes => Some((
            quote!(bytes::Bytes),
            quote!(crate::AsBytes),
            quote!(.returning_bytes()),
            " Returns the response body's bytes; `.send_streaming()` reads it as it arrives instead.",
        )),
        Response::Text => Some((quote!(String), quote!(crate::AsText), quote!(.returning_text()), " Returns the response body as text.")),
        _ => None,
    }
}

/// The sentence a method's docs add about the body it sends, when that is not plain JSON.
pub(super) fn doc_note(op: &Operation) -> Option<String> {
    let body = op.body.as_ref()?;
    if body.kind == BodyKind::Json && body.others.is_empty() {
        return None;
    }
    let mut note = format!(" Sends its body as {}", escape::md_code(&body.media));
    if !body.others.is_empty() {
        let others: Vec<String> = body.others.iter().map(|m| escape::md_code(m)).collect();
        note.push_str(&format!(" (the API also accepts {})", others.join(", ")));
    }
    note.push('.');
    Some(note)
}
