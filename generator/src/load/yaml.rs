//! YAML into the JSON tree within a budget. The parser copies an anchored node wherever an
//! alias names it, so a short text can stand for a huge tree: 2,000 aliases of a 500 KB key
//! made a 503 KB text a 1 GB tree, and aliases of a thousand empty mappings cost 32 bytes or
//! more per node without a byte of text. The tree is built here, node by node, from the events
//! of the parser that reads the document (no second parser to disagree with it about what the
//! text says), and the build stops as soon as what it holds passes the budget.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The message of the error that stops a build over its budget; `load` turns it into
/// [`super::LoadError::AliasesTooLarge`].
pub(super) const OVER_BUDGET: &str = "the YAML aliases expand the document past the generator's budget";

/// What a node costs besides its text: its `Value`, and for an entry of a mapping the map's
/// slot (the key's `String`, a hash and the index).
const NODE_BYTES: usize = std::mem::size_of::<Value>();
const ENTRY_BYTES: usize = std::mem::size_of::<String>() + 2 * std::mem::size_of::<usize>();

/// What a build may still spend, and how large the tree would be written out as text (keys
/// and strings, and a couple of bytes per node), which is what later budgets are measured
/// against when aliases grew the tree.
pub(super) struct Budget {
    left: Cell<usize>,
    written: Cell<usize>,
}

impl Budget {
    pub(super) fn new(bytes: usize) -> Budget {
        Budget { left: Cell::new(bytes), written: Cell::new(0) }
    }

    /// The tree's size as text: about what the same tree takes written out without aliases.
    pub(super) fn written(&self) -> usize {
        self.written.get()
    }

    fn charge<E: de::Error>(&self, memory: usize, text: usize) -> Result<(), E> {
        let left = self.left.get().checked_sub(memory).ok_or_else(|| E::custom(OVER_BUDGET))?;
        self.left.set(left);
        self.written.set(self.written.get().saturating_add(text));
        Ok(())
    }
}

/// Parses `text` as `serde_yaml_ng::from_str::<Value>` would, within `budget`.
pub(super) fn parse(text: &str, budget: &Budget) -> Result<Value, serde_yaml_ng::Error> {
    Node(budget).deserialize(serde_yaml_ng::Deserializer::from_str(text))
}

/// A node of the tree, as serde_json's own `Value` reads it.
#[derive(Clone, Copy)]
struct Node<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.charge(NODE_BYTES, 5)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.charge(NODE_BYTES, 8)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.charge(NODE_BYTES, 8)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.0.charge(NODE_BYTES, 8)?;
        use serde::Deserialize as _;
        Number::deserialize(de::value::I128Deserializer::new(v)).map(Value::Number)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.0.charge(NODE_BYTES, 8)?;
        use serde::Deserialize as _;
        Number::deserialize(de::value::U128Deserializer::new(v)).map(Value::Number)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.charge(NODE_BYTES, 8)?;
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.visit_string(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.0.charge(NODE_BYTES + v.len(), v.len() + 2)?;
        Ok(Value::String(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.0.charge(NODE_BYTES, 4)?;
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.charge(NODE_BYTES, 2)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.charge(NODE_BYTES, 2)?;
        let mut entries = Map::new();
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            let value = map.next_value_seed(self)?;
            entries.insert(key, value);
        }
        Ok(Value::Object(entries))
    }
}

/// A mapping's key, read as a string (as serde_json's `Value` reads keys).
struct Key<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_string(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.visit_string(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        self.0.charge(ENTRY_BYTES + v.len(), v.len() + 2)?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Result<Value, String> {
        serde_yaml_ng::from_str::<Value>(text).map_err(|e| e.to_string())
    }

    fn budgeted(text: &str, bytes: usize) -> Result<Value, String> {
        parse(text, &Budget::new(bytes)).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_what_the_plain_parse_reads() {
        for text in [
            "a: 1\nb: [true, null, ~, 2.5, -3, 18446744073709551615, .nan, .inf]\n200: {x: 'y'}\ntrue: z\n",
            "x: &s {type: string}\ny: *s\nz: [*s, *s]\n'k': \"v\"\n",
            "a: 1\na: 2\nb: |\n  text\n  more\n",
            "[1, [2, [3]]]\n",
            "a: !!str 12\nb: !tag x\n",
            "a: [\n",
            "? [a, b]\n: c\n",
            "",
        ] {
            assert_eq!(budgeted(text, usize::MAX), plain(text), "{text:?}");
        }
    }

    #[test]
    fn stops_at_the_budget_while_it_builds() {
        let key = "y".repeat(100_000);
        let bomb = format!("x-a: &a\n  ? {key}\n  : 0\nx-b:\n{}", "  - *a\n".repeat(1_000));
        let e = budgeted(&bomb, 10 << 20).expect_err("100 MB of keys from a 107 KB text");
        assert!(e.contains(OVER_BUDGET), "{e}");
        // Aliases of empty mappings: no text, but 32 bytes or more each.
        let empties = format!("a: &a [{}]\nb: [{}]\n", vec!["{}"; 1_000].join(","), vec!["*a"; 2_000].join(", "));
        let e = budgeted(&empties, 10 << 20).expect_err("two million nodes from a 10 KB text");
        assert!(e.contains(OVER_BUDGET), "{e}");
        let budget = Budget::new(usize::MAX);
        let tree = parse(&empties, &budget).expect("without a budget");
        assert_eq!(tree["b"].as_array().map(Vec::len), Some(2_000));
        assert!(budget.written() > 2_000_000 * 2, "the tree's size written out: {}", budget.written());
    }
}
