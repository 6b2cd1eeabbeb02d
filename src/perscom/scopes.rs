//! PERSCOM API-key scopes (`view:user`, `create:rankrecord`, `clear:cache`, ...) and the scope
//! every operation needs.
//!
//! A scope is `<ability>:<resource>`: `view`, `create`, `update` or `delete` on a resource named
//! by its lower-cased model (`rankrecord`), plus `clear:cache`, `view:settings` and the OpenID
//! scopes. Many-to-many operations (attach, detach, sync, toggle, pivot) need `update` on the
//! parent; `GET /me` needs none. The build script generates the table from the spec: the
//! scope catalogue `x-perscom-scopes` and each operation's `x-perscom-scope`.
//!
//! ```
//! use permkit::perscom::{Scope, required_scope};
//! assert_eq!(required_scope("list_users"), Some(&Scope::ViewUser));
//! assert_eq!(required_scope("create_user_rank_record"), Some(&Scope::CreateRankRecord));
//! assert_eq!(required_scope("attach_user_attachments"), Some(&Scope::UpdateUser));
//! assert_eq!(required_scope("get_me"), None);
//! assert_eq!("clear:cache".parse::<Scope>().unwrap(), Scope::ClearCache);
//! assert_eq!(Scope::ViewSettings.to_string(), "view:settings");
//! ```

use std::fmt;

/// Defines [`Scope`] from the generated table.
macro_rules! scope_enum {
    ($( $(#[$m:meta])* $name:ident = $s:literal, )*) => {
        /// One PERSCOM scope. See the [module docs](self).
        ///
        /// Open: a scope this version does not know parses as [`Scope::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Scope {
            $( $(#[$m])* $name, )*
            /// `*`: every scope (dashboard widget keys).
            All,
            /// A scope this version of permkit does not know, as written.
            Other(String),
        }

        impl Scope {
            /// Every scope the server defines, in the server's order (not [`Scope::All`]).
            pub const KNOWN: &'static [Scope] = &[$(Scope::$name),*];

            /// The scope as the server writes it (`view:user`).
            pub fn as_str(&self) -> &str {
                match self {
                    $(Scope::$name => $s,)*
                    Scope::All => "*",
                    Scope::Other(s) => s,
                }
            }

            fn parse(s: &str) -> Scope {
                let t = s.trim().to_ascii_lowercase();
                match t.as_str() {
                    $($s => Scope::$name,)*
                    "*" => Scope::All,
                    _ => Scope::Other(s.trim().to_string()),
                }
            }
        }
    };
}
pub(crate) use scope_enum;

include!(concat!(env!("OUT_DIR"), "/perscom_scopes.rs"));

impl Scope {
    /// The ability part (`view`, `create`, `update`, `delete`, `clear`), if the scope has one.
    ///
    /// ```
    /// assert_eq!(permkit::perscom::Scope::CreateRankRecord.ability(), Some("create"));
    /// assert_eq!(permkit::perscom::Scope::OpenId.ability(), None);
    /// ```
    pub fn ability(&self) -> Option<&str> {
        self.as_str().split_once(':').map(|(a, _)| a)
    }

    /// The resource part (`user`, `rankrecord`, `cache`), if the scope has one.
    ///
    /// ```
    /// assert_eq!(permkit::perscom::Scope::CreateRankRecord.resource(), Some("rankrecord"));
    /// ```
    pub fn resource(&self) -> Option<&str> {
        self.as_str().split_once(':').map(|(_, r)| r)
    }

    /// Whether a key holding `self` may do what `needed` allows (`*` allows everything).
    ///
    /// ```
    /// use permkit::perscom::Scope;
    /// assert!(Scope::All.grants(&Scope::DeleteUser));
    /// assert!(Scope::ViewUser.grants(&Scope::ViewUser));
    /// assert!(!Scope::ViewUser.grants(&Scope::UpdateUser));
    /// ```
    pub fn grants(&self, needed: &Scope) -> bool {
        *self == Scope::All || self.as_str() == needed.as_str()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Scope::parse(s))
    }
}

impl From<&str> for Scope {
    fn from(s: &str) -> Self {
        Scope::parse(s)
    }
}

impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Ok(Scope::parse(&s))
    }
}

/// The scope operation `operation_id` needs: `None` for operations without a scope check
/// (`get_me`, health, widgets) and for unknown operation ids.
///
/// ```
/// use permkit::perscom::{Scope, required_scope};
/// assert_eq!(required_scope("clear_cache"), Some(&Scope::ClearCache));
/// assert_eq!(required_scope("no_such_operation"), None);
/// ```
pub fn required_scope(operation_id: &str) -> Option<&'static Scope> {
    operation(operation_id).and_then(|(_, s)| s.as_ref())
}

/// Whether `operation_id` is one of the API's operations.
///
/// ```
/// assert!(permkit::perscom::scopes::is_operation("get_me"));
/// assert!(!permkit::perscom::scopes::is_operation("get_you"));
/// ```
pub fn is_operation(operation_id: &str) -> bool {
    operation(operation_id).is_some()
}

/// Every operation id with the scope it needs, sorted by operation id.
///
/// ```
/// let all = permkit::perscom::scopes::operations();
/// assert_eq!(all.len(), 713);
/// ```
pub fn operations() -> &'static [(&'static str, Option<Scope>)] {
    OPERATION_SCOPES
}

fn operation(operation_id: &str) -> Option<&'static (&'static str, Option<Scope>)> {
    OPERATION_SCOPES
        .binary_search_by(|(id, _)| (*id).cmp(operation_id))
        .ok()
        .map(|i| &OPERATION_SCOPES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(OPERATION_SCOPES.windows(2).all(|w| w[0].0 < w[1].0));
        // Every set-aside (hand-written) operation has an entry too.
        for (id, _, _) in super::super::SET_ASIDE {
            assert!(is_operation(id), "{id}");
        }
        let free: Vec<_> = OPERATION_SCOPES
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(
            free,
            [
                "get_health",
                "get_me",
                "get_spec",
                "get_widget",
                "get_widget_resource",
                "update_widget_livewire"
            ]
        );
    }

    #[test]
    fn round_trip() {
        for s in Scope::KNOWN {
            assert_eq!(&s.as_str().parse::<Scope>().unwrap(), s);
        }
        assert_eq!(Scope::from(" VIEW:User "), Scope::ViewUser);
        assert_eq!(Scope::from("fly:plane"), Scope::Other("fly:plane".into()));
        assert_eq!(Scope::KNOWN.len(), 35 * 4 + 5);
    }
}
