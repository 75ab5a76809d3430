//! Where an operation sits and what its method is called when the configuration does not say:
//! the resource tree from tags or, without them, from the path's structure; the method from the
//! HTTP method and the path's shape (`list`, `create`, `retrieve`, `update`, `delete`), else from
//! the operationId with the resource's own words removed. Pure functions over names and paths.

use std::collections::{BTreeMap, BTreeSet};

use crate::naming::{singular, snake};
use crate::spec::PathTemplate;

/// What the end of a path says about an operation on its resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Shape {
    /// The path ends in a parameter naming one item (`/customers/{customer}`).
    Item,
    /// The path ends at the resource's own word: a collection when that word is plural
    /// (`/customers`), a single object otherwise (`/account`).
    Collection { plural: bool },
    /// The path ends in a word after an item that is not a resource of its own
    /// (`/invoices/{invoice}/pay`): a method of that name.
    Action(String),
}

/// Verbs an operationId may start with, by the conventional call they mean.
const CRUD_FAMILIES: &[(&str, &[&str])] = &[
    ("retrieve", &["get", "retrieve", "fetch", "read", "show", "find", "describe"]),
    ("list", &["list", "all", "search"]),
    ("create", &["create", "add", "new", "insert", "post"]),
    ("update", &["update", "edit", "modify", "patch", "put", "replace", "upsert"]),
    ("delete", &["delete", "remove", "destroy", "del"]),
];

/// The conventional call a name's first word means (`fetch_service` → `retrieve`), if any.
pub(super) fn crud_family(name: &str) -> Option<&'static str> {
    let first = name.split('_').next()?;
    CRUD_FAMILIES.iter().find(|(_, verbs)| verbs.contains(&first)).map(|(family, _)| *family)
}

/// A path template's pieces: literal segments as snake_case words (version segments such as
/// `v1` or `v2beta1` left out), and `None` for a segment holding a parameter.
pub(super) fn path_parts(template: &PathTemplate) -> Vec<Option<String>> {
    template
        .normalized()
        .split('/')
        .filter(|s| !s.is_empty())
        .filter(|s| !is_version(s))
        .map(|s| if s.contains("{}") { None } else { Some(snake(s)) })
        .collect()
}

/// `v1`, `V2`, `v1.1`, `v2beta1`, `v1alpha`: an API version, not a resource.
fn is_version(segment: &str) -> bool {
    let s = segment.to_ascii_lowercase();
    let Some(rest) = s.strip_prefix('v') else { return false };
    let digits = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.' || *b == b'_').count();
    if digits == 0 || !rest.as_bytes()[0].is_ascii_digit() {
        return false;
    }
    let tail = &rest[digits..];
    let letters = tail.bytes().take_while(u8::is_ascii_lowercase).count();
    tail[letters..].bytes().all(|b| b.is_ascii_digit()) && (letters > 0 || tail.is_empty())
}

/// The document's tags as 3.2 relates them: each tag's `parent` and whether its `kind` groups
/// operations (`nav`, or no kind). An operation sits under its first such tag, below that
/// tag's ancestors.
#[derive(Debug, Default)]
pub(super) struct TagTree {
    /// Tag name → its parent, when the parent is a tag of the document.
    parents: BTreeMap<String, String>,
    /// Tags whose `kind` says they do not group operations (`badge`, `audience`, …).
    not_nav: BTreeSet<String>,
}

