//! One definition per set of string-enum values: an inline enum whose variants (names and wire
//! values, in order) equal another's becomes a type alias of it.
//!
//! Large documents repeat the same inline enum under every operation (Cloudflare's Radar
//! endpoints declare `format: [JSON, CSV]` 275 times), and each definition is a dozen impls for
//! rustc to check. An alias keeps every name, its docs and its deprecation, and makes the
//! values interchangeable, as they are on the wire.
//!
//! Only with `crate.alias_same_enums` (`--alias-same-enums`): the names become one type, so a
//! later change to one enum's values makes it a type of its own again (a breaking change for
//! code that mixed the names), and the generated diff of such a change is wider than the
//! change. Which member of a group is the definition: a component schema's enum if there is
//! one (a name the document chose; components are never made aliases), else the first name
//! in order. When that enum changes or a name earlier in order joins the group, every alias
//! of the group moves to the new definition.

use std::collections::{BTreeMap, HashMap};

use crate::ir::*;

/// Turns every inline string enum that repeats another's variants into an alias of it.
/// `owners` maps a type's name to the schema pointer it was made for.
pub(super) fn alias_same_enums(types: &mut BTreeMap<String, TypeDef>, owners: &HashMap<String, String>) {
    let is_component = |name: &str| owners.get(name).is_some_and(|p| crate::spec::component_name(p).is_some());
    // (deprecated, variants as (name, value)) → the enums that have exactly them, in name
    // order. A deprecated enum defines only deprecated names: rustc marks an enum's variants
    // deprecated with it, and they would warn through an alias that is not.
    type Key<'t> = (bool, Vec<(&'t str, &'t str)>);
    let mut groups: BTreeMap<Key<'_>, Vec<&str>> = BTreeMap::new();
    for (name, t) in types.iter() {
        if let TypeKind::Enum { variants } = &t.kind {
            let key = variants.iter().map(|v| (v.rust_name.as_str(), v.value.as_str())).collect();
            groups.entry((t.deprecated, key)).or_default().push(name);
        }
    }
    let mut aliases: Vec<(String, String)> = Vec::new();
    for members in groups.values().filter(|m| m.len() > 1) {
        let definition = members.iter().find(|n| is_component(n)).unwrap_or(&members[0]);
        for name in members {
            if name != definition && !is_component(name) {
                aliases.push((name.to_string(), definition.to_string()));
            }
        }
    }
    for (name, definition) in aliases {
        let t = types.get_mut(&name).expect("a member of a group is a type");
        let line = format!("The same type as [`{definition}`], which has the same values.");
        t.docs = Some(match t.docs.take() {
            Some(docs) => format!("{docs}\n\n{line}"),
            None => line,
        });
        t.kind = TypeKind::Alias(Ty::Named(definition));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string_enum(name: &str, values: &[&str]) -> (String, TypeDef) {
        let variants = values
            .iter()
            .map(|v| EnumVariant { rust_name: crate::naming::camel(v), value: v.to_string(), docs: None })
            .collect();
        let def = TypeDef { name: name.into(), docs: None, deprecated: false, deprecation_note: None, kind: TypeKind::Enum { variants } };
        (name.to_string(), def)
    }

    fn target(types: &BTreeMap<String, TypeDef>, name: &str) -> Option<String> {
        match &types[name].kind {
            TypeKind::Alias(Ty::Named(n)) => Some(n.clone()),
            TypeKind::Enum { .. } => None,
            other => panic!("{name} became {other:?}"),
        }
    }

    #[test]
    fn repeats_become_aliases_of_the_first_name() {
        let mut types: BTreeMap<_, _> = [
            string_enum("BParamsFormat", &["JSON", "CSV"]),
            string_enum("AParamsFormat", &["JSON", "CSV"]),
            string_enum("CParamsFormat", &["JSON", "CSV"]),
            string_enum("Reordered", &["CSV", "JSON"]),
            string_enum("Fewer", &["JSON"]),
        ]
        .into();
        alias_same_enums(&mut types, &HashMap::new());
        assert_eq!(target(&types, "AParamsFormat"), None);
        assert_eq!(target(&types, "BParamsFormat").as_deref(), Some("AParamsFormat"));
        assert_eq!(target(&types, "CParamsFormat").as_deref(), Some("AParamsFormat"));
        // Another order or another set of values is another type.
        assert_eq!(target(&types, "Reordered"), None);
        assert_eq!(target(&types, "Fewer"), None);
        let docs = types["BParamsFormat"].docs.as_deref().unwrap();
        assert!(docs.contains("[`AParamsFormat`]"), "{docs}");
    }

    #[test]
    fn deprecated_enums_define_only_deprecated_names() {
        let (a, mut old) = string_enum("AOld", &["up", "down"]);
        old.deprecated = true;
        let mut types: BTreeMap<_, _> = [(a, old), string_enum("BNew", &["up", "down"]), string_enum("CNew", &["up", "down"])].into();
        alias_same_enums(&mut types, &HashMap::new());
        assert_eq!(target(&types, "AOld"), None);
        assert_eq!(target(&types, "BNew"), None);
        assert_eq!(target(&types, "CNew").as_deref(), Some("BNew"));
    }

    #[test]
    fn components_define_and_are_never_aliases() {
        let mut types: BTreeMap<_, _> = [
            string_enum("AInline", &["a", "b"]),
            string_enum("Zcomponent", &["a", "b"]),
            string_enum("Ycomponent", &["a", "b"]),
        ]
        .into();
        let owners: HashMap<String, String> = [
            ("AInline".to_string(), "/paths/~1x/get/parameters/0/schema".to_string()),
            ("Ycomponent".to_string(), "/components/schemas/y".to_string()),
            ("Zcomponent".to_string(), "/components/schemas/z".to_string()),
        ]
        .into();
        alias_same_enums(&mut types, &owners);
        assert_eq!(target(&types, "AInline").as_deref(), Some("Ycomponent"));
        assert_eq!(target(&types, "Ycomponent"), None);
        assert_eq!(target(&types, "Zcomponent"), None);
    }
}
