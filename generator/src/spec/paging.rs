//! Paging detection: which list operations page, and how, from their query parameters and the
//! shape of their success response. The rules are deliberately narrow (known parameter and
//! property names, typed as the style needs); anything else is not paged unless the
//! configuration says so.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

use super::paths::Param;
use super::schema::{is_array, Props};
use super::{Spec, SpecError};
use crate::ir::PageStyle;
use crate::locate::join;

/// Query parameters that carry an opaque cursor.
pub const CURSOR_PARAMS: &[&str] = &["cursor", "page_token", "pageToken", "after", "next_token", "nextToken"];

/// Where a next cursor may be in a body, most specific first.
const NEXT_CURSOR: &[&[&str]] = &[
    &["result_info", "cursor"],
    &["result_info", "next_cursor"],
    &["result_info", "next_page_token"],
    &["result_info", "cursors", "after"],
    &["next_cursor"],
    &["nextCursor"],
    &["next_page_token"],
    &["nextPageToken"],
    &["next_token"],
    &["nextToken"],
    &["meta", "next_cursor"],
    &["meta", "nextCursor"],
    &["pagination", "next_cursor"],
    &["pagination", "nextCursor"],
    &["cursor"],
    &["meta", "next"],
    &["next"],
];

/// Where a `has_more` flag may be.
const HAS_MORE: &[&[&str]] = &[&["has_more"], &["hasMore"]];

/// Where the total number of items may be (offset/limit paging stops there).
const TOTAL: &[&[&str]] = &[
    &["result_info", "total_count"],
    &["total"],
    &["total_count"],
    &["totalCount"],
    &["meta", "total"],
    &["pagination", "total"],
];

/// Where the next page's URL may be in a body that pages by page number (Django REST
/// framework's `next`).
const NEXT_LINK: &[&[&str]] = &[&["next"], &["links", "next"], &["meta", "next"]];

/// Page-number query parameters.
const PAGE_PARAMS: &[&str] = &["page", "page_number", "pageNumber"];

/// Array properties preferred as the list when an object has several.
const LIST_NAMES: &[&str] = &["data", "items", "results"];

/// The list in a response body: its path from the root and the pointer of its array schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    pub path: Vec<String>,
    pub array_ptr: String,
}

/// A schema's properties ([`Spec::properties`]) indexed by name, and the array property
/// [`Spec::list_of`] takes from them once asked for: what paging detection reads of a response body. Made once per
/// body (see [`Spec::fields`]), so that the many paths detection tries, on each of the many
/// operations that may share one body, each cost a lookup rather than a walk of the properties.
#[derive(Debug)]
pub struct Fields {
    pub props: Props,
    index: HashMap<String, usize, foldhash::fast::RandomState>,
    /// The list property (name, resolved pointer), when [`Spec::list_of`] has looked.
    list: RefCell<Option<Option<(String, String)>>>,
}

impl Fields {
    fn new(props: Props) -> Fields {
        let mut index = HashMap::with_capacity_and_hasher(props.list.len(), foldhash::fast::RandomState::default());
        for (i, (name, _)) in props.list.iter().enumerate() {
            index.insert(name.clone(), i);
        }
        Fields { props, index, list: RefCell::new(None) }
    }

    pub fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The pointer of property `name`'s schema.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.index.get(name).map(|&i| self.props.list[i].1.as_str())
    }

    /// About the bytes the fields hold (names and pointers, twice for the index and arrays).
    pub(super) fn bytes(&self) -> usize {
        self.props.list.iter().map(|(n, p)| 2 * n.len() + 2 * p.len() + 64).sum::<usize>() + 64
    }
}

