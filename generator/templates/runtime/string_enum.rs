//! The definition behind every string enum in `models`.
//!
//! A string enum lists the values the API documents and keeps any other value in `Other`, so
//! a value added to the API later still reads and writes unchanged.

/// Defines a string enum: the type, `as_str`, `From<&str>`, `Display`, and the serde traits
/// listed after the name.
///
/// ```text
/// crate::string_enum! {
///     /// Docs of the type.
///     pub enum Mode: Serialize, Deserialize {
///         /// `fast`
///         Fast = "fast",
///         /// `slow`
///         Slow = "slow",
///     }
/// }
/// ```
///
/// The generator documents each variant with its wire value. Attributes before `pub enum` (docs,
/// `#[deprecated]`) go on the type only; put a `#[cfg(...)]` on the invocation to gate the
/// type and all its impls.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident $(: $($serde:ident),+)? {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )*
            /// A value this version of the crate does not know; kept as sent.
            Other(String),
        }

        impl $name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Other(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $($( $crate::string_enum!(@$serde $name); )+)?
    };
    (@Serialize $name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
    (@Deserialize $name:ident) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str> as serde::Deserialize<'de>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    };
}
