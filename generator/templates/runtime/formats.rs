//! RFC 3339 text for the `time` types the configuration maps `date-time` and `date` to:
//! their own serde and `Display` forms are not the ones the API sends and accepts.

use std::collections::BTreeMap;
use std::fmt;

use ::time::format_description::well_known::{Iso8601, Rfc3339};
use ::time::{Date, Month, OffsetDateTime};
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes a `time::OffsetDateTime` as RFC 3339 (`2024-01-01T10:00:00Z`), the text a path,
/// query or header parameter carries. A value RFC 3339 cannot hold (a year past 9999, an
/// offset with seconds) is written in UTC as ISO 8601.
#[derive(Debug, Clone, Copy)]
pub struct Rfc3339Text<'a>(pub &'a OffsetDateTime);

impl fmt::Display for Rfc3339Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => {
                let utc = self.0.to_offset(::time::UtcOffset::UTC);
                match utc.format(&Iso8601::DEFAULT) {
                    Ok(text) => f.write_str(&text),
                    Err(_) => write!(f, "{utc}"),
                }
            }
        }
    }
}

/// A value the generated models read and write through [`time_serde`]: a `time` date or
/// date-time, or an `Option`, `Vec` or map of them.
pub trait TimeWire: Sized {
    /// Writes the value as the API expects it.
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// Reads the value as the API sends it.
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

impl TimeWire for OffsetDateTime {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.format(&Rfc3339).map_err(|e| {
            S::Error::custom(format_args!("cannot write {self} as an RFC 3339 date-time: {e}"))
        })?;
        s.serialize_str(&text)
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
            D::Error::custom(format_args!(
                "expected an RFC 3339 date-time such as 2024-01-01T10:00:00Z (time::OffsetDateTime): {e}"
            ))
        })
    }
}

impl TimeWire for Date {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        parse_date(&text).ok_or_else(|| {
            D::Error::custom("expected an RFC 3339 full-date such as 2024-01-01 (time::Date)")
        })
    }
}

/// `YYYY-MM-DD`, as RFC 3339's full-date writes it.
fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(5..7)?).ok()?).ok()?;
    let day = u8::try_from(digits(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Serializes through [`TimeWire`].
struct Out<'a, T>(&'a T);

impl<T: TimeWire> Serialize for Out<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.write(s)
    }
}

/// Deserializes through [`TimeWire`].
struct In<T>(T);

impl<'de, T: TimeWire> Deserialize<'de> for In<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::read(d).map(In)
    }
}

impl<T: TimeWire> TimeWire for Option<T> {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => s.serialize_some(&Out(v)),
            None => s.serialize_none(),
        }
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<In<T>>::deserialize(d)?.map(|v| v.0))
    }
}

impl<T: TimeWire> TimeWire for Vec<T> {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Out))
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<In<T>>::deserialize(d)?.into_iter().map(|v| v.0).collect())
    }
}

impl<T: TimeWire> TimeWire for BTreeMap<String, T> {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter().map(|(k, v)| (k, Out(v))))
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<String, In<T>>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect())
    }
}

/// `#[serde(with = "time_serde")]` for a field or variant holding `time` values: RFC 3339
/// date-times and full-dates on the wire.
pub mod time_serde {
    use super::TimeWire;
    use serde::{Deserializer, Serializer};

    /// Writes `value` as the API expects it.
    pub fn serialize<T: TimeWire, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        value.write(s)
    }

    /// Reads a value as the API sends it.
    pub fn deserialize<'de, T: TimeWire, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        T::read(d)
    }
}