impl Spec<'_> {
    /// The properties of the schema at `ptr`, as [`Spec::properties`] makes them, remembered
    /// by pointer when the reader has a memo.
    pub fn fields(&self, ptr: &str) -> Result<Rc<Fields>, SpecError> {
        if let Some(found) = self.memo.and_then(|m| m.fields(ptr)) {
            return Ok(found);
        }
        let fields = Rc::new(Fields::new(self.properties(ptr)?));
        if let Some(memo) = self.memo {
            memo.remember_fields(ptr, &fields);
        }
        Ok(fields)
    }

    /// The schema pointer (`$ref`s followed) of the property at `path` below the schema at
    /// `ptr`, when every step is a declared property.
    pub fn property_at(&self, ptr: &str, path: &[&str]) -> Result<Option<String>, SpecError> {
        let mut at = self.target(ptr)?;
        for name in path {
            let fields = self.fields(&at)?;
            let Some(p) = fields.get(name) else { return Ok(None) };
            at = self.target(p)?;
        }
        Ok(Some(at))
    }

    /// The list property (name, resolved pointer) of the object schema at the (resolved)
    /// pointer `root`: its only array property, or with several `data`, `items` or `results`.
    /// Remembered with its fields: it resolves every property.
    fn list_property(&self, root: &str) -> Result<Option<(String, String)>, SpecError> {
        let fields = self.fields(root)?;
        if let Some(found) = fields.list.borrow().as_ref() {
            return Ok(found.clone());
        }
        let mut arrays = Vec::new();
        for (name, p) in &fields.props.list {
            let t = self.target(p)?;
            if self.object(&t).is_some_and(is_array) {
                arrays.push((name.clone(), t));
            }
        }
        let chosen = match arrays.len() {
            1 => arrays.pop(),
            _ => LIST_NAMES.iter().find_map(|n| arrays.iter().find(|(a, _)| a == n).cloned()),
        };
        *fields.list.borrow_mut() = Some(chosen.clone());
        Ok(chosen)
    }

    /// The `type` the schema at a (resolved) pointer declares.
    fn type_at(&self, ptr: &str) -> Option<&str> {
        self.object(ptr).and_then(|s| s.get("type")).and_then(Value::as_str)
    }

    /// True when the schema at a (resolved) pointer declares `format: uri`.
    fn is_uri(&self, ptr: &str) -> bool {
        self.object(ptr).and_then(|s| s.get("format")).and_then(Value::as_str) == Some("uri")
    }

    /// The list a success body carries: an envelope's `result` array, a body that is an array,
    /// or an object's only array property (with several: `data`, `items` or `results`).
    pub fn list_of(&self, schema_ptr: &str, envelope: bool) -> Result<Option<List>, SpecError> {
        let is_list = |ptr: &str| self.object(ptr).is_some_and(is_array);
        let root = self.target(schema_ptr)?;
        if envelope {
            let found = self.property_at(&root, &["result"])?.filter(|p| is_list(p));
            return Ok(found.map(|array_ptr| List { path: vec!["result".into()], array_ptr }));
        }
        if is_list(&root) {
            return Ok(Some(List { path: Vec::new(), array_ptr: root }));
        }
        let chosen = self.list_property(&root)?;
        Ok(chosen.map(|(name, array_ptr)| List { path: vec![name], array_ptr }))
    }

    /// The first of `candidates` that the body declares with a type `accept` allows.
    fn first_field(&self, root: &str, candidates: &[&[&str]], accept: impl Fn(Option<&str>, &str) -> bool) -> Result<Option<Vec<String>>, SpecError> {
        for path in candidates {
            if let Some(p) = self.property_at(root, path)? {
                if accept(self.type_at(&p), &p) {
                    return Ok(Some(path.iter().map(|s| s.to_string()).collect()));
                }
            }
        }
        Ok(None)
    }

    /// True when the list's items declare an `id` property.
    fn items_have_id(&self, list: &List) -> Result<bool, SpecError> {
        let items = join(&list.array_ptr, "items");
        if self.get(&items).is_none() {
            return Ok(false);
        }
        Ok(self.fields(&items)?.has("id"))
    }

    /// How a list operation pages, by these rules in order (`list` is the body's list, `query`
    /// the operation's query parameter names, `link` whether the response declares a `Link`
    /// header, `envelope` whether the body is a Cloudflare envelope):
    ///
    /// 1. `starting_after` in the query, a boolean `has_more` in the body and an `id` on the
    ///    items: [`PageStyle::HasMore`].
    /// 2. A cursor parameter ([`CURSOR_PARAMS`]) and a string or integer next-cursor field
    ///    ([`NEXT_CURSOR`], not a `format: uri`): [`PageStyle::Cursor`].
    /// 3. An envelope with `result_info`, and `page` and `per_page`: [`PageStyle::PageNumber`].
    /// 4. `offset` and `limit`: [`PageStyle::OffsetLimit`] (with a numeric total if one is declared).
    /// 5. A page-number parameter ([`PAGE_PARAMS`]) and a next-page URL in the body
    ///    ([`NEXT_LINK`], a string with `format: uri`), as Django REST framework's
    ///    `page`/`limit` (or `page_size`) with `count`/`next`/`results` bodies:
    ///    [`PageStyle::NextLink`]. Following the URL the server gives stops where it says,
    ///    rather than asking for a page after the last (which such servers answer with 404).
    /// 6. A declared `Link` header, or `page` and `per_page` with a body that is the list
    ///    itself (GitHub): [`PageStyle::LinkHeader`].
    pub fn detect_paging(&self, schema_ptr: &str, list: &List, params: &[Param], link: bool, envelope: bool) -> Result<Option<PageStyle>, SpecError> {
        let query = |n: &str| params.iter().any(|p| p.name == n && p.location == "query");
        let root = self.target(schema_ptr)?;
        if query("starting_after") && self.items_have_id(list)? {
            if let Some(has_more) = self.first_field(&root, HAS_MORE, |t, _| t == Some("boolean"))? {
                return Ok(Some(PageStyle::HasMore { param: "starting_after".into(), has_more, id_field: "id".into() }));
            }
        }
        if let Some(param) = CURSOR_PARAMS.iter().find(|n| query(n)) {
            let scalar = |t: Option<&str>, p: &str| matches!(t, None | Some("string") | Some("integer")) && !self.is_uri(p);
            if let Some(next) = self.first_field(&root, NEXT_CURSOR, scalar)? {
                return Ok(Some(PageStyle::Cursor { param: param.to_string(), next }));
            }
        }
        let page_params = query("page") && query("per_page");
        if envelope && page_params && self.fields(&root)?.has("result_info") {
            return Ok(Some(PageStyle::PageNumber { page_param: "page".into(), per_page_param: "per_page".into() }));
        }
        if query("offset") && query("limit") {
            let total = self.first_field(&root, TOTAL, |t, _| matches!(t, Some("integer") | Some("number")))?;
            return Ok(Some(PageStyle::OffsetLimit { offset_param: "offset".into(), limit_param: "limit".into(), total }));
        }
        if PAGE_PARAMS.iter().any(|n| query(n)) {
            if let Some(next) = self.first_field(&root, NEXT_LINK, |t, p| t == Some("string") && self.is_uri(p))? {
                return Ok(Some(PageStyle::NextLink { next }));
            }
        }
        if link || (page_params && list.path.is_empty()) {
            return Ok(Some(PageStyle::LinkHeader));
        }
        Ok(None)
    }

    /// True when the response object at `resp_ptr` declares a `Link` header.
    pub fn declares_link_header(&self, resp_ptr: &str) -> bool {
        self.object(resp_ptr)
            .and_then(|r| r.get("headers"))
            .and_then(Value::as_object)
            .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("link")))
    }
}