/// A problem with the document's tags: the pointer, a code and the message.
pub(super) type TagProblem = (String, &'static str, String);

impl TagTree {
    /// Reads the document's `tags`; a `parent` naming no tag, or one leading back to its own
    /// tag, is a problem and left out.
    pub(super) fn read(tags: Option<&serde_json::Value>) -> (TagTree, Vec<TagProblem>) {
        let mut tree = TagTree::default();
        let mut problems = Vec::new();
        let Some(list) = tags.and_then(serde_json::Value::as_array) else {
            return (tree, problems);
        };
        let name = |t: &serde_json::Value| {
            t.get("name")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        let names: BTreeSet<String> = list.iter().filter_map(name).collect();
        for (i, t) in list.iter().enumerate() {
            let Some(n) = name(t) else { continue };
            if t.get("kind")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|k| k != "nav")
            {
                tree.not_nav.insert(n.clone());
            }
            if let Some(parent) = t.get("parent").and_then(serde_json::Value::as_str) {
                if names.contains(parent) {
                    tree.parents.entry(n).or_insert_with(|| parent.to_string());
                } else {
                    let shown = crate::escape::rust_str(parent);
                    problems.push((format!("/tags/{i}/parent"), "tag-parent-unknown", format!("the parent tag {shown} is not among the document's tags; the tag is placed at the top")));
                }
            }
        }
        // A tag whose chain comes back round is reported and placed at the top; one pass over
        // the chains, each tag settled once, so a long chain costs no more than its length.
        let mut settled: BTreeMap<String, bool> = BTreeMap::new();
        for start in tree.parents.keys() {
            let mut path: BTreeSet<&str> = BTreeSet::new();
            let mut at = start.as_str();
            let cyclic = loop {
                if let Some(&c) = settled.get(at) {
                    break c;
                }
                if !path.insert(at) {
                    break true;
                }
                match tree.parents.get(at) {
                    Some(p) => at = p,
                    None => break false,
                }
            };
            for t in path {
                settled.insert(t.to_string(), cyclic);
            }
        }
        let index: BTreeMap<String, usize> = list
            .iter()
            .enumerate()
            .rev()
            .filter_map(|(i, t)| Some((name(t)?, i)))
            .collect();
        for (t, _) in settled.iter().filter(|(_, c)| **c) {
            tree.parents.remove(t);
            if let Some(&i) = index.get(t) {
                let shown = crate::escape::rust_str(t);
                problems.push((format!("/tags/{i}/parent"), "tag-parent-cycle", format!("the parents of tag {shown} go round in a cycle; the tag is placed at the top")));
            }
        }
        (tree, problems)
    }

    /// The tag an operation is placed by: its first that groups operations.
    pub(super) fn resource_tag<'t>(&self, tags: Option<&'t serde_json::Value>) -> Option<&'t str> {
        tags?
            .as_array()?
            .iter()
            .filter_map(serde_json::Value::as_str)
            .find(|t| !self.not_nav.contains(*t))
    }

    /// `tag`'s ancestors, outermost first, then `tag` (at most `4 * MAX_RESOURCE_DEPTH` levels,
    /// the innermost).
    pub(super) fn chain<'t>(&'t self, tag: &'t str) -> Vec<&'t str> {
        let mut out = vec![tag];
        let mut at = tag;
        // Resources fold below `MAX_RESOURCE_DEPTH` anyway; a longer chain is not walked.
        while let Some(p) = self.parents.get(at) {
            if out.len() > 4 * crate::limits::MAX_RESOURCE_DEPTH {
                break;
            }
            out.push(p);
            at = p;
        }
        out.reverse();
        out
    }
}

/// Which paths hold other paths below them and how many operations each has, so a path's last
/// word can be told apart as a resource or an action.
#[derive(Debug, Default)]
pub(super) struct PathIndex {
    /// Normalized path pieces → operations on that path.
    ops: BTreeMap<Vec<Option<String>>, usize>,
    /// Every proper prefix of a path's pieces.
    parents: BTreeSet<Vec<Option<String>>>,
}

impl PathIndex {
    pub(super) fn add(&mut self, template: &PathTemplate) {
        let parts = path_parts(template);
        for i in 1..parts.len() {
            self.parents.insert(parts[..i].to_vec());
        }
        *self.ops.entry(parts).or_default() += 1;
    }

