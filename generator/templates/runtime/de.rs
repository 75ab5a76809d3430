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
//! What a model's own code does is kept to two calls over its fields: [`entries`] reads every
//! entry into the field's slot through a [`Slot`], and [`absent`] settles the fields the object
//! left out through an [`Absent`]. The compiler checks one generic body per model, and per field
//! only a coercion, not a call with its own error path; that is where its time went when each
//! field had its own `match` arm and `?`.
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
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::de::deserialize_object(deserializer)
            }
        }

        impl $crate::de::Object for $name {
            const NAME: &'static str = stringify!($name);
            const FIELDS: &'static [&'static str] = &[$($wire),*];

            fn read<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                $(let mut $field = None;)*
                $crate::de::entries::<Self, A>(&mut map, &mut [$(&mut $field),*])?;
                $crate::de::absent::<Self, A::Error>(&mut [$(&mut $crate::de::$how(&mut $field)),*])?;
                // Every slot is filled by now; a struct without fields has nothing to match.
                #[allow(unreachable_patterns)]
                let read = match ($($field,)*) {
                    ($(Some($field),)*) => Ok(Self { $($field,)* }),
                    _ => $crate::de::unfilled::<Self, A::Error>(),
                };
                read
            }
        }
    };
}

/// A struct read field by field from a JSON object (see the module docs).
#[doc(hidden)]
pub trait Object: Sized {
    /// The struct's name, for error messages.
    const NAME: &'static str;
    /// The fields' wire names, in the order of the struct's slots: a `#[serde(flatten)]`
    /// parent takes these entries for the struct and leaves the others to its other fields, as
    /// with a derived struct.
    const FIELDS: &'static [&'static str];
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

/// Reads every entry of `map`: a field's value into its slot (`slots` in the order of
/// `T::FIELDS`), an unknown name's value skipped.
#[doc(hidden)]
pub fn entries<'de, T: Object, A: MapAccess<'de>>(map: &mut A, slots: &mut [&mut dyn Slot<'de, A>]) -> Result<(), A::Error> {
    while let Some(key) = map.next_key_seed(Key::<T>(PhantomData))? {
        match key.and_then(|i| Some((slots.get_mut(i)?, T::FIELDS.get(i)?))) {
            Some((slot, name)) => slot.read(map, name)?,
            None => skip(map)?,
        }
    }
    Ok(())
}

/// A field's slot, which reads the current entry's value into itself.
#[doc(hidden)]
pub trait Slot<'de, A: MapAccess<'de>> {
    /// Reads the current entry's value; a second entry for the same field is an error.
    fn read(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error>;
}

impl<'de, V: de::Deserialize<'de>, A: MapAccess<'de>> Slot<'de, A> for Option<V> {
    fn read(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error> {
        if self.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *self = Some(map.next_value()?);
        Ok(())
    }
}

/// The next entry's field, by its place in `T::FIELDS`: `Some(None)` for a name the struct
/// does not have, `None` after the last entry.
struct Key<T>(PhantomData<T>);

impl<'de, T: Object> DeserializeSeed<'de> for Key<T> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de, T: Object> Visitor<'de> for Key<T> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Option<usize>, E> {
        Ok(T::FIELDS.iter().position(|f| *f == name))
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<Option<usize>, E> {
        Ok(std::str::from_utf8(name).ok().and_then(|name| T::FIELDS.iter().position(|f| *f == name)))
    }
}

/// Skips the current entry's value (a field the struct does not have).
#[doc(hidden)]
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// Settles the fields the object left out (`fields` in the order of `T::FIELDS`), the first
/// absent `required` one that its type cannot do without being the error.
#[doc(hidden)]
pub fn absent<T: Object, E>(fields: &mut [&mut dyn Absent<E>]) -> Result<(), E> {
    for (field, name) in fields.iter_mut().zip(T::FIELDS) {
        field.settle(name)?;
    }
    Ok(())
}

/// A field's slot, seen as what to do when the object left the field out.
#[doc(hidden)]
pub trait Absent<E> {
    /// Fills the slot if it is empty, or fails.
    fn settle(&mut self, name: &'static str) -> Result<(), E>;
}

/// A `required` field's slot: when absent, it takes what its type reads from a missing value
/// (`None` for an `Option`, else the "missing field" error).
#[doc(hidden)]
pub struct Required<'a, V>(&'a mut Option<V>);

/// A `required` field (see [`Required`]).
#[doc(hidden)]
pub fn required<V>(slot: &mut Option<V>) -> Required<'_, V> {
    Required(slot)
}

impl<'de, V: de::Deserialize<'de>, E: de::Error> Absent<E> for Required<'_, V> {
    fn settle(&mut self, name: &'static str) -> Result<(), E> {
        if self.0.is_none() {
            *self.0 = Some(V::deserialize(Missing(name, PhantomData))?);
        }
        Ok(())
    }
}

/// An `optional` field's slot: when absent, it takes its type's default.
#[doc(hidden)]
pub struct Optional<'a, V>(&'a mut Option<V>);

/// An `optional` field (see [`Optional`]).
#[doc(hidden)]
pub fn optional<V>(slot: &mut Option<V>) -> Optional<'_, V> {
    Optional(slot)
}

impl<V: Default, E> Absent<E> for Optional<'_, V> {
    fn settle(&mut self, _name: &'static str) -> Result<(), E> {
        self.0.get_or_insert_with(V::default);
        Ok(())
    }
}

/// What `read` answers if a slot were still empty after [`absent`], which fills them all: an
/// error, not a panic.
#[doc(hidden)]
pub fn unfilled<T: Object, E: de::Error>() -> Result<T, E> {
    Err(E::custom(format_args!("struct {}: a field was left unread", T::NAME)))
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
