//! The objects the query service serves, their fields as a query names them, and typed
//! records of the objects permkit models.
//!
//! ```
//! use permkit::intacct::objects::RoleUserMapRecord;
//! use permkit::intacct::query::QueryFilter;
//!
//! // Who has the role `AP Manager`: its role user maps, filtered on a dotted field.
//! let q = RoleUserMapRecord::query().filter(QueryFilter::eq("role.id", "AP Manager"));
//! assert_eq!(q.object(), "company-config/role-user-map");
//! assert_eq!(q.to_json().unwrap()["fields"][3], "role.id");
//! // A row keeps the dotted names flat and decodes straight into the record.
//! let row = serde_json::json!({"key": "618", "role.id": "AP Manager", "user.id": "jsmith"});
//! let map: RoleUserMapRecord = serde_json::from_value(row).unwrap();
//! assert_eq!(map.user_id.as_deref(), Some("jsmith"));
//! ```
//!
//! Sent through [`Client::query`](super::Client::query), its `records::<T>()` pager decodes
//! every row of every page as the record:
//!
//! ```no_run
//! # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
//! use futures::TryStreamExt;
//! use permkit::intacct::objects::RoleUserMapRecord;
//! use permkit::intacct::query::QueryFilter;
//!
//! let q = RoleUserMapRecord::query().filter(QueryFilter::eq("role.id", "AP Manager"));
//! let mut maps = client.query(q).records::<RoleUserMapRecord>();
//! while let Some(m) = maps.try_next().await? {
//!     println!("{:?} ({:?})", m.user_id, m.user_key);
//! }
//! # Ok(()) }
//! ```
//!
//! # The objects
//!
//! Source: permkit's spec, `openapi/intacct.yaml`. Its query request (schema `QueryRequest`,
//! property `object`) takes `<application>/<object>`, and each object below has a list
//! operation (`GET /objects/company-config/<object>`) whose description sends readers to the
//! query service for more than the first 100 references. The spec describes these eight
//! objects and no other; Sage's query service serves many more (`accounts-payable/vendor`,
//! ...), which permkit does not describe.
//!
//! | `object` | what a record is | spec schema | typed record |
//! |---|---|---|---|
//! | `company-config/permission` | a module, a permission name and the access rights it allows (read-only) | `Permission` | [`PermissionRecord`] |
//! | `company-config/role` | a role, bundling permissions (role-based companies) | `Role` | [`RoleRecord`] |
//! | `company-config/role-permission-assignment` | a permission granted to a role, with its access rights | `RolePermissionAssignment` | [`RolePermissionAssignmentRecord`] |
//! | `company-config/role-user-map` | a role given to a user (read-only) | `RoleUserMap` | [`RoleUserMapRecord`] |
//! | `company-config/role-user-group-map` | a role given to a user group (read-only) | `RoleUserGroupMap` | none: read [`Row`]s |
//! | `company-config/user-group` | a group of users, inheriting the group's roles | `UserGroup` | [`UserGroupRecord`] |
//! | `company-config/user-group-member` | a user's membership of a user group | `UserGroupMember` | none: read [`Row`]s |
//! | `company-config/user` | a company user | `User` | [`UserRecord`] |
//!
//! # Field names
//!
//! A query names an object's own fields as its schema does (`roleType`), and the fields of a
//! related object with a dot (`role.id`); a result row keeps the dotted names flat
//! (`{"role.id": "Admins"}`). Source: the spec's schema `QueryRequest` (property `fields`)
//! and Sage's query examples (`shared/apis/intacct.md` §4).
//!
//! UNCERTAIN: neither the spec nor Sage's documents list, object by object, which fields the
//! query service accepts. The tables below are the properties of the spec's object schemas
//! (which follow Sage's `objects.company-config.*` schemas), with every nested object written
//! with dots. Two kinds of names in them are inferred, not documented:
//!
//! * fields of nested objects that are not references to another object (`webServices.isEnabled`,
//!   `sso.isSSOEnabled`, `audit.createdDateTime`): the dotted spelling is the one Sage
//!   documents for related objects, assumed to hold for these too;
//! * array properties (a user's `roles`, a role's `rolePermissionAssignments`): whether a query
//!   returns them at all is not documented. Query the objects that hold the same facts one per
//!   row instead (`role-user-map`, `role-permission-assignment`...).
//!
//! [`Client::get_model`](super::Client::get_model) (`GET /services/core/model`) gives the fields
//! of an object at runtime. Values of enumerations are open: Sage adds values between releases,
//! and a value permkit does not know decodes as `UnknownValue`.
//!
//! The column *record* names the Rust field of the typed record that reads the query field;
//! the record's `FIELDS` lists exactly those query fields.
//!
//! ## Audit fields (every object but `permission`)
//!
//! | field | type | notes |
//! |---|---|---|
//! | `audit.createdDateTime`, `audit.modifiedDateTime` | date-time string | read-only |
//! | `audit.createdByUser.key`, `.id`, `.href` | string | the user who created the record |
//! | `audit.modifiedByUser.key`, `.id`, `.href` | string | the user who last changed it |
//! | `audit.createdBy`, `audit.modifiedBy` | string | deprecated; absent on `user-group-member` (Sage's `audit.s2`) |
//!
//! ## `company-config/permission`
//!
//! | field | type | record |
//! |---|---|---|
//! | `key` | string, read-only | `key` |
//! | `id` | string, same as `key` | `id` |
//! | `module` | [`PermissionModule`] | `module` |
//! | `name` | [`PermissionName`] | `name` |
//! | `permissionGroup` | [`PermissionGroup`](super::types::PermissionGroup) or null | `permission_group` |
//! | `allowedAccessRights` | array of [`PermissionAccessRight`] | `allowed_access_rights` |
//! | `href` | string | `href` |
//!
//! No audit fields. Record: [`PermissionRecord`], its fields
//! [`PERMISSION_FIELDS`](super::query::PERMISSION_FIELDS).
//!
//! ## `company-config/role`
//!
//! | field | type | record |
//! |---|---|---|
//! | `key` | string, read-only | `key` |
//! | `id` | string: the role's name (system roles start with `::SYS::`) | `id` |
//! | `description` | string | `description` |
//! | `roleType` | [`RoleType`] | `role_type` |
//! | `applyTo` | [`RoleApplyTo`] | `apply_to` |
//! | `href` | string | `href` |
//! | `audit.*` | see above | – |
//! | `rolePermissionAssignments`, `customRolePermissionAssignments`, `agentRolePermissionAssignments`, `roleUsers`, `roleGroups` | arrays (UNCERTAIN in a query) | – |
//!
//! ## `company-config/role-permission-assignment`
//!
//! | field | type | record |
//! |---|---|---|
//! | `key` | string, read-only | `key` |
//! | `id` | string, same as `key` | `id` |
//! | `role.key`, `role.id` | string: the role | `role_key`, `role_id` |
//! | `role.href` | string | – |
//! | `permission.key`, `permission.id` | string: the permission | `permission_key`, `permission_id` |
//! | `permission.module` | [`PermissionModule`] | `permission_module` |
//! | `permission.name` | [`PermissionName`] | `permission_name` |
//! | `permission.href` | string | – |
//! | `accessRights` | array of [`PermissionAccessRight`]: the rights granted | `access_rights` |
//! | `href` | string | `href` |
//! | `audit.*` | see above | – |
//!
//! ## `company-config/role-user-map`
//!
//! | field | type | record |
//! |---|---|---|
//! | `key` | string, read-only | `key` |
//! | `id` | string, same as `key` | `id` |
//! | `role.key`, `role.id` | string: the role | `role_key`, `role_id` |
//! | `role.href` | string | – |
//! | `user.key`, `user.id` | string: the user (`id` is the login id) | `user_key`, `user_id` |
//! | `user.href` | string | – |
//! | `href` | string | `href` |
//! | `audit.*` | see above | – |
//!
//! ## `company-config/role-user-group-map`
//!
//! | field | type |
//! |---|---|
//! | `key` | string, read-only |
//! | `id` | string, same as `key` |
//! | `role.key`, `role.id`, `role.href` | string: the role |
//! | `userGroup.key`, `userGroup.id`, `userGroup.href` | string: the user group |
//! | `href` | string |
//! | `audit.*` | see above |
//!
//! ## `company-config/user-group`
//!
//! | field | type | record |
//! |---|---|---|
//! | `key` | string, read-only | `key` |
//! | `id` | string: the group's name | `id` |
//! | `description` | string | `description` |
//! | `href` | string | `href` |
//! | `audit.*` | see above | – |
//! | `roles` | array of references (UNCERTAIN in a query: use `role-user-group-map`) | – |
//!
//! ## `company-config/user-group-member`
//!
//! | field | type |
//! |---|---|
//! | `key` | string, read-only |
//! | `id` | string, same as `key` |
//! | `userGroup.key`, `userGroup.id`, `userGroup.href` | string: the group |
//! | `user.key`, `user.id`, `user.href` | string: the user |
//! | `user.userName` | string: the user's display name |
//! | `href` | string |
//! | `audit.*` | see above (without `createdBy`, `modifiedBy`) |
//!
//! ## `company-config/user`
//!
//! | field | type | record |
//! |---|---|---|
//! | `key` | string, read-only | `key` |
//! | `id` | string: the login id | `id` |
//! | `userName` | string: the display name | `user_name` |
//! | `accountEmail` | string | `account_email` |
//! | `userType` | [`UserType`] | `user_type` |
//! | `adminPrivileges` | [`AdminPrivileges`] | `admin_privileges` |
//! | `status` | [`UserStatus`] | `status` |
//! | `trustedDevices` | [`TrustedDevices`] | `trusted_devices` |
//! | `webServices.isEnabled` | boolean, read-only | `web_services_enabled` |
//! | `webServices.isRestricted` | boolean | `web_services_restricted` |
//! | `contact.key`, `contact.id` | string: the user's contact record | `contact_key`, `contact_id` |
//! | `entity.key`, `entity.id`, `entity.name` | string: the user's entity; null for top-level users (the spec's ASSUMPTION: Sage says so in prose but does not mark them nullable) | `entity_key`, `entity_id`, `entity_name` |
//! | `href` | string | `href` |
//! | `contact.href`, `entity.href` | string | – |
//! | `password.neverExpires`, `password.requiresReset`, `password.disablePassword` | boolean | – |
//! | `sso.isSSOEnabled` | boolean | – |
//! | `sso.federatedSSOId` | string | – |
//! | `entityAccess.allowUnrestrictedAccess`, `entityAccess.allowTopLevelAccess` | boolean | – |
//! | `isChatterDisabled`, `hideOtherDepartmentTransactions` | boolean | – |
//! | `contact.firstName`, `contact.lastName`, `contact.email1`, ... `contact.mailingAddress.city`, ... | string; deprecated by Sage | – |
//! | `audit.*` | see above | – |
//! | `roles`, `entities`, `departments`, `territories`, `locations` (deprecated), `permissionAssignments`, `customPermissionAssignments`, `agentPermissionAssignments` | arrays (UNCERTAIN in a query: use `role-user-map` for roles) | – |
//!
//! # The records
//!
//! Each record reads one row of its object's query, whatever the row holds: every field is
//! optional (a query returns only the fields it asked for, and `null` reads as `None`), fields
//! it does not know are ignored, keys and ids are read whether they come as strings or as
//! numbers, enumerations are open, and access rights are read as an array or as a
//! comma-separated string. `Record::FIELDS` is the list of query fields the record reads, and
//! `Record::query()` the query of its object with those fields, to which filters, sorting
//! and paging can be added.
//!
//! permkit's sandbox (`permkit_sandbox`, feature `sandbox`) serves all eight objects; it refuses a
//! field that none of its records holds (its users have no `password`, `sso` or
//! `entityAccess` settings, its role user maps no `audit`), which the records' `FIELDS` avoid.
//!
//! [`PermissionRecord`]: super::query::PermissionRecord
//! [`Row`]: super::query::Row

