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

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::open_enum::deserialize_str(d, Self::parse_str)
            }
        }
    };
}

#[doc(inline)]
pub use crate::__open_enum as open_enum;

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
