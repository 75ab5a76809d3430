//! Error bodies: the non-2XX responses an operation documents with a JSON schema, as the type
//! `Error::detail` decodes them to.

use serde_json::{Map, Value};

use super::body::ResponseContent;
use super::{BuildError, Builder};
use crate::ir::{ErrorStatus, ErrorVariant, Ty, TypeDef, TypeKind};
use crate::locate::join;
use crate::spec::content::success_status;

impl Builder<'_> {
    /// The operation's error type: `None` when no error response has a JSON schema, the one
    /// type when every such response has the same, else an enum `{base}Error` with a variant
    /// per status.
    pub(super) fn error_body(&mut self, op_ptr: &str, op: &Map<String, Value>, base: &str) -> Result<Option<Ty>, BuildError> {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return Ok(None);
        };
        let success = success_status(responses);
        let mut statuses: Vec<(ErrorStatus, &str)> = responses
            .keys()
            .filter(|k| Some(k.as_str()) != success)
            .filter_map(|k| ErrorStatus::parse(k).map(|s| (s, k.as_str())))
            .collect();
        statuses.sort();
        statuses.dedup_by_key(|(s, _)| *s);
        let responses_ptr = join(op_ptr, "responses");
        let mut variants = Vec::new();
        for (status, key) in statuses {
            // An error response the document refers to elsewhere (another file, a missing
            // pointer) gives no detail type; the method still works, as it did without one.
            let Ok(resp_ptr) = self.spec.target(&join(&responses_ptr, key)) else {
                continue;
            };
            let ResponseContent::Json(media) = self.response_content(&resp_ptr) else {
                continue;
            };
            let schema_ptr = join(&join(&join(&resp_ptr, "content"), &media), "schema");
            if self.spec.get(&schema_ptr).is_none() {
                continue;
            }
            let name = variant_name(status);
            let (ty, _) = self.ty_of(&schema_ptr, &format!("{base}{name}Body"))?;
            let ty = self.plain_time(ty, &schema_ptr, "the error body");
            variants.push(ErrorVariant { name, status, ty });
        }
        let Some(first) = variants.first() else {
            return Ok(None);
        };
        if variants.iter().all(|v| v.ty == first.ty) {
            return Ok(Some(first.ty.clone()));
        }
        let name = self.claim(&format!("{base}Error"), &format!("{op_ptr}#error"));
        self.add_type(TypeDef {
            name: name.clone(),
            docs: None,
            deprecated: false,
            deprecation_note: None,
            kind: TypeKind::ErrorBody(variants),
        });
        Ok(Some(Ty::Named(name)))
    }
}

/// `NotFound` for `404`, `ClientError` for `4XX`, `Other` for `default`, `Status418` for codes
/// without a common name.
fn variant_name(status: ErrorStatus) -> String {
    let named = match status {
        ErrorStatus::Default => "Other",
        ErrorStatus::Class(1) => "Informational",
        ErrorStatus::Class(3) => "Redirection",
        ErrorStatus::Class(4) => "ClientError",
        ErrorStatus::Class(5) => "ServerError",
        ErrorStatus::Code(c) => match c {
            300 => "MultipleChoices",
            304 => "NotModified",
            400 => "BadRequest",
            401 => "Unauthorized",
            402 => "PaymentRequired",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            406 => "NotAcceptable",
            408 => "RequestTimeout",
            409 => "Conflict",
            410 => "Gone",
            412 => "PreconditionFailed",
            413 => "PayloadTooLarge",
            415 => "UnsupportedMediaType",
            422 => "UnprocessableEntity",
            423 => "Locked",
            429 => "TooManyRequests",
            500 => "InternalServerError",
            501 => "NotImplemented",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            504 => "GatewayTimeout",
            _ => return format!("Status{c}"),
        },
        ErrorStatus::Class(c) => return format!("Status{c}XX"),
    };
    named.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_the_document_writes_them() {
        assert_eq!(ErrorStatus::parse("404"), Some(ErrorStatus::Code(404)));
        assert_eq!(ErrorStatus::parse("4XX"), Some(ErrorStatus::Class(4)));
        assert_eq!(ErrorStatus::parse("5xx"), Some(ErrorStatus::Class(5)));
        assert_eq!(ErrorStatus::parse("default"), Some(ErrorStatus::Default));
        for not_error in ["200", "2XX", "204", "600", "40", "4040", "x04", "4X0", "", "Default"] {
            assert_eq!(ErrorStatus::parse(not_error), None, "{not_error}");
        }
        assert_eq!(variant_name(ErrorStatus::Code(404)), "NotFound");
        assert_eq!(variant_name(ErrorStatus::Code(418)), "Status418");
        assert_eq!(variant_name(ErrorStatus::Class(4)), "ClientError");
    }
}