use super::query::Query;
use super::types::{
    AdminPrivileges, PermissionAccessRight, PermissionModule, PermissionName, RoleApplyTo,
    RoleType, TrustedDevices, UserStatus, UserType,
};
use serde::{Deserialize, Serialize};

/// A `company-config/role-permission-assignment` row: a permission granted to a role, with
/// the access rights granted. Every field is optional; see the [module docs](self) for how
/// leniently rows are read.
///
/// ```
/// use permkit::intacct::objects::RolePermissionAssignmentRecord;
/// use permkit::intacct::types::{PermissionAccessRight, PermissionModule};
/// let a: RolePermissionAssignmentRecord = serde_json::from_value(serde_json::json!({
///     "key": 1748, "role.key": "528", "role.id": "AP Manager",
///     "permission.key": "3295", "permission.module": "company", "permission.name": "coverLetters",
///     "accessRights": ["list", "readonly"], "audit.createdDateTime": "2025-05-16T15:34:35Z"
/// })).unwrap();
/// assert_eq!(a.key.as_deref(), Some("1748"));
/// assert_eq!(a.role_id.as_deref(), Some("AP Manager"));
/// assert_eq!(a.permission_module, Some(PermissionModule::Company));
/// assert_eq!(a.access_rights, [PermissionAccessRight::List, PermissionAccessRight::Readonly]);
/// assert_eq!(a.href, None);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RolePermissionAssignmentRecord {
    /// System key of the assignment.
    #[serde(default, deserialize_with = "lenient_string")]
    pub key: Option<String>,
    /// Same as the key.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// `role.key`: the role's system key.
    #[serde(default, rename = "role.key", deserialize_with = "lenient_string")]
    pub role_key: Option<String>,
    /// `role.id`: the role's name.
    #[serde(default, rename = "role.id", deserialize_with = "lenient_string")]
    pub role_id: Option<String>,
    /// `permission.key`: the permission's system key.
    #[serde(
        default,
        rename = "permission.key",
        deserialize_with = "lenient_string"
    )]
    pub permission_key: Option<String>,
    /// `permission.id`: same as its key.
    #[serde(default, rename = "permission.id", deserialize_with = "lenient_string")]
    pub permission_id: Option<String>,
    /// `permission.module`: the permission's module.
    #[serde(default, rename = "permission.module")]
    pub permission_module: Option<PermissionModule>,
    /// `permission.name`: the permission's name.
    #[serde(default, rename = "permission.name")]
    pub permission_name: Option<PermissionName>,
    /// `accessRights`: the access rights granted (an array or a comma-separated string;
    /// empty when absent or null).
    #[serde(default, rename = "accessRights", deserialize_with = "lenient_rights")]
    pub access_rights: Vec<PermissionAccessRight>,
    /// Path of the record.
    #[serde(default, deserialize_with = "lenient_string")]
    pub href: Option<String>,
}