    /// The resource an untagged operation belongs to (its literal words in order) and the shape
    /// of its path. A last word after a parameter is an action of the resource before it when no
    /// path goes below it and it carries one operation only.
    pub(super) fn resource(&self, template: &PathTemplate) -> (Vec<String>, Option<Shape>) {
        let parts = path_parts(template);
        let words = |parts: &[Option<String>]| parts.iter().flatten().cloned().collect::<Vec<_>>();
        match parts.last() {
            None => (Vec::new(), None),
            Some(None) => (words(&parts), Some(Shape::Item)),
            Some(Some(last)) => {
                let after_param = parts.len() >= 2 && parts[parts.len() - 2].is_none();
                let leaf = !self.parents.contains(&parts) && self.ops.get(&parts).copied().unwrap_or(0) <= 1;
                let parent_parts = &parts[..parts.len() - 1];
                let parent = words(parent_parts);
                // `/people/search` beside `/people` is a call on `people`, too, and so is a
                // singular word below a word (`…/shipping/fail`): a verb, not a collection.
                let parent_has_ops = self.ops.contains_key(parent_parts);
                let plural = singular(last) != *last;
                if (after_param || parent_has_ops || !plural) && leaf && !parent.is_empty() {
                    (parent, Some(Shape::Action(last.clone())))
                } else {
                    // A word with items below it (`/people/{person}`) is a collection, whatever
                    // its spelling.
                    let mut item = parts.clone();
                    item.push(None);
                    let has_items = self.ops.contains_key(&item) || self.parents.contains(&item);
                    (words(&parts), Some(Shape::Collection { plural: has_items || singular(last) != *last }))
                }
            }
        }
    }
}

/// The shape of a tagged operation's path when it ends at the tag's own word (`/repos/{o}/{r}/issues`
/// or `…/issues/{n}` under `issues`); otherwise the path says nothing about the method.
pub(super) fn tag_shape(template: &PathTemplate, resource: &str) -> Option<Shape> {
    let parts = path_parts(template);
    let same = |w: &str| w == resource || singular(w) == singular(resource);
    // An item may take more than one parameter (`/repos/{owner}/{repo}`).
    let params = parts.iter().rev().take_while(|p| p.is_none()).count();
    match parts[..parts.len() - params].last() {
        Some(Some(w)) if same(w) && params > 0 => Some(Shape::Item),
        Some(Some(w)) if same(w) => Some(Shape::Collection { plural: singular(w) != *w }),
        _ => None,
    }
}

/// The conventional method name for an HTTP method on a path of this shape, if there is one.
pub(super) fn crud_name(shape: &Shape, http_method: &str) -> Option<String> {
    let m = http_method.to_ascii_lowercase();
    let name = match (shape, m.as_str()) {
        (Shape::Action(word), _) => return Some(word.clone()),
        (Shape::Item, "get") | (Shape::Collection { plural: false }, "get") => "retrieve",
        (Shape::Collection { plural: true }, "get") => "list",
        (Shape::Collection { plural: true }, "post") => "create",
        (_, "post" | "put" | "patch") => "update",
        (_, "delete") => "delete",
        _ => return None,
    };
    Some(name.to_string())
}

/// The snake_case words of a name (`issues/list-for-repo` → `issues`, `list`, `for`, `repo`).
pub(super) fn words(name: &str) -> Vec<String> {
    let s = snake(name);
    s.trim_end_matches('_').split('_').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// True when an operationId only spells the HTTP method and the path (`GetCustomersCustomer`
/// for `GET /v1/customers/{customer}`), so it says nothing the path does not.
pub(super) fn id_from_path(id: &str, template: &PathTemplate, http_method: &str) -> bool {
    let mut known: BTreeSet<String> = words(template.as_str()).into_iter().collect();
    known.extend(["get", "post", "put", "patch", "delete", "head", "options", "trace"].map(String::from));
    known.insert(http_method.to_ascii_lowercase());
    let id_words = words(id);
    !id_words.is_empty() && id_words.iter().all(|w| known.contains(w))
}

/// The words a resource path is made of, plural and singular, for stripping them from names.
pub(super) fn resource_words(segments: &[String]) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for seg in segments {
        for w in words(seg) {
            set.insert(singular(&w));
            set.insert(w);
        }
    }
    set
}

/// The operationId without the words the resource already says: the leading run of resource
/// words (and `prefix`, words every operationId of the document starts with), and the trailing
/// ones after a lone verb (`ListService` under `services` → `list`). `None` when nothing is left.
pub(super) fn id_method(id: &str, resource: &BTreeSet<String>, prefix: &[String]) -> Option<String> {
    // A dotted or slashed id (`storage.buckets.operations.get`) drops every part up to the last
    // one that names the resource.
    let parts: Vec<&str> = id.split(['.', '/']).collect();
    let names_resource = |p: &&str| {
        let w = words(p);
        !w.is_empty() && w.iter().all(|x| resource.contains(x) || prefix.contains(x))
    };
    let id = match parts[..parts.len() - 1].iter().rposition(names_resource) {
        Some(k) => parts[k + 1..].join("_"),
        None => id.to_string(),
    };
    let mut w = words(&id);
    if w.len() > prefix.len() && w.starts_with(prefix) {
        w.drain(..prefix.len());
    }
    let lead = w.iter().take_while(|x| resource.contains(*x)).count();
    if lead < w.len() {
        w.drain(..lead);
    }
    if w.len() > 1 && w[1..].iter().all(|x| resource.contains(x) || is_version(x)) {
        w.truncate(1);
    }
    (!w.is_empty()).then(|| snake(&w.join("_")))
}

