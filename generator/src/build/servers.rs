//! Servers: the document's list (the crate's default base URL is its first server with each
//! variable's default, when that is an http(s) URL with a host) and the servers operations
//! declare for themselves. What the crate cannot use as written is a located warning.

use super::Builder;
use crate::ir::{Server, ServerVariable};
use crate::spec::servers::{self, url_kind, UrlKind};
use crate::spec::PathOp;

/// The IR form of a server the spec read.
fn ir_server(s: &servers::Server) -> Server {
    Server {
        url: s.url.clone(),
        description: s.description.clone(),
        variables: s
            .variables
            .iter()
            .map(|v| ServerVariable { name: v.name.clone(), default: v.default.clone(), allowed: v.allowed.clone(), description: v.description.clone() })
            .collect(),
        default_url: s.default_url().ok(),
    }
}

/// A base URL as the client keeps it: trimmed, without trailing slashes.
pub(super) fn trimmed(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

impl Builder<'_> {
    fn report_server(&mut self, server: &servers::Server) {
        for issue in server.issues() {
            self.diag(issue.code, &issue.pointer, issue.message);
        }
    }

    /// Reads the document's `servers` into the IR; returns the default base URL they give: the
    /// first server's URL with its variables' defaults, when that is an http(s) URL with a host.
    pub(super) fn document_servers(&mut self) -> Option<String> {
        let list = self.spec.document_servers();
        for s in &list {
            self.report_server(s);
        }
        self.servers.list = list.iter().map(ir_server).collect();
        let first = list.first()?.default_url().ok()?;
        (url_kind(&first) == UrlKind::Absolute).then(|| trimmed(&first))
    }

    /// The server an operation declares for itself, as an index into the operation servers:
    /// the first of its (or its path item's) `servers`, unless that is the document's first
    /// server (then the client's base URL applies, whichever server the user picked) or its
    /// URL cannot be made (warned about).
    pub(super) fn operation_server(&mut self, op: &PathOp<'_>) -> Option<usize> {
        let declared = self.spec.operation_server(op)?;
        let first = ir_server(&declared);
        let document_first = self.servers.list.first();
        if document_first.is_some_and(|d| d.url == first.url && d.variables == first.variables) {
            return None;
        }
        // A path item's server is every operation's in it: warned about once.
        if self.reported_servers.insert(declared.pointer.clone()) {
            self.report_server(&declared);
        }
        let url = first.default_url.as_deref()?;
        if matches!(url_kind(url), UrlKind::Invalid(_)) {
            return None;
        }
        let same_url = self.server_indices.entry(first.url.clone()).or_default();
        let operations = &mut self.servers.operations;
        let index = match same_url.iter().copied().find(|&i| operations[i].variables == first.variables) {
            Some(i) => i,
            None => {
                operations.push(first);
                same_url.push(operations.len() - 1);
                operations.len() - 1
            }
        };
        Some(index)
    }
}