impl RolePermissionAssignmentRecord {
    /// The object queried.
    pub const OBJECT: &'static str = "company-config/role-permission-assignment";

    /// The query fields this record reads, in the order [`query`](Self::query) asks for them.
    pub const FIELDS: &'static [&'static str] = &[
        "key",
        "id",
        "role.key",
        "role.id",
        "permission.key",
        "permission.id",
        "permission.module",
        "permission.name",
        "accessRights",
        "href",
    ];

    /// The query of [`OBJECT`](Self::OBJECT) with [`FIELDS`](Self::FIELDS).
    ///
    /// ```
    /// use permkit::intacct::objects::RolePermissionAssignmentRecord;
    /// use permkit::intacct::query::QueryFilter;
    /// // The assignments of one role.
    /// let q = RolePermissionAssignmentRecord::query().filter(QueryFilter::eq("role.id", "AP Manager"));
    /// assert_eq!(q.object(), "company-config/role-permission-assignment");
    /// ```
    pub fn query() -> Query {
        Query::new(Self::OBJECT).fields(Self::FIELDS.iter().copied())
    }
}

/// A `company-config/role-user-map` row: a role given to a user. Every field is optional; see
/// the [module docs](self) for how leniently rows are read.
///
/// ```
/// use permkit::intacct::objects::RoleUserMapRecord;
/// let m: RoleUserMapRecord = serde_json::from_value(serde_json::json!({
///     "key": "618", "id": "618", "role.key": 740, "role.id": "::SYS::Shared-ROLE-FOR - BTI",
///     "user.key": "4", "user.id": "BTI", "href": "/objects/company-config/role-user-map/618"
/// })).unwrap();
/// assert_eq!(m.role_key.as_deref(), Some("740"));
/// assert_eq!(m.user_id.as_deref(), Some("BTI"));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RoleUserMapRecord {
    /// System key of the map.
    #[serde(default, deserialize_with = "lenient_string")]
    pub key: Option<String>,
    /// Same as the key.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// `role.key`: the role's system key.
    #[serde(default, rename = "role.key", deserialize_with = "lenient_string")]
    pub role_key: Option<String>,
    /// `role.id`: the role's name.
    #[serde(default, rename = "role.id", deserialize_with = "lenient_string")]
    pub role_id: Option<String>,
    /// `user.key`: the user's system key.
    #[serde(default, rename = "user.key", deserialize_with = "lenient_string")]
    pub user_key: Option<String>,
    /// `user.id`: the user's login id.
    #[serde(default, rename = "user.id", deserialize_with = "lenient_string")]
    pub user_id: Option<String>,
    /// Path of the record.
    #[serde(default, deserialize_with = "lenient_string")]
    pub href: Option<String>,
}

