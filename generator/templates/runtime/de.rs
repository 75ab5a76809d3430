//! Reading the models' structs from JSON objects.
//!
//! `#[derive(serde::Deserialize)]` writes five items per struct (a field enum, its visitor and
//! `Deserialize` impl, a visitor for maps and sequences, the impl itself). In a crate of
//! thousands of models that is much of what the compiler spends its time and memory on, so each
//! model instead invokes [`object!`](crate::object): its fields, their wire names and whether
//! an absent one reads as its default. The visitor, the key reading and the rules for absent,
//! repeated and unknown fields are here, once, and behave as serde's derive does: unknown
//! fields are skipped, a repeated field is an error, an absent field is an error unless its
//! type reads a missing value as `None` (`Option`) or the field is `optional`. One difference,
//! on purpose: the derive also reads a struct from a JSON array, by position; here only an
//! object is a struct, as the document's schema says.
//!
//! Not part of the crate's API: generated code calls it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// Implements `Deserialize` for a model struct through [`Object`].
///
/// ```text
/// crate::object! {
///     Thing {
///         required id = "id",
///         optional display_name = "displayName",
///     }
/// }
/// ```
///
/// Each entry names a field and its wire name; `required` fields are an error when absent
/// (unless their type is an `Option`), `optional` ones take their default. Put a `#[cfg(...)]`
/// on the invocation to gate the impls with the struct.
#[doc(hidden)]
#[macro_export]
macro_rules! object {
    ($name:ident { $($how:ident $field:ident = $wire:literal,)* }) => {
        // `__Field` cannot be a model's name: derived names are UpperCamelCase, and the
        // configuration refuses type names that start with `__`.
        const _: () = {
            #[allow(non_camel_case_types)]
            pub enum __Field {
                $($field,)*
            }

            impl<'de> serde::Deserialize<'de> for $name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    $crate::de::deserialize_object(deserializer)
                }
            }

            impl $crate::de::Object for $name {
                const NAME: &'static str = stringify!($name);
                const FIELDS: &'static [&'static str] = &[$($wire),*];
                type Field = __Field;

                fn field(name: &str) -> Option<__Field> {
                    match name {
                        $($wire => Some(__Field::$field),)*
                        _ => None,
                    }
                }

                fn read<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                    $(let mut $field = None;)*
                    while let Some(key) = $crate::de::key::<Self, A>(&mut map)? {
                        match key {
                            $(Some(__Field::$field) => $crate::de::value(&mut map, &mut $field, $wire)?,)*
                            None => $crate::de::skip(&mut map)?,
                        }
                    }
                    Ok(Self { $($field: $crate::de::$how($field, $wire)?,)* })
                }
            }
        };
    };
}

/// A struct read field by field from a JSON object (see the module docs).
#[doc(hidden)]
pub trait Object: Sized {
    /// The struct's name, for error messages.
    const NAME: &'static str;
    /// The fields' wire names: a `#[serde(flatten)]` parent takes these entries for the struct
    /// and leaves the others to its other fields, as with a derived struct.
    const FIELDS: &'static [&'static str];
    /// Names the struct's fields for `read` to match on.
    type Field;
    /// The field a wire name is, `None` for a name the struct does not have.
    fn field(name: &str) -> Option<Self::Field>;
    /// Reads the struct from the entries of `map`.
    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// The body of every model's `Deserialize::deserialize`.
#[doc(hidden)]
pub fn deserialize_object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    // As a struct, not a map: the same for JSON, but a flattening parent then hands over only
    // `FIELDS`. The visitor has no `visit_seq`, so an array is still no struct.
    deserializer.deserialize_struct(T::NAME, T::FIELDS, ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(map)
    }
}

/// The next entry's field: `Some(None)` for a name the struct does not have, `None` after the
/// last entry.
#[doc(hidden)]
pub fn key<'de, T: Object, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Option<T::Field>>, A::Error> {
    map.next_key_seed(Key::<T>(PhantomData))
}

struct Key<T>(PhantomData<T>);

impl<'de, T: Object> DeserializeSeed<'de> for Key<T> {
    type Value = Option<T::Field>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T::Field>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de, T: Object> Visitor<'de> for Key<T> {
    type Value = Option<T::Field>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Option<T::Field>, E> {
        Ok(T::field(name))
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<Option<T::Field>, E> {
        Ok(std::str::from_utf8(name).ok().and_then(T::field))
    }
}

/// Reads the current entry's value into `slot`; a second entry for the same field is an error.
#[doc(hidden)]
pub fn value<'de, V: de::Deserialize<'de>, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Option<V>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the current entry's value (a field the struct does not have).
#[doc(hidden)]
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// An `optional` field: its value, or its default when the object left it out.
#[doc(hidden)]
pub fn optional<V: Default, E>(slot: Option<V>, _name: &'static str) -> Result<V, E> {
    Ok(slot.unwrap_or_default())
}

/// A `required` field: its value, or, when the object left it out, what its type reads
/// from a missing value (`None` for an `Option`, else the "missing field" error).
#[doc(hidden)]
pub fn required<'de, V: de::Deserialize<'de>, E: de::Error>(slot: Option<V>, name: &'static str) -> Result<V, E> {
    match slot {
        Some(v) => Ok(v),
        None => V::deserialize(Missing(name, PhantomData)),
    }
}

/// The value of a field the object left out.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}
