//! Open enums: the known values of a vendor enumeration, plus the ones it adds later.
//!
//! The build script writes one [`open_enum!`] invocation for every string enum of a spec, so
//! every enum the clients use decodes values this version does not know
//! (`UnknownValue(String)`), matches the vendor's drifting spellings (case and spaces ignored:
//! `API`/`Api`, `Role Transition`/`RoleTransition`) and serialises the vendor's own spelling.

/// Defines an open enum. See the [module docs](self).
///
/// ```
/// permkit::open_enum::open_enum! {
///     #[doc = "Import status."]
///     Status {
///         Pending = "Pending" | "pending",
///         RoleTransition = "Role Transition" | "roletransition",
///     }
/// }
/// assert_eq!("pending".parse::<Status>().unwrap(), Status::Pending);
/// assert_eq!(Status::from("RoleTransition"), Status::RoleTransition);
/// assert_eq!(Status::RoleTransition.as_str(), "Role Transition");
/// assert_eq!(Status::from("Paused"), Status::UnknownValue("Paused".into()));
/// ```
/// Implemented by every open enum (string or integer): its value as the vendor sends it, so any
/// of them can be a filter value.
///
/// ```
/// fn as_filter_value(e: impl permkit::open_enum::OpenEnum) -> serde_json::Value {
///     e.into()
/// }
/// ```
pub trait OpenEnum: Clone + Into<serde_json::Value> {}

#[macro_export]
#[doc(hidden)]
macro_rules! __open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $value:literal | $norm:literal),* $(,)? }) => {
        $(#[$meta])*
        ///
        /// Open: a value this version of permkit does not know decodes as `UnknownValue`, and
        /// matching ignores case and white space.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $value, "`")]
                $variant,
            )*
            /// A value this version of permkit does not know, kept as the server sent it.
            UnknownValue(::std::string::String),
        }

        impl $name {
            /// Every known value, in the vendor's spelling.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The vendor's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::UnknownValue(s) => s.as_str(),
                }
            }

            /// Whether this is a value permkit knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::UnknownValue(_))
            }

            #[allow(unreachable_patterns)]
            fn parse_str(s: &str) -> Self {
                match s {
                    $($value => return Self::$variant,)*
                    _ => {}
                }
                let norm = $crate::open_enum::normalize(s);
                match norm.as_str() {
                    $($norm => Self::$variant,)*
                    _ => Self::UnknownValue(s.to_owned()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse_str(s))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse_str(s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// The value as the vendor spells it, e.g. as a filter value.
        impl ::std::convert::From<$name> for ::serde_json::Value {
            fn from(v: $name) -> ::serde_json::Value {
                ::serde_json::Value::String(v.as_str().to_string())
            }
        }

        impl $crate::open_enum::OpenEnum for $name {}

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::open_enum::deserialize_str(d, Self::parse_str)
            }
        }
    };
}

#[doc(inline)]
pub use crate::__open_enum as open_enum;

/// Defines an open integer-coded enum: named variants for the vendor's numbers, and
/// `UnknownValue(i64)` for a number this version does not know. It is written and read as
/// the number (a numeric string is read too).
///
/// ```
/// permkit::open_enum::open_int_enum! {
///     #[doc = "0 Promotion, 1 Demotion."]
///     RecordType {
///         Promotion = 0,
///         Demotion = 1,
///     }
/// }
/// assert_eq!(RecordType::from(1), RecordType::Demotion);
/// assert_eq!(RecordType::Promotion.value(), 0);
/// assert_eq!(RecordType::from(9), RecordType::UnknownValue(9));
/// assert_eq!(serde_json::to_string(&RecordType::Demotion).unwrap(), "1");
/// assert_eq!(serde_json::from_str::<RecordType>("\"0\"").unwrap(), RecordType::Promotion);
/// assert_eq!(RecordType::Demotion.to_string(), "Demotion");
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! __open_int_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        $(#[$meta])*
        ///
        /// Open: a number this version of permkit does not know decodes as `UnknownValue`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", stringify!($value), "`")]
                $variant,
            )*
            /// A number this version of permkit does not know, kept as the server sent it.
            UnknownValue(i64),
        }

        impl $name {
            /// Every known number.
            pub const KNOWN: &'static [i64] = &[$($value),*];

            /// The vendor's number.
            pub fn value(self) -> i64 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::UnknownValue(n) => n,
                }
            }

            /// Whether this is a number permkit knows.
            pub fn is_known(self) -> bool {
                !matches!(self, Self::UnknownValue(_))
            }
        }

        impl ::std::convert::From<i64> for $name {
            fn from(n: i64) -> Self {
                match n {
                    $($value => Self::$variant,)*
                    n => Self::UnknownValue(n),
                }
            }
        }

        impl ::std::convert::From<$name> for i64 {
            fn from(v: $name) -> i64 {
                v.value()
            }
        }

        impl ::std::fmt::Display for $name {
            /// The variant's name, or the number when it is unknown.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $(Self::$variant => f.write_str(stringify!($variant)),)*
                    Self::UnknownValue(n) => write!(f, "{n}"),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.value())
            }
        }

        /// The number the vendor sends (`RankRecordType::Promotion` is 0), e.g. as a filter
        /// value.
        impl ::std::convert::From<$name> for ::serde_json::Value {
            fn from(v: $name) -> ::serde_json::Value {
                ::serde_json::Value::from(v.value())
            }
        }

        impl $crate::open_enum::OpenEnum for $name {}

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::open_enum::deserialize_int(d).map(Self::from)
            }
        }
    };
}

#[doc(inline)]
pub use crate::__open_int_enum as open_int_enum;

/// Deserialises an integer, or a string holding one.
#[doc(hidden)]
pub fn deserialize_int<'de, D>(d: D) -> Result<i64, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom("integer out of range"))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<i64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::custom(format!("not an integer: {v:?}")))
        }
    }
    d.deserialize_any(Visitor)
}

/// Lowercase with white space removed.
#[doc(hidden)]
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Deserialises a string through `parse` without allocating for borrowed input.
#[doc(hidden)]
pub fn deserialize_str<'de, D, T>(d: D, parse: fn(&str) -> T) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Visitor<T>(fn(&str) -> T);
    impl<T> serde::de::Visitor<'_> for Visitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            Ok((self.0)(v))
        }
    }
    d.deserialize_str(Visitor(parse))
}