impl RoleUserMapRecord {
    /// The object queried.
    pub const OBJECT: &'static str = "company-config/role-user-map";

    /// The query fields this record reads, in the order [`query`](Self::query) asks for them.
    pub const FIELDS: &'static [&'static str] = &[
        "key", "id", "role.key", "role.id", "user.key", "user.id", "href",
    ];

    /// The query of [`OBJECT`](Self::OBJECT) with [`FIELDS`](Self::FIELDS).
    ///
    /// ```
    /// use permkit::intacct::objects::RoleUserMapRecord;
    /// use permkit::intacct::query::QueryFilter;
    /// // The roles of one user.
    /// let q = RoleUserMapRecord::query().filter(QueryFilter::eq("user.id", "jsmith"));
    /// assert_eq!(q.to_json().unwrap()["fields"], serde_json::json!(RoleUserMapRecord::FIELDS));
    /// ```
    pub fn query() -> Query {
        Query::new(Self::OBJECT).fields(Self::FIELDS.iter().copied())
    }
}

/// A `company-config/user` row: a company user. Every field is optional; see the
/// [module docs](self) for how leniently rows are read.
///
/// ```
/// use permkit::intacct::objects::UserRecord;
/// use permkit::intacct::types::{UserStatus, UserType};
/// let u: UserRecord = serde_json::from_value(serde_json::json!({
///     "key": "65", "id": "jsmith", "userName": "John Smith", "userType": "business",
///     "status": "lockedOut", "webServices.isEnabled": false,
///     "entity.key": null, "entity.id": null, "adminPrivileges": "superUser"
/// })).unwrap();
/// assert_eq!(u.user_name.as_deref(), Some("John Smith"));
/// assert_eq!(u.status, Some(UserStatus::LockedOut));
/// assert_eq!(u.user_type, Some(UserType::Business));
/// assert_eq!(u.web_services_enabled, Some(false));
/// assert_eq!(u.entity_id, None); // a top-level user
/// assert!(!u.admin_privileges.unwrap().is_known()); // a value Sage added later
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct UserRecord {
    /// System key of the user.
    #[serde(default, deserialize_with = "lenient_string")]
    pub key: Option<String>,
    /// The login id.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// `userName`: the display name.
    #[serde(default, rename = "userName", deserialize_with = "lenient_string")]
    pub user_name: Option<String>,
    /// `accountEmail`.
    #[serde(default, rename = "accountEmail", deserialize_with = "lenient_string")]
    pub account_email: Option<String>,
    /// `userType`.
    #[serde(default, rename = "userType")]
    pub user_type: Option<UserType>,
    /// `adminPrivileges`.
    #[serde(default, rename = "adminPrivileges")]
    pub admin_privileges: Option<AdminPrivileges>,
    /// `status`: active, inactive or locked out.
    #[serde(default)]
    pub status: Option<UserStatus>,
    /// `trustedDevices`.
    #[serde(default, rename = "trustedDevices")]
    pub trusted_devices: Option<TrustedDevices>,
    /// `webServices.isEnabled`: whether the user may use Web Services (a boolean, or the
    /// strings `true`/`false`).
    #[serde(
        default,
        rename = "webServices.isEnabled",
        deserialize_with = "lenient_bool"
    )]
    pub web_services_enabled: Option<bool>,
    /// `webServices.isRestricted`.
    #[serde(
        default,
        rename = "webServices.isRestricted",
        deserialize_with = "lenient_bool"
    )]
    pub web_services_restricted: Option<bool>,
    /// `contact.key`: the user's contact record.
    #[serde(default, rename = "contact.key", deserialize_with = "lenient_string")]
    pub contact_key: Option<String>,
    /// `contact.id`.
    #[serde(default, rename = "contact.id", deserialize_with = "lenient_string")]
    pub contact_id: Option<String>,
    /// `entity.key`: the user's entity; `None` for a top-level user.
    #[serde(default, rename = "entity.key", deserialize_with = "lenient_string")]
    pub entity_key: Option<String>,
    /// `entity.id`.
    #[serde(default, rename = "entity.id", deserialize_with = "lenient_string")]
    pub entity_id: Option<String>,
    /// `entity.name`.
    #[serde(default, rename = "entity.name", deserialize_with = "lenient_string")]
    pub entity_name: Option<String>,
    /// Path of the record.
    #[serde(default, deserialize_with = "lenient_string")]
    pub href: Option<String>,
}

