//! `src/servers.rs`: the document's servers as the runtime's `Server` values, the list users pick
//! from (`SERVERS`) and the servers operations declare for themselves (`OPERATION_SERVERS`).
//! Every string from the document is a string literal or escaped doc text.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_attrs;
use crate::escape;
use crate::ir::{Api, Server};

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

fn server_tokens(s: &Server) -> TokenStream {
    let url = &s.url;
    let description = opt_str(s.description.as_deref());
    let variables = s.variables.iter().map(|v| {
        let name = &v.name;
        let default = opt_str(v.default.as_deref());
        let allowed = &v.allowed;
        let description = opt_str(v.description.as_deref());
        quote! {
            crate::ServerVariable {
                name: #name,
                default: #default,
                allowed: &[#(#allowed),*],
                description: #description,
            }
        }
    });
    quote! {
        crate::Server {
            url: #url,
            description: #description,
            variables: &[#(#variables),*],
        }
    }
}

/// One Markdown line about a server for the list's docs: its URL, description and variables.
pub fn describe(index: usize, s: &Server) -> String {
    let mut line = format!("- `{index}`: {}.", escape::md_code(&s.url));
    if let Some(d) = s.description.as_deref().map(|d| d.trim().trim_end_matches('.')).filter(|d| !d.is_empty()) {
        line.push_str(&format!(" {}.", escape::md_text(d)));
    }
    if !s.variables.is_empty() {
        let vars: Vec<String> = s
            .variables
            .iter()
            .map(|v| {
                let default = match &v.default {
                    Some(d) => format!("default {}", escape::md_code(d)),
                    None => "no default".to_string(),
                };
                let allowed = if v.allowed.is_empty() {
                    String::new()
                } else {
                    format!("; one of {}", v.allowed.iter().map(|a| escape::md_code(a)).collect::<Vec<_>>().join(", "))
                };
                format!("{} ({default}{allowed})", escape::md_code(&v.name))
            })
            .collect();
        line.push_str(&format!(" Variables: {}.", vars.join(", ")));
    }
    line
}

pub fn servers(api: &Api) -> TokenStream {
    let list: Vec<TokenStream> = api.servers.list.iter().map(server_tokens).collect();
    let ops: Vec<TokenStream> = api.servers.operations.iter().map(server_tokens).collect();
    let mut doc = String::from(
        "The servers of the API's document, in its order. [`ClientBuilder::server`](crate::ClientBuilder::server) \
         picks one by index (the first unless told otherwise) and \
         [`ClientBuilder::server_variable`](crate::ClientBuilder::server_variable) sets the variables of its URL; \
         a base URL given to the builder wins over both.\n\n",
    );
    if api.servers.list.is_empty() {
        doc.push_str("The document lists none: requests go to the base URL the client is given.");
    } else {
        let lines: Vec<String> = api.servers.list.iter().enumerate().map(|(i, s)| describe(i, s)).collect();
        doc.push_str(&lines.join("\n"));
    }
    let doc = doc_attrs(Some(&doc));
    quote! {
        //! Where requests go: the servers of the API's document.

        #doc
        pub static SERVERS: &[crate::Server] = &[#(#list),*];

        /// The servers operations declare for themselves (in their path item or their own
        /// `servers`): each such operation is sent to its server unless the client was given a
        /// base URL.
        pub(crate) static OPERATION_SERVERS: &[crate::Server] = &[#(#ops),*];
    }
}
