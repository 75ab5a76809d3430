//! Security requirements: the `security` list that applies to an operation (its own, else the
//! document's), read the same way by `build` (which authentication a request sends) and `diff`
//! (which alternatives an update removed or added).

use std::collections::BTreeMap;

use serde_json::Value;

use super::Spec;
use crate::locate::join;

/// One alternative of a `security` list: scheme name → its scopes, sorted. Empty means the
/// operation may be called without credentials.
pub type Requirement = BTreeMap<String, Vec<String>>;

/// A `security` list and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityList {
    pub pointer: String,
    /// Each alternative with its index in the list (items that are not objects are skipped).
    pub alternatives: Vec<(usize, Requirement)>,
}

impl Spec<'_> {
    /// The `security` list at `ptr`; `None` when none is written there.
    pub fn security_list(&self, ptr: &str) -> Option<SecurityList> {
        let list = self.get(ptr)?.as_array()?;
        let alternatives = list
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let requirement = item
                    .as_object()?
                    .iter()
                    .map(|(name, scopes)| {
                        let mut scopes: Vec<String> = scopes.as_array().map(|s| s.iter().filter_map(Value::as_str).map(String::from).collect()).unwrap_or_default();
                        scopes.sort();
                        (name.clone(), scopes)
                    })
                    .collect();
                Some((i, requirement))
            })
            .collect();
        Some(SecurityList { pointer: ptr.to_string(), alternatives })
    }

    /// The security of the operation at `op_ptr`: its own `security` list, else the document's
    /// top-level one (OpenAPI's override rule); `None` when neither is written.
    pub fn operation_security(&self, op_ptr: &str) -> Option<SecurityList> {
        self.security_list(&join(op_ptr, "security")).or_else(|| self.security_list("/security"))
    }
}