impl UserRecord {
    /// The object queried.
    pub const OBJECT: &'static str = "company-config/user";

    /// The query fields this record reads, in the order [`query`](Self::query) asks for them.
    pub const FIELDS: &'static [&'static str] = &[
        "key",
        "id",
        "userName",
        "accountEmail",
        "userType",
        "adminPrivileges",
        "status",
        "trustedDevices",
        "webServices.isEnabled",
        "webServices.isRestricted",
        "contact.key",
        "contact.id",
        "entity.key",
        "entity.id",
        "entity.name",
        "href",
    ];

    /// The query of [`OBJECT`](Self::OBJECT) with [`FIELDS`](Self::FIELDS).
    ///
    /// ```
    /// use permkit::intacct::objects::UserRecord;
    /// use permkit::intacct::query::{QueryFilter, Order};
    /// // Active users with full admin privileges, by login id.
    /// let q = UserRecord::query()
    ///     .filter(QueryFilter::eq("status", "active"))
    ///     .filter(QueryFilter::eq("adminPrivileges", "full"))
    ///     .order_by("id", Order::Asc);
    /// assert!(q.validate().is_ok());
    /// ```
    pub fn query() -> Query {
        Query::new(Self::OBJECT).fields(Self::FIELDS.iter().copied())
    }
}