/// The words every name in `names` starts with, when there are two or more names and every one
/// has words left after them.
pub(super) fn common_prefix(names: &[Vec<String>]) -> Vec<String> {
    let Some((first, rest)) = names.split_first() else { return Vec::new() };
    if rest.is_empty() {
        return Vec::new();
    }
    let mut len = first.len();
    for n in rest {
        len = len.min(n.iter().zip(first).take_while(|(a, b)| a == b).count());
    }
    // Keep a word for every name.
    let shortest = names.iter().map(Vec::len).min().unwrap_or(0);
    first[..len.min(shortest.saturating_sub(1))].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_parents_nest_and_cycles_are_cut() {
        let tags = serde_json::json!([
            {"name": "a"}, {"name": "b", "parent": "a"}, {"name": "c", "parent": "b"},
            {"name": "x", "parent": "y"}, {"name": "y", "parent": "x"},
            {"name": "lost", "parent": "nowhere"}, {"name": "new", "kind": "badge"}, {"name": "menu", "kind": "nav"}
        ]);
        let (tree, problems) = TagTree::read(Some(&tags));
        assert_eq!(tree.chain("c"), ["a", "b", "c"]);
        assert_eq!(tree.chain("x"), ["x"]);
        assert_eq!(tree.chain("lost"), ["lost"]);
        let codes: Vec<(&str, &str)> = problems.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
        assert_eq!(
            codes,
            [
                ("/tags/5/parent", "tag-parent-unknown"),
                ("/tags/3/parent", "tag-parent-cycle"),
                ("/tags/4/parent", "tag-parent-cycle")
            ]
        );
        let op_tags = serde_json::json!(["new", "menu", "c"]);
        assert_eq!(tree.resource_tag(Some(&op_tags)), Some("menu"));
        assert_eq!(tree.resource_tag(Some(&serde_json::json!(["new"]))), None);
    }

    fn index(paths: &[&str]) -> PathIndex {
        let mut i = PathIndex::default();
        for p in paths {
            i.add(&PathTemplate::parse(p));
        }
        i
    }

    #[test]
    fn versions() {
        for v in ["v1", "V2", "v1.1", "v2beta1", "v1alpha", "v10"] {
            assert!(is_version(v), "{v}");
        }
        for w in ["v", "vat", "values", "v1x2y", "1", "video"] {
            assert!(!is_version(w), "{w}");
        }
    }

    #[test]
    fn resources_from_paths() {
        let i = index(&[
            "/v1/customers",
            "/v1/customers/{customer}",
            "/v1/customers/{customer}/sources",
            "/v1/customers/{customer}/sources",
            "/v1/customers/{customer}/sources/{id}",
            "/v1/customers/{customer}/sources/{id}/verify",
            "/v1/account",
            "/v1/invoices/upcoming",
            "/v1/invoices/upcoming/lines",
            "/v1/people",
            "/v1/people/{person}",
            "/v1/people/search",
            "/v1/test_helpers/cards/{card}/shipping/fail",
            "/v1/billing/meter_events",
        ]);
        let r = |p: &str| i.resource(&PathTemplate::parse(p));
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(r("/v1/customers"), (s(&["customers"]), Some(Shape::Collection { plural: true })));
        assert_eq!(r("/v1/customers/{customer}"), (s(&["customers"]), Some(Shape::Item)));
        assert_eq!(r("/v1/customers/{customer}/sources"), (s(&["customers", "sources"]), Some(Shape::Collection { plural: true })));
        assert_eq!(r("/v1/customers/{customer}/sources/{id}/verify"), (s(&["customers", "sources"]), Some(Shape::Action("verify".into()))));
        assert_eq!(r("/v1/account"), (s(&["account"]), Some(Shape::Collection { plural: false })));
        // A word below another word, with paths below it, is a resource.
        assert_eq!(r("/v1/invoices/upcoming"), (s(&["invoices", "upcoming"]), Some(Shape::Collection { plural: false })));
        assert_eq!(r("/v1/people"), (s(&["people"]), Some(Shape::Collection { plural: true })));
        assert_eq!(r("/v1/people/search"), (s(&["people"]), Some(Shape::Action("search".into()))));
        assert_eq!(r("/v1/test_helpers/cards/{card}/shipping/fail"), (s(&["test_helpers", "cards", "shipping"]), Some(Shape::Action("fail".into()))));
        assert_eq!(r("/v1/billing/meter_events"), (s(&["billing", "meter_events"]), Some(Shape::Collection { plural: true })));
        assert_eq!(r("/"), (Vec::new(), None));
    }

    #[test]
    fn tagged_shapes() {
        let t = |p: &str, tag: &str| tag_shape(&PathTemplate::parse(p), tag);
        assert_eq!(t("/repos/{owner}/{repo}", "repos"), Some(Shape::Item));
        assert_eq!(t("/repos/{owner}/{repo}/issues/{n}", "issues"), Some(Shape::Item));
        assert_eq!(t("/repos/{owner}/{repo}/issues", "issues"), Some(Shape::Collection { plural: true }));
        assert_eq!(t("/repos/{owner}/{repo}/issues/{n}/lock", "issues"), None);
        assert_eq!(t("/{a}", "issues"), None);
        assert_eq!(t("/", "issues"), None);
    }

    #[test]
    fn crud() {
        let c = |s: Shape, m: &str| crud_name(&s, m);
        assert_eq!(c(Shape::Collection { plural: true }, "get").as_deref(), Some("list"));
        assert_eq!(c(Shape::Collection { plural: true }, "post").as_deref(), Some("create"));
        assert_eq!(c(Shape::Collection { plural: false }, "get").as_deref(), Some("retrieve"));
        assert_eq!(c(Shape::Item, "get").as_deref(), Some("retrieve"));
        assert_eq!(c(Shape::Item, "patch").as_deref(), Some("update"));
        assert_eq!(c(Shape::Item, "post").as_deref(), Some("update"));
        assert_eq!(c(Shape::Item, "delete").as_deref(), Some("delete"));
        assert_eq!(c(Shape::Item, "head"), None);
        assert_eq!(c(Shape::Action("pay".into()), "post").as_deref(), Some("pay"));
    }

    #[test]
    fn operation_ids() {
        let issues = resource_words(&["issues".into()]);
        assert_eq!(id_method("issues/list-for-repo", &issues, &[]).as_deref(), Some("list_for_repo"));
        assert_eq!(id_method("issues/issues", &issues, &[]).as_deref(), Some("issues"));
        let services = resource_words(&["services".into()]);
        assert_eq!(id_method("ListService", &services, &[]).as_deref(), Some("list"));
        let buckets = resource_words(&["buckets".into()]);
        assert_eq!(id_method("storage.buckets.list", &buckets, &["storage".into()]).as_deref(), Some("list"));
        assert!(id_from_path("GetCustomersCustomerSourcesId", &PathTemplate::parse("/v1/customers/{customer}/sources/{id}"), "get"));
        assert!(!id_from_path("issues/list-for-repo", &PathTemplate::parse("/repos/{owner}/{repo}/issues"), "get"));
        let operations = resource_words(&["operations".into()]);
        assert_eq!(id_method("storage.buckets.operations.get", &operations, &["storage".into()]).as_deref(), Some("get"));
        assert_eq!(crud_family("fetch_service"), Some("retrieve"));
        assert_eq!(crud_family("list_for_repo"), Some("list"));
        assert_eq!(crud_family("render"), None);
    }

    #[test]
    fn prefixes() {
        let w = |s: &str| words(s);
        assert_eq!(common_prefix(&[w("MessagingV1Services"), w("MessagingV1DomainCerts")]), w("messaging_v1"));
        assert_eq!(common_prefix(&[w("storage.buckets.list"), w("storage.objects.get")]), w("storage"));
        assert!(common_prefix(&[w("a"), w("a")]).is_empty());
        assert!(common_prefix(&[w("issues")]).is_empty());
    }
}