/// A `company-config/user-group` row: a group of users. Every field is optional; see the
/// [module docs](self) for how leniently rows are read.
///
/// ```
/// use permkit::intacct::objects::UserGroupRecord;
/// let g: UserGroupRecord = serde_json::from_value(serde_json::json!({
///     "key": 41, "id": "GL users", "description": "General Ledger managers", "roles": []
/// })).unwrap();
/// assert_eq!(g.key.as_deref(), Some("41"));
/// assert_eq!(g.description.as_deref(), Some("General Ledger managers"));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct UserGroupRecord {
    /// System key of the group.
    #[serde(default, deserialize_with = "lenient_string")]
    pub key: Option<String>,
    /// The group's name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// `description`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub description: Option<String>,
    /// Path of the record.
    #[serde(default, deserialize_with = "lenient_string")]
    pub href: Option<String>,
}

impl UserGroupRecord {
    /// The object queried.
    pub const OBJECT: &'static str = "company-config/user-group";

    /// The query fields this record reads, in the order [`query`](Self::query) asks for them.
    pub const FIELDS: &'static [&'static str] = &["key", "id", "description", "href"];

    /// The query of [`OBJECT`](Self::OBJECT) with [`FIELDS`](Self::FIELDS).
    ///
    /// ```
    /// use permkit::intacct::objects::UserGroupRecord;
    /// let q = UserGroupRecord::query();
    /// assert_eq!(q.to_json().unwrap()["object"], "company-config/user-group");
    /// ```
    pub fn query() -> Query {
        Query::new(Self::OBJECT).fields(Self::FIELDS.iter().copied())
    }
}

/// A `company-config/role` row: a role. Every field is optional; see the [module docs](self)
/// for how leniently rows are read.
///
/// ```
/// use permkit::intacct::objects::RoleRecord;
/// use permkit::intacct::types::{RoleApplyTo, RoleType};
/// let r: RoleRecord = serde_json::from_value(serde_json::json!({
///     "key": "470", "id": "Admins", "description": "Administrator role with permissions",
///     "roleType": "enterprise", "applyTo": "loginAndSlideIn"
/// })).unwrap();
/// assert_eq!(r.id.as_deref(), Some("Admins"));
/// assert_eq!(r.role_type, Some(RoleType::Enterprise));
/// assert_eq!(r.apply_to, Some(RoleApplyTo::LoginAndSlideIn));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RoleRecord {
    /// System key of the role.
    #[serde(default, deserialize_with = "lenient_string")]
    pub key: Option<String>,
    /// The role's name; system roles start with `::SYS::`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// `description`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub description: Option<String>,
    /// `roleType`.
    #[serde(default, rename = "roleType")]
    pub role_type: Option<RoleType>,
    /// `applyTo`.
    #[serde(default, rename = "applyTo")]
    pub apply_to: Option<RoleApplyTo>,
    /// Path of the record.
    #[serde(default, deserialize_with = "lenient_string")]
    pub href: Option<String>,
}

impl RoleRecord {
    /// The object queried.
    pub const OBJECT: &'static str = "company-config/role";

    /// The query fields this record reads, in the order [`query`](Self::query) asks for them.
    pub const FIELDS: &'static [&'static str] =
        &["key", "id", "description", "roleType", "applyTo", "href"];

    /// The query of [`OBJECT`](Self::OBJECT) with [`FIELDS`](Self::FIELDS).
    ///
    /// ```
    /// use permkit::intacct::objects::RoleRecord;
    /// use permkit::intacct::query::QueryFilter;
    /// // The roles that are not system roles.
    /// let q = RoleRecord::query().filter(QueryFilter::not_starts_with("id", "::SYS::"));
    /// assert_eq!(q.to_json().unwrap()["fields"][3], "roleType");
    /// ```
    pub fn query() -> Query {
        Query::new(Self::OBJECT).fields(Self::FIELDS.iter().copied())
    }
}

/// A JSON scalar as the lenient readers see it: numbers are read as their JSON spelling.
enum Scalar {
    Text(String),
    Bool(bool),
}

/// A string, a number or a boolean, or nothing (null, or an array or object, skipped in
/// place). Decoded without building a `Value` first.
fn scalar<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Scalar>, D::Error> {
    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Lenient;
    impl<'de> Visitor<'de> for Lenient {
        type Value = Option<Scalar>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string, a number, a boolean or null")
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Scalar::Text(v.to_owned())))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Scalar::Text(v)))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Scalar::Text(v.to_string())))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Scalar::Text(v.to_string())))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(serde_json::Number::from_f64(v).map(|n| Scalar::Text(n.to_string())))
        }
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(Scalar::Bool(v)))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(Lenient)
}

/// A string or a number (as its JSON spelling); anything else reads as `None`.
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match scalar(d)? {
        Some(Scalar::Text(s)) => Some(s),
        _ => None,
    })
}

/// A boolean, or the strings `true`/`false` (any case); anything else reads as `None`.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match scalar(d)? {
        Some(Scalar::Bool(b)) => Some(b),
        Some(Scalar::Text(s)) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Some(Scalar::Text(s)) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// Access rights as an array, as a string split at commas and spaces, or nothing (`null`);
/// a number, a boolean or an object is an error, as for [`PermissionRecord`]'s rights.
///
/// [`PermissionRecord`]: super::query::PermissionRecord
fn lenient_rights<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<PermissionAccessRight>, D::Error> {
    use serde::de::{MapAccess, SeqAccess, Unexpected, Visitor};
    struct Rights;
    fn unexpected<E: serde::de::Error>(what: Unexpected<'_>) -> E {
        E::custom(format!("accessRights: unexpected {what}"))
    }
    impl<'de> Visitor<'de> for Rights {
        type Value = Vec<PermissionAccessRight>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of access rights, a comma-separated string or null")
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(Into::into)
                .collect())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
            while let Some(right) = seq.next_element()? {
                out.push(right);
            }
            Ok(out)
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Err(unexpected(Unexpected::Bool(v)))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Err(unexpected(Unexpected::Signed(v)))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Err(unexpected(Unexpected::Unsigned(v)))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Err(unexpected(Unexpected::Float(v)))
        }
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(unexpected(Unexpected::Map))
        }
    }
    d.deserialize_any(Rights)
}
