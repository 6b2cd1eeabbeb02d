//! The query service (`POST /services/core/query`): a typed [`Query`] that writes exactly the
//! JSON Sage documents, checked before it is sent, and sent like every other operation:
//! [`Client::query`] returns a builder ([`QueryRequest`]) whose `send()` gives one
//! [`Page`] of rows and whose `.stream()` and `.pages()` follow `ia::meta.next`.
//!
//! ```no_run
//! # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
//! use futures::TryStreamExt;
//! use permkit::intacct::query::{QueryFilter, Order, Query};
//!
//! let q = Query::new("company-config/permission")
//!     .fields(["key", "module", "name", "allowedAccessRights"])
//!     .filter(QueryFilter::eq("module", "accountsPayable"))
//!     .filter(QueryFilter::contains("name", "vendor"))
//!     .filter_expression("1 and 2")
//!     .case_sensitive(false)
//!     .order_by("name", Order::Asc)
//!     .size(500);
//! // One page:
//! let page = client.query(q.clone()).send().await?;
//! println!("{} of {:?} rows, next page at {:?}", page.items.len(), page.total_count, page.next);
//! // Every row of every page:
//! let mut rows = client.query(q).stream();
//! while let Some(row) = rows.try_next().await? {
//!     println!("{} {}", row["module"], row["name"]);
//! }
//! # Ok(()) }
//! ```
//!
//! The request goes through permkit's transport with the client's credentials, entity,
//! retries (the query only reads, so it is retried like a GET) and request counts (operation
//! `query`). It is built here rather than generated from the spec: the generated operand
//! types hold numbers as `f64`, which would turn a filter value `100` into `100.0`.
//!
//! Pages are offset based: the same body is sent again with `start` set to the previous
//! page's `ia::meta.next`, until `next` is null. The pager stops with
//! [`ErrorKind::Pagination`] when `next` does not advance or a page repeats the previous one.
//! The pagers ask for [`MAX_SIZE`] rows a page (each page is one billed API transaction)
//! unless [`Query::size`] says otherwise, and [`QueryRequest::prefetch`] keeps pages in flight
//! (the offsets after `next` are predicted from the first page and the total count: see
//! [`paginate_ahead`](crate::pagination::paginate_ahead)).
//!
//! Which objects the service serves, with every field as the query names it (dotted
//! references such as `role.id`), is listed in [`objects`](super::objects), with typed
//! records for the objects permkit models ([`PermissionRecord`] here;
//! [`RoleRecord`](super::objects::RoleRecord), [`UserRecord`](super::objects::UserRecord),
//! [`UserGroupRecord`](super::objects::UserGroupRecord),
//! [`RoleUserMapRecord`](super::objects::RoleUserMapRecord),
//! [`RolePermissionAssignmentRecord`](super::objects::RolePermissionAssignmentRecord)), each
//! read with `client.query(Record::query()).records::<Record>()`.

use super::Client;
use super::types::{PageMetadata, QueryRecord, QueryResponse};
use crate::pagination::{self, Page, ResultStream};
use crate::{Error, ErrorKind, Pending, Response, Result};
use serde_json::{Map, Number, Value, json};

/// One result row: requested field name (dotted names kept flat, `role.id`) to its value.
pub type Row = Map<String, Value>;

/// The largest `size` the query service accepts.
pub const MAX_SIZE: u64 = 4000;

/// A filter operator of the query service.
///
/// ```
/// use permkit::intacct::query::QueryOp;
/// assert_eq!(QueryOp::NotStartsWith.as_str(), "$notStartsWith");
/// assert_eq!(QueryOp::ALL.len(), 17);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryOp {
    /// `$eq`: equal (string, null, number, boolean).
    Eq,
    /// `$ne`: not equal (string, null, number, boolean).
    Ne,
    /// `$lt`: less than (string, number).
    Lt,
    /// `$gt`: greater than (string, number).
    Gt,
    /// `$lte`: less than or equal (string, number, boolean).
    Lte,
    /// `$gte`: greater than or equal (string, number, boolean).
    Gte,
    /// `$in`: one of a list.
    In,
    /// `$notIn`: none of a list.
    NotIn,
    /// `$between`: within two bounds.
    Between,
    /// `$notBetween`: outside two bounds.
    NotBetween,
    /// `$contains` (not for dates).
    Contains,
    /// `$notContains` (not for dates).
    NotContains,
    /// `$startsWith` (not for dates).
    StartsWith,
    /// `$notStartsWith` (not for dates).
    NotStartsWith,
    /// `$endsWith` (not for dates).
    EndsWith,
    /// `$notEndsWith` (not for dates).
    NotEndsWith,
    /// `$has`: an array-of-strings field contains the value.
    Has,
}

impl QueryOp {
    /// Every operator, in Sage's order.
    pub const ALL: [QueryOp; 17] = [
        QueryOp::Eq,
        QueryOp::Ne,
        QueryOp::Lt,
        QueryOp::Gt,
        QueryOp::Lte,
        QueryOp::Gte,
        QueryOp::In,
        QueryOp::NotIn,
        QueryOp::Between,
        QueryOp::NotBetween,
        QueryOp::Contains,
        QueryOp::NotContains,
        QueryOp::StartsWith,
        QueryOp::NotStartsWith,
        QueryOp::EndsWith,
        QueryOp::NotEndsWith,
        QueryOp::Has,
    ];

    /// The operator's spelling on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryOp::Eq => "$eq",
            QueryOp::Ne => "$ne",
            QueryOp::Lt => "$lt",
            QueryOp::Gt => "$gt",
            QueryOp::Lte => "$lte",
            QueryOp::Gte => "$gte",
            QueryOp::In => "$in",
            QueryOp::NotIn => "$notIn",
            QueryOp::Between => "$between",
            QueryOp::NotBetween => "$notBetween",
            QueryOp::Contains => "$contains",
            QueryOp::NotContains => "$notContains",
            QueryOp::StartsWith => "$startsWith",
            QueryOp::NotStartsWith => "$notStartsWith",
            QueryOp::EndsWith => "$endsWith",
            QueryOp::NotEndsWith => "$notEndsWith",
            QueryOp::Has => "$has",
        }
    }

    /// The operator spelled `s` (`$eq`), if any.
    ///
    /// ```
    /// use permkit::intacct::query::QueryOp;
    /// assert_eq!(QueryOp::parse("$in"), Some(QueryOp::In));
    /// assert_eq!(QueryOp::parse("$like"), None);
    /// ```
    pub fn parse(s: &str) -> Option<QueryOp> {
        QueryOp::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// An operand that may be a string, a number, a boolean or null (`$eq`, `$ne`; without null
/// for `$lte`, `$gte`, `$in`, `$notIn`).
///
/// ```
/// use permkit::intacct::query::Scalar;
/// assert_eq!(Scalar::from(5).to_json(), serde_json::json!(5));
/// assert_eq!(Scalar::from(None::<&str>).to_json(), serde_json::Value::Null);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar(Value);

/// An operand that is a string or a number (`$lt`, `$gt`, ranges and the text operators).
/// Dates go as `YYYY-MM-DD` strings; date macros (`today`, `priorMonth`) are strings too.
///
/// ```
/// use permkit::intacct::query::Ordinal;
/// assert_eq!(Ordinal::from("today").to_json(), serde_json::json!("today"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ordinal(Value);

impl Scalar {
    /// The JSON of this operand (null for a non-finite number, which the query refuses).
    pub fn to_json(&self) -> Value {
        self.0.clone()
    }
}

impl Ordinal {
    /// The JSON of this operand.
    pub fn to_json(&self) -> Value {
        self.0.clone()
    }
}

/// A number as JSON; a non-finite float is kept as a marker the validation refuses.
fn float(f: f64) -> Value {
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or_else(|| json!({ NON_FINITE: true }))
}

const NON_FINITE: &str = "$permkit.nonFinite";

macro_rules! operand_from {
    ($t:ty => $($from:ty),*) => {$(
        impl From<$from> for $t {
            fn from(v: $from) -> Self {
                Self(Value::from(v))
            }
        }
    )*};
}
operand_from!(Scalar => &str, String, i32, i64, u32, u64, bool);
operand_from!(Ordinal => &str, String, i32, i64, u32, u64);

impl From<&String> for Scalar {
    fn from(v: &String) -> Self {
        Scalar(Value::String(v.clone()))
    }
}
impl From<&String> for Ordinal {
    fn from(v: &String) -> Self {
        Ordinal(Value::String(v.clone()))
    }
}
impl From<f64> for Scalar {
    fn from(v: f64) -> Self {
        Scalar(float(v))
    }
}
impl From<f64> for Ordinal {
    fn from(v: f64) -> Self {
        Ordinal(float(v))
    }
}
impl From<chrono::NaiveDate> for Scalar {
    fn from(d: chrono::NaiveDate) -> Self {
        Scalar(Value::String(d.format("%Y-%m-%d").to_string()))
    }
}
impl From<chrono::NaiveDate> for Ordinal {
    fn from(d: chrono::NaiveDate) -> Self {
        Ordinal(Value::String(d.format("%Y-%m-%d").to_string()))
    }
}
/// An open enum, as the vendor spells it (`RoleType::Enterprise` is `"enterprise"`).
impl<E: crate::open_enum::OpenEnum> From<E> for Scalar {
    fn from(e: E) -> Self {
        Scalar(e.into())
    }
}
/// An open enum, as the vendor spells it.
impl<E: crate::open_enum::OpenEnum> From<E> for Ordinal {
    fn from(e: E) -> Self {
        Ordinal(e.into())
    }
}
/// A timestamp as it is written (RFC 3339).
impl From<crate::Timestamp> for Scalar {
    fn from(t: crate::Timestamp) -> Self {
        Scalar(t.into())
    }
}
/// A timestamp as it is written (RFC 3339).
impl From<crate::Timestamp> for Ordinal {
    fn from(t: crate::Timestamp) -> Self {
        Ordinal(t.into())
    }
}
impl<T: Into<Scalar>> From<Option<T>> for Scalar {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Scalar(Value::Null))
    }
}

/// One condition of a query: an operator, a field and its operand.
///
/// ```
/// use permkit::intacct::query::QueryFilter;
/// assert_eq!(QueryFilter::between("key", 10, 20).to_json(), serde_json::json!({"$between": {"key": [10, 20]}}));
/// assert_eq!(QueryFilter::is_null("permissionGroup").to_json(), serde_json::json!({"$eq": {"permissionGroup": null}}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QueryFilter {
    op: QueryOp,
    field: String,
    operand: Value,
}

impl QueryFilter {
    fn make(op: QueryOp, field: impl Into<String>, operand: Value) -> Self {
        QueryFilter {
            op,
            field: field.into(),
            operand,
        }
    }

    /// Any operator with a raw JSON operand (checked against the operator before sending).
    ///
    /// ```
    /// use permkit::intacct::query::{QueryFilter, QueryOp};
    /// let f = QueryFilter::new(QueryOp::Eq, "status", serde_json::json!("active"));
    /// assert_eq!(f, QueryFilter::eq("status", "active"));
    /// ```
    pub fn new(op: QueryOp, field: impl Into<String>, operand: Value) -> Self {
        QueryFilter::make(op, field, operand)
    }
    /// `$eq`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::eq("module", "accountsPayable");
    /// assert_eq!(f.to_json(), serde_json::json!({"$eq": {"module": "accountsPayable"}}));
    /// ```
    pub fn eq(field: impl Into<String>, value: impl Into<Scalar>) -> Self {
        QueryFilter::make(QueryOp::Eq, field, value.into().0)
    }
    /// `$ne`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::ne("status", "inactive");
    /// assert_eq!(f.to_json(), serde_json::json!({"$ne": {"status": "inactive"}}));
    /// ```
    pub fn ne(field: impl Into<String>, value: impl Into<Scalar>) -> Self {
        QueryFilter::make(QueryOp::Ne, field, value.into().0)
    }
    /// `$eq` null.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::is_null("permissionGroup");
    /// # let _ = f;
    /// ```
    pub fn is_null(field: impl Into<String>) -> Self {
        QueryFilter::make(QueryOp::Eq, field, Value::Null)
    }
    /// `$ne` null.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::is_not_null("permissionGroup");
    /// assert_eq!(f.to_json(), serde_json::json!({"$ne": {"permissionGroup": null}}));
    /// ```
    pub fn is_not_null(field: impl Into<String>) -> Self {
        QueryFilter::make(QueryOp::Ne, field, Value::Null)
    }
    /// `$lt`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::lt("key", 100);
    /// assert_eq!(f.to_json(), serde_json::json!({"$lt": {"key": 100}}));
    /// ```
    pub fn lt(field: impl Into<String>, value: impl Into<Ordinal>) -> Self {
        QueryFilter::make(QueryOp::Lt, field, value.into().0)
    }
    /// `$gt`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::gt("audit.createdDateTime", "priorMonth");
    /// # let _ = f;
    /// ```
    pub fn gt(field: impl Into<String>, value: impl Into<Ordinal>) -> Self {
        QueryFilter::make(QueryOp::Gt, field, value.into().0)
    }
    /// `$lte` (string, number or boolean; not null).
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::lte("key", 10);
    /// # let _ = f;
    /// ```
    pub fn lte(field: impl Into<String>, value: impl Into<Scalar>) -> Self {
        QueryFilter::make(QueryOp::Lte, field, value.into().0)
    }
    /// `$gte` (string, number or boolean; not null).
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::gte("key", 10);
    /// # let _ = f;
    /// ```
    pub fn gte(field: impl Into<String>, value: impl Into<Scalar>) -> Self {
        QueryFilter::make(QueryOp::Gte, field, value.into().0)
    }
    /// `$in`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::in_("module", ["accountsPayable", "purchasing"]);
    /// assert_eq!(f.to_json(), serde_json::json!({"$in": {"module": ["accountsPayable", "purchasing"]}}));
    /// ```
    pub fn in_<V: Into<Scalar>>(
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        QueryFilter::make(
            QueryOp::In,
            field,
            Value::Array(values.into_iter().map(|v| v.into().0).collect()),
        )
    }
    /// `$notIn`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::not_in("key", [1, 2, 3]);
    /// # let _ = f;
    /// ```
    pub fn not_in<V: Into<Scalar>>(
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        QueryFilter::make(
            QueryOp::NotIn,
            field,
            Value::Array(values.into_iter().map(|v| v.into().0).collect()),
        )
    }
    /// `$between` (inclusive bounds).
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::between("key", 1, 50);
    /// # let _ = f;
    /// ```
    pub fn between(
        field: impl Into<String>,
        low: impl Into<Ordinal>,
        high: impl Into<Ordinal>,
    ) -> Self {
        QueryFilter::make(
            QueryOp::Between,
            field,
            json!([low.into().0, high.into().0]),
        )
    }
    /// `$notBetween`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::not_between("key", 1, 50);
    /// # let _ = f;
    /// ```
    pub fn not_between(
        field: impl Into<String>,
        low: impl Into<Ordinal>,
        high: impl Into<Ordinal>,
    ) -> Self {
        QueryFilter::make(
            QueryOp::NotBetween,
            field,
            json!([low.into().0, high.into().0]),
        )
    }
    /// `$contains`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::contains("name", "vendor");
    /// # let _ = f;
    /// ```
    pub fn contains(field: impl Into<String>, value: impl Into<Ordinal>) -> Self {
        QueryFilter::make(QueryOp::Contains, field, value.into().0)
    }
    /// `$notContains`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::not_contains("name", "report");
    /// # let _ = f;
    /// ```
    pub fn not_contains(field: impl Into<String>, value: impl Into<Ordinal>) -> Self {
        QueryFilter::make(QueryOp::NotContains, field, value.into().0)
    }
    /// `$startsWith`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::starts_with("id", "::SYS::");
    /// # let _ = f;
    /// ```
    pub fn starts_with(field: impl Into<String>, value: impl Into<Ordinal>) -> Self {
        QueryFilter::make(QueryOp::StartsWith, field, value.into().0)
    }
    /// `$notStartsWith`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::not_starts_with("id", "::SYS::");
    /// # let _ = f;
    /// ```
    pub fn not_starts_with(field: impl Into<String>, value: impl Into<Ordinal>) -> Self {
        QueryFilter::make(QueryOp::NotStartsWith, field, value.into().0)
    }
    /// `$endsWith`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::ends_with("name", "Reports");
    /// # let _ = f;
    /// ```
    pub fn ends_with(field: impl Into<String>, value: impl Into<Ordinal>) -> Self {
        QueryFilter::make(QueryOp::EndsWith, field, value.into().0)
    }
    /// `$notEndsWith`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::not_ends_with("name", "Reports");
    /// # let _ = f;
    /// ```
    pub fn not_ends_with(field: impl Into<String>, value: impl Into<Ordinal>) -> Self {
        QueryFilter::make(QueryOp::NotEndsWith, field, value.into().0)
    }
    /// `$has`: the array-of-strings `field` contains `value`.
    ///
    /// ```
    /// let f = permkit::intacct::query::QueryFilter::has("allowedAccessRights", "void");
    /// assert_eq!(f.to_json(), serde_json::json!({"$has": {"allowedAccessRights": "void"}}));
    /// ```
    pub fn has(field: impl Into<String>, value: impl Into<String>) -> Self {
        QueryFilter::make(QueryOp::Has, field, Value::String(value.into()))
    }

    /// The operator.
    pub fn operator(&self) -> QueryOp {
        self.op
    }
    /// The field.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The condition as Sage writes it: `{"<op>": {"<field>": <operand>}}`.
    pub fn to_json(&self) -> Value {
        let mut inner = Map::new();
        inner.insert(self.field.clone(), self.operand.clone());
        let mut outer = Map::new();
        outer.insert(self.op.as_str().to_string(), Value::Object(inner));
        Value::Object(outer)
    }

    /// Whether the operand fits the operator.
    fn check(&self, n: usize) -> Result<()> {
        let bad = |what: &str| {
            Err(Error::new(
                ErrorKind::Validation,
                format!(
                    "filter {n} ({} on `{}`): {what}",
                    self.op.as_str(),
                    self.field
                ),
            ))
        };
        if self.field.trim().is_empty() {
            return bad("the field name is empty");
        }
        let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
        let ordinal = |v: &Value| matches!(v, Value::String(_) | Value::Number(_));
        let v = &self.operand;
        let ok = match self.op {
            QueryOp::Eq | QueryOp::Ne => v.is_null() || scalar(v),
            QueryOp::Lte | QueryOp::Gte => scalar(v),
            QueryOp::Lt | QueryOp::Gt => ordinal(v),
            QueryOp::Contains
            | QueryOp::NotContains
            | QueryOp::StartsWith
            | QueryOp::NotStartsWith
            | QueryOp::EndsWith
            | QueryOp::NotEndsWith => ordinal(v),
            QueryOp::Has => v.is_string(),
            QueryOp::In | QueryOp::NotIn => {
                return match v.as_array() {
                    Some(items) if items.is_empty() => bad("the list is empty"),
                    Some(items) if items.iter().all(scalar) => Ok(()),
                    _ => bad("needs a list of strings, numbers or booleans"),
                };
            }
            QueryOp::Between | QueryOp::NotBetween => {
                return match v.as_array() {
                    Some(items) if items.len() == 2 && items.iter().all(ordinal) => Ok(()),
                    _ => bad("needs exactly two bounds, strings or numbers"),
                };
            }
        };
        if ok {
            Ok(())
        } else {
            bad("the operand does not fit the operator (or is a non-finite number)")
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// `asc`.
    Asc,
    /// `desc`.
    Desc,
}

impl Order {
    /// The wire spelling.
    ///
    /// ```
    /// assert_eq!(permkit::intacct::query::Order::Desc.as_str(), "desc");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Asc => "asc",
            Order::Desc => "desc",
        }
    }
}

/// `filterParameters`: sent inside the query object (the server rejects them at the top level).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct FilterParameters {
    /// `asOfDate`: the day date macros refer to.
    pub as_of_date: Option<chrono::NaiveDate>,
    /// `includeHierarchyFields` (server default false).
    pub include_hierarchy_fields: Option<bool>,
    /// `caseSensitiveComparison` (server default true).
    pub case_sensitive_comparison: Option<bool>,
    /// `includePrivate` (server default false).
    pub include_private: Option<bool>,
}

impl FilterParameters {
    fn is_empty(&self) -> bool {
        *self == FilterParameters::default()
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(d) = self.as_of_date {
            m.insert(
                "asOfDate".into(),
                Value::String(d.format("%Y-%m-%d").to_string()),
            );
        }
        if let Some(b) = self.include_hierarchy_fields {
            m.insert("includeHierarchyFields".into(), Value::Bool(b));
        }
        if let Some(b) = self.case_sensitive_comparison {
            m.insert("caseSensitiveComparison".into(), Value::Bool(b));
        }
        if let Some(b) = self.include_private {
            m.insert("includePrivate".into(), Value::Bool(b));
        }
        Value::Object(m)
    }
}

/// A query of one object. See the [module docs](self).
///
/// ```
/// use permkit::intacct::query::{QueryFilter, Order, Query};
/// let q = Query::new("company-config/role")
///     .fields(["key", "id", "roleType"])
///     .filter(QueryFilter::starts_with("id", "::SYS::"))
///     .order_by("id", Order::Desc)
///     .start(1)
///     .size(50);
/// assert_eq!(q.to_json().unwrap(), serde_json::json!({
///     "object": "company-config/role",
///     "fields": ["key", "id", "roleType"],
///     "filters": [{"$startsWith": {"id": "::SYS::"}}],
///     "orderBy": [{"id": "desc"}],
///     "start": 1,
///     "size": 50
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    object: String,
    fields: Vec<String>,
    filters: Vec<QueryFilter>,
    filter_expression: Option<String>,
    filter_parameters: FilterParameters,
    order_by: Vec<(String, Order)>,
    start: Option<u64>,
    size: Option<u64>,
    entity: Option<String>,
}

/// The fields of `company-config/permission` that [`PermissionRecord`] reads.
pub const PERMISSION_FIELDS: &[&str] = &[
    "key",
    "id",
    "module",
    "name",
    "permissionGroup",
    "allowedAccessRights",
    "href",
];

impl Query {
    /// A query of `object` (`<application>/<object>`, e.g. `company-config/permission`).
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::new("company-config/user");
    /// assert_eq!(q.object(), "company-config/user");
    /// ```
    pub fn new(object: impl Into<String>) -> Self {
        Query {
            object: object.into(),
            fields: Vec::new(),
            filters: Vec::new(),
            filter_expression: None,
            filter_parameters: FilterParameters::default(),
            order_by: Vec::new(),
            start: None,
            size: None,
            entity: None,
        }
    }

    /// The permissions query: `company-config/permission` with [`PERMISSION_FIELDS`], sorted
    /// by key, whose rows decode as [`PermissionRecord`] (see [`QueryRequest::records`]).
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::permissions();
    /// assert_eq!(q.to_json().unwrap()["fields"][2], "module");
    /// ```
    pub fn permissions() -> Self {
        Query::new("company-config/permission").fields(PERMISSION_FIELDS.iter().copied())
    }

    /// The object queried.
    pub fn object(&self) -> &str {
        &self.object
    }

    /// Adds fields to return (own fields, `rel.field`, aggregates like `count:key`).
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::new("company-config/role").fields(["id", "description"]);
    /// # let _ = q;
    /// ```
    pub fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields.extend(fields.into_iter().map(Into::into));
        self
    }
    /// Adds one field.
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::new("company-config/role").field("id");
    /// # let _ = q;
    /// ```
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.fields.push(field.into());
        self
    }
    /// Adds a condition (numbered from 1 in the order added, for `filterExpression`).
    ///
    /// ```
    /// use permkit::intacct::query::{QueryFilter, Query};
    /// let q = Query::new("company-config/role").filter(QueryFilter::eq("roleType", "enterprise"));
    /// # let _ = q;
    /// ```
    pub fn filter(mut self, filter: QueryFilter) -> Self {
        self.filters.push(filter);
        self
    }
    /// Adds conditions.
    ///
    /// ```
    /// use permkit::intacct::query::{QueryFilter, Query};
    /// let q = Query::new("company-config/role").filters([QueryFilter::eq("a", 1), QueryFilter::eq("b", 2)]);
    /// # let _ = q;
    /// ```
    pub fn filters(mut self, filters: impl IntoIterator<Item = QueryFilter>) -> Self {
        self.filters.extend(filters);
        self
    }
    /// How conditions combine: `(1 and 2) or 3`; `and` (the default) or `or` alone.
    ///
    /// ```
    /// use permkit::intacct::query::{QueryFilter, Query};
    /// let q = Query::new("x/y").filters([QueryFilter::eq("a", 1), QueryFilter::eq("b", 2)]).filter_expression("1 or 2");
    /// assert!(q.to_json().is_ok());
    /// assert!(q.clone().filter_expression("1 or 3").to_json().is_err());
    /// ```
    pub fn filter_expression(mut self, expression: impl Into<String>) -> Self {
        self.filter_expression = Some(expression.into());
        self
    }
    /// All filter parameters at once.
    ///
    /// ```
    /// use permkit::intacct::query::{FilterParameters, Query};
    /// let mut p = FilterParameters::default();
    /// p.include_private = Some(true);
    /// let q = Query::new("x/y").filter_parameters(p);
    /// assert_eq!(q.to_json().unwrap()["filterParameters"], serde_json::json!({"includePrivate": true}));
    /// ```
    pub fn filter_parameters(mut self, parameters: FilterParameters) -> Self {
        self.filter_parameters = parameters;
        self
    }
    /// `filterParameters.asOfDate`.
    ///
    /// ```
    /// let d = chrono::NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
    /// let q = permkit::intacct::query::Query::new("x/y").as_of_date(d);
    /// assert_eq!(q.to_json().unwrap()["filterParameters"]["asOfDate"], "2025-01-31");
    /// ```
    pub fn as_of_date(mut self, date: chrono::NaiveDate) -> Self {
        self.filter_parameters.as_of_date = Some(date);
        self
    }
    /// `filterParameters.includeHierarchyFields`.
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::new("x/y").include_hierarchy_fields(true);
    /// # let _ = q;
    /// ```
    pub fn include_hierarchy_fields(mut self, yes: bool) -> Self {
        self.filter_parameters.include_hierarchy_fields = Some(yes);
        self
    }
    /// `filterParameters.caseSensitiveComparison` (the server's default is true).
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::new("x/y").case_sensitive(false);
    /// assert_eq!(q.to_json().unwrap()["filterParameters"]["caseSensitiveComparison"], false);
    /// ```
    pub fn case_sensitive(mut self, yes: bool) -> Self {
        self.filter_parameters.case_sensitive_comparison = Some(yes);
        self
    }
    /// `filterParameters.includePrivate`.
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::new("x/y").include_private(true);
    /// # let _ = q;
    /// ```
    pub fn include_private(mut self, yes: bool) -> Self {
        self.filter_parameters.include_private = Some(yes);
        self
    }
    /// Adds a sort key (in priority order).
    ///
    /// ```
    /// use permkit::intacct::query::{Order, Query};
    /// let q = Query::new("x/y").order_by("module", Order::Asc).order_by("name", Order::Desc);
    /// assert_eq!(q.to_json().unwrap()["orderBy"], serde_json::json!([{"module": "asc"}, {"name": "desc"}]));
    /// ```
    pub fn order_by(mut self, field: impl Into<String>, order: Order) -> Self {
        self.order_by.push((field.into(), order));
        self
    }
    /// The first record (1-based).
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::new("x/y").start(101);
    /// # let _ = q;
    /// ```
    pub fn start(mut self, start: u64) -> Self {
        self.start = Some(start);
        self
    }
    /// Records per page, 1 to [`MAX_SIZE`] (checked before sending). Unset,
    /// [`send`](QueryRequest::send) sends none (the service's default, 100, applies) and the
    /// pagers ask for [`MAX_SIZE`]: the fewest billed calls.
    ///
    /// ```
    /// let e = permkit::intacct::query::Query::new("x/y").size(4001).to_json().unwrap_err();
    /// assert_eq!(e.kind(), permkit::ErrorKind::Validation);
    /// ```
    pub fn size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }
    /// Runs this query in `entity` (`X-IA-API-Param-Entity`), whatever the client's entity.
    ///
    /// ```
    /// let q = permkit::intacct::query::Query::new("x/y").entity("US-East");
    /// # let _ = q;
    /// ```
    pub fn entity(mut self, entity: impl Into<String>) -> Self {
        self.entity = Some(entity.into());
        self
    }

    /// Checks the query: an object, non-empty field names, operands that fit their operators,
    /// a filter expression naming existing conditions, `start` ≥ 1 and `size` 1 to 4000.
    ///
    /// ```
    /// use permkit::intacct::query::Query;
    /// assert!(Query::new("").validate().is_err());
    /// assert!(Query::new("x/y").start(0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let invalid = |msg: String| Err(Error::new(ErrorKind::Validation, msg));
        if self.object.trim().is_empty() {
            return invalid("the query needs an object (`<application>/<object>`)".into());
        }
        if let Some(f) = self.fields.iter().find(|f| f.trim().is_empty()) {
            return invalid(format!("empty field name in fields ({f:?})"));
        }
        for (i, f) in self.filters.iter().enumerate() {
            f.check(i + 1)?;
        }
        if let Some(expr) = &self.filter_expression {
            check_expression(expr, self.filters.len())?;
        }
        if let Some((f, _)) = self.order_by.iter().find(|(f, _)| f.trim().is_empty()) {
            return invalid(format!("empty field name in orderBy ({f:?})"));
        }
        if self.start == Some(0) {
            return invalid("start is 1-based: it must be at least 1".into());
        }
        match self.size {
            Some(0) => invalid("size must be at least 1".into()),
            Some(n) if n > MAX_SIZE => invalid(format!("size must be at most {MAX_SIZE}, not {n}")),
            _ => Ok(()),
        }
    }

    /// The request body exactly as Sage documents it, after [`validate`](Self::validate).
    pub fn to_json(&self) -> Result<Value> {
        self.validate()?;
        Ok(self.body(self.start, self.size))
    }

    fn body(&self, start: Option<u64>, size: Option<u64>) -> Value {
        let mut m = Map::new();
        m.insert("object".into(), Value::String(self.object.clone()));
        if !self.fields.is_empty() {
            m.insert("fields".into(), json!(self.fields));
        }
        if !self.filters.is_empty() {
            m.insert(
                "filters".into(),
                Value::Array(self.filters.iter().map(QueryFilter::to_json).collect()),
            );
        }
        if let Some(e) = &self.filter_expression {
            m.insert("filterExpression".into(), Value::String(e.clone()));
        }
        if !self.filter_parameters.is_empty() {
            m.insert("filterParameters".into(), self.filter_parameters.to_json());
        }
        if !self.order_by.is_empty() {
            let keys = self
                .order_by
                .iter()
                .map(|(f, o)| json!({ f.clone(): o.as_str() }))
                .collect();
            m.insert("orderBy".into(), Value::Array(keys));
        }
        if let Some(s) = start {
            m.insert("start".into(), json!(s));
        }
        if let Some(s) = size {
            m.insert("size".into(), json!(s));
        }
        Value::Object(m)
    }

    /// The request of one page: this query's entity, if it names one, over the client's.
    fn request(&self, client: &Client, body: &Value) -> Result<reqwest::Request> {
        let url = format!("{}{PATH}", client.baseurl);
        let mut request = client
            .client
            .post(url)
            .header(http::header::ACCEPT, "application/json")
            .json(body);
        if let Some(e) = &self.entity {
            let value = http::HeaderValue::from_str(e.trim()).map_err(|_| {
                Error::new(
                    ErrorKind::Validation,
                    "the entity id has characters a header cannot carry",
                )
            })?;
            request = request.header(super::auth::ENTITY_HEADER, value);
        }
        request.build().map_err(crate::error::from_reqwest)
    }

    /// The fetch of the page at an offset, [`MAX_SIZE`] rows unless `size` was set, its rows
    /// decoded straight into `T`.
    fn fetch_page<'a, T>(
        self,
        client: &'a Client,
    ) -> impl FnMut(u64) -> futures::future::BoxFuture<'a, Result<Page<T>>> + Send + 'a
    where
        T: serde::de::DeserializeOwned + Send + 'a,
    {
        let size = Some(self.size.unwrap_or(MAX_SIZE));
        move |start| {
            let query = self.clone();
            Box::pin(async move {
                let body = query.body(Some(start), size);
                let request = query.request(client, &body)?;
                let rows: Rows<T> =
                    crate::transport::send_json(&client.client, &client.inner, request, OPERATION)
                        .await?;
                Ok(rows.into_page(start))
            })
        }
    }
}

/// The operation id the query service's requests are counted, traced and retried under.
const OPERATION: &str = "query";

/// The query service's path under the base URL.
const PATH: &str = "/services/core/query";

impl Client {
    /// The query service (`POST /services/core/query`): `query` is checked, then sent with
    /// this client's credentials, entity and retries. `send()` returns the page at
    /// [`Query::start`] as a [`Page`] of [`Row`]s; `.stream()` and `.pages()` follow
    /// `ia::meta.next` (see [`QueryRequest`]).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// use permkit::intacct::query::{QueryFilter, Query};
    /// let q = Query::new("company-config/role")
    ///     .fields(["key", "id"])
    ///     .filter(QueryFilter::starts_with("id", "::SYS::"));
    /// let page: permkit::Page<_> = client.query(q).send().await?;
    /// println!("{} of {:?} roles, next page at {:?}", page.items.len(), page.total_count, page.next);
    /// # Ok(()) }
    /// ```
    pub fn query(&self, query: Query) -> QueryRequest<'_> {
        QueryRequest {
            client: self,
            query,
            prefetch: 1,
        }
    }
}

/// A query on its way, from [`Client::query`]: the request builder of the query service.
///
/// Like every operation's builder, `send()` sends it once (the page at [`Query::start`]) and
/// `send_with_meta()` adds the response's status and headers. Like a list operation's
/// builder, `.stream()` yields every row of every page, `.pages()` every [`Page`], and
/// `.prefetch(n)` before them keeps pages in flight; `.records::<T>()` and
/// `.record_pages::<T>()` decode the rows into `T` (e.g. [`PermissionRecord`]). A query the
/// service would refuse ([`Query::validate`]) fails with [`ErrorKind::Validation`] before
/// anything is sent.
///
/// ```no_run
/// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
/// use futures::TryStreamExt;
/// use permkit::intacct::query::{PermissionRecord, Query};
///
/// let response = client.query(Query::permissions().size(100)).send_with_meta().await?;
/// println!("{} {:?}", response.status(), response.request_id());
/// let mut perms = client
///     .query(Query::permissions().size(500))
///     .prefetch(4)
///     .records::<PermissionRecord>();
/// while let Some(p) = perms.try_next().await? {
///     println!("{:?} {:?} {:?}", p.module, p.name, p.allowed_access_rights);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a query is sent when it is awaited or its stream is read"]
pub struct QueryRequest<'a> {
    client: &'a Client,
    query: Query,
    prefetch: usize,
}

impl<'a> QueryRequest<'a> {
    /// Keeps up to `n` pages in flight when paging (`0` and `1`: one at a time, the default),
    /// once the first page gave the step between offsets and the total count. The requests
    /// count toward the client's
    /// [`max_concurrent_requests`](crate::ClientOptions::max_concurrent_requests).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let q = permkit::intacct::query::Query::permissions().size(500);
    /// let rows: Vec<_> = client.query(q).prefetch(4).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn prefetch(mut self, n: usize) -> Self {
        self.prefetch = n.max(1);
        self
    }

    /// Sends the query once: the page at [`Query::start`] (the service starts at 1 when it is
    /// unset), [`Query::size`] rows (the service's default, 100, when it is unset). The page's
    /// `cursor` is that start; `next` and `total_count` come from `ia::meta`.
    ///
    /// Any failure is a [`permkit::Error`](crate::Error): the vendor's `ia::error` decoded, a
    /// transport failure, or a query refused before sending.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// use permkit::intacct::query::{QueryFilter, Query};
    /// let q = Query::new("company-config/user").filter(QueryFilter::eq("status", "active")).size(1);
    /// let active = client.query(q).send().await?.total_count;
    /// # let _ = active;
    /// # Ok(()) }
    /// ```
    pub fn send(self) -> Pending<'a, Page<Row>> {
        self.send_with_meta().value()
    }

    /// Like [`send`](Self::send), with the response's status, headers and request id beside
    /// the page.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// let q = permkit::intacct::query::Query::new("company-config/role").field("id");
    /// let response = client.query(q).send_with_meta().await?;
    /// println!("{} rows, request id {:?}", response.value().items.len(), response.request_id());
    /// # Ok(()) }
    /// ```
    pub fn send_with_meta(self) -> Pending<'a, Response<Page<Row>>> {
        let QueryRequest { client, query, .. } = self;
        Pending::new(async move {
            let body = query.to_json()?;
            let request = query.request(client, &body)?;
            let call = crate::transport::Call {
                template: Some(PATH),
                ..crate::transport::Call::new(OPERATION)
            };
            let reply =
                crate::transport::call(&client.client, &client.inner, request, call).await?;
            let rows: Rows<Row> =
                crate::transport::decode_json(client.inner.api, OPERATION, &reply)?;
            let page = rows.into_page(query.start.unwrap_or(1));
            Ok(Response::new(page, reply.status, reply.headers))
        })
    }

    /// Every row of every page, in order, from [`Query::start`] (or 1) on, following
    /// `ia::meta.next` with the same body.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let q = permkit::intacct::query::Query::new("company-config/user").fields(["key", "id"]);
    /// let mut rows = client.query(q).stream();
    /// while let Some(row) = rows.try_next().await? {
    ///     println!("{} {}", row["key"], row["id"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> ResultStream<'a, Row> {
        self.records()
    }

    /// Every page from [`Query::start`] (or 1) on, following `ia::meta.next` with the same
    /// body; each [`Page`] has its `cursor` (the page's start), `next` and `total_count`.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let q = permkit::intacct::query::Query::new("company-config/role").size(200);
    /// let mut pages = client.query(q).pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} rows at {}, next {:?}", page.items.len(), page.cursor, page.next);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> ResultStream<'a, Page<Row>> {
        self.record_pages()
    }

    /// Every row of every page as `T` (e.g. [`PermissionRecord`]), decoded straight from the
    /// response body; a row that does not decode ends the stream with [`ErrorKind::Decode`].
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// use permkit::intacct::query::{PermissionRecord, Query};
    /// let perms: Vec<PermissionRecord> =
    ///     client.query(Query::permissions()).records().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn records<T>(self) -> ResultStream<'a, T>
    where
        T: serde::de::DeserializeOwned + Send + 'a,
    {
        let first = self.query.start.unwrap_or(1);
        match self.query.validate() {
            Ok(()) => pagination::boxed(pagination::paginate_items(
                first,
                pagination::Repeats::CursorOnly,
                self.prefetch,
                self.query.fetch_page(self.client),
            )),
            Err(e) => pagination::boxed(futures::stream::once(async move { Err(e) })),
        }
    }

    /// Pages of rows as `T`.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::intacct::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// use permkit::intacct::query::{PermissionRecord, Query};
    /// let mut pages = client.query(Query::permissions()).record_pages::<PermissionRecord>();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} permissions of {:?}", page.items.len(), page.total_count);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn record_pages<T>(self) -> ResultStream<'a, Page<T>>
    where
        T: serde::de::DeserializeOwned + Send + 'a,
    {
        let first = self.query.start.unwrap_or(1);
        match self.query.validate() {
            Ok(()) => pagination::boxed(pagination::paginate_ahead(
                first,
                pagination::Repeats::CursorOnly,
                self.prefetch,
                self.query.fetch_page(self.client),
            )),
            Err(e) => pagination::boxed(futures::stream::once(async move { Err(e) })),
        }
    }
}

/// A query response whose rows decode straight into `T` (no row map in between).
#[derive(serde::Deserialize)]
struct Rows<T> {
    #[serde(rename = "ia::result", default = "Vec::new")]
    ia_result: Vec<T>,
    #[serde(rename = "ia::meta", default)]
    ia_meta: Option<PageMetadata>,
}

impl<T> Rows<T> {
    /// The page asked for at `start`, with `next` and `total_count` from `ia::meta`.
    fn into_page(self, start: u64) -> Page<T> {
        let meta = self.ia_meta.unwrap_or_default();
        Page::offset(
            self.ia_result,
            start,
            meta.next.and_then(|n| u64::try_from(n).ok()),
        )
        .with_total_count(meta.total_count.and_then(|n| u64::try_from(n).ok()))
    }
}

/// The query service's envelope as a [`Page`], as the server reports it (`cursor` is
/// `ia::meta.start`). The pagers decode rows straight into their type instead.
impl pagination::IntoPage for QueryResponse {
    type Item = QueryRecord;
    fn into_page(self) -> Page<QueryRecord> {
        let meta = self.ia_meta.unwrap_or_default();
        let start = meta.start.and_then(|s| u64::try_from(s).ok()).unwrap_or(1);
        Page::offset(
            self.ia_result,
            start,
            meta.next.and_then(|n| u64::try_from(n).ok()),
        )
        .with_total_count(meta.total_count.and_then(|n| u64::try_from(n).ok()))
    }
}

/// Checks that a filter expression only names conditions 1..=n and uses `and`, `or` and
/// balanced parentheses.
fn check_expression(expr: &str, n: usize) -> Result<()> {
    let invalid = |msg: String| {
        Err(Error::new(
            ErrorKind::Validation,
            format!("filterExpression {expr:?}: {msg}"),
        ))
    };
    let mut depth = 0i32;
    let spaced = expr.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    if tokens.is_empty() {
        return invalid("is empty".into());
    }
    for t in tokens {
        match t {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth < 0 {
                    return invalid("unbalanced parentheses".into());
                }
            }
            _ if t.eq_ignore_ascii_case("and") || t.eq_ignore_ascii_case("or") => {}
            _ => match t.parse::<usize>() {
                Ok(k) if (1..=n).contains(&k) => {}
                Ok(k) => return invalid(format!("names condition {k}, but there are {n}")),
                Err(_) => return invalid(format!("unexpected `{t}`")),
            },
        }
    }
    if depth != 0 {
        return invalid("unbalanced parentheses".into());
    }
    Ok(())
}

/// A `company-config/permission` row of [`Query::permissions`], typed. Every field is
/// optional, since a query returns only the fields it asked for. `allowedAccessRights` is
/// read as an array or as a comma-separated string.
///
/// ```
/// use permkit::intacct::query::PermissionRecord;
/// use permkit::intacct::types::{PermissionAccessRight, PermissionModule};
/// let p: PermissionRecord = serde_json::from_value(serde_json::json!({
///     "key": "1", "module": "myAccounting", "name": "switchToMyAccounting",
///     "permissionGroup": null, "allowedAccessRights": "list,readonly"
/// })).unwrap();
/// assert_eq!(p.module, Some(PermissionModule::MyAccounting));
/// assert_eq!(p.allowed_access_rights, [PermissionAccessRight::List, PermissionAccessRight::Readonly]);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct PermissionRecord {
    /// System key.
    #[serde(default, deserialize_with = "lenient_string")]
    pub key: Option<String>,
    /// Same as the key.
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// The module.
    #[serde(default)]
    pub module: Option<super::types::PermissionModule>,
    /// The permission's name.
    #[serde(default)]
    pub name: Option<super::types::PermissionName>,
    /// `activitiesAndLists`, `objectIds`, `reports` or none.
    #[serde(default, rename = "permissionGroup")]
    pub permission_group: Option<super::types::PermissionGroup>,
    /// The access rights that can be granted.
    #[serde(
        default,
        rename = "allowedAccessRights",
        deserialize_with = "lenient_rights"
    )]
    pub allowed_access_rights: Vec<super::types::PermissionAccessRight>,
    /// Path of the record.
    #[serde(default)]
    pub href: Option<String>,
}

/// A string, a number (written as its JSON spelling) or nothing; any other JSON value reads
/// as `None`. Decoded in place, without building a `Value` first.
fn lenient_string<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Lenient;
    impl<'de> Visitor<'de> for Lenient {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string, a number or null")
        }
        fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E>(self, v: i64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E>(self, v: u64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E>(self, v: f64) -> std::result::Result<Self::Value, E> {
            Ok(Number::from_f64(v).map(|n| n.to_string()))
        }
        fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<'de>>(
            self,
            d: D2,
        ) -> std::result::Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(Lenient)
}

/// Access rights as an array, as a string split at commas and spaces, or nothing (`null`).
/// Decoded element by element, without building a `Value` first.
fn lenient_rights<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<super::types::PermissionAccessRight>, D::Error> {
    use super::types::PermissionAccessRight;
    use serde::de::{SeqAccess, Unexpected, Visitor};
    struct Rights;
    fn unexpected<E: serde::de::Error>(what: Unexpected<'_>) -> E {
        E::custom(format!("allowedAccessRights: unexpected {what}"))
    }
    impl<'de> Visitor<'de> for Rights {
        type Value = Vec<PermissionAccessRight>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of access rights, a comma-separated string or null")
        }
        fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
            Ok(v.split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(Into::into)
                .collect())
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D2: serde::Deserializer<'de>>(
            self,
            d: D2,
        ) -> std::result::Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
            while let Some(right) = seq.next_element()? {
                out.push(right);
            }
            Ok(out)
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Self::Value, E> {
            Err(unexpected(Unexpected::Bool(v)))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
            Err(unexpected(Unexpected::Signed(v)))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
            Err(unexpected(Unexpected::Unsigned(v)))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
            Err(unexpected(Unexpected::Float(v)))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            _: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            Err(unexpected(Unexpected::Map))
        }
    }
    d.deserialize_any(Rights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_writes_its_spelling() {
        let filters = [
            QueryFilter::eq("f", "a"),
            QueryFilter::ne("f", 1),
            QueryFilter::lt("f", 2),
            QueryFilter::gt("f", "b"),
            QueryFilter::lte("f", true),
            QueryFilter::gte("f", 3.5),
            QueryFilter::in_("f", ["x", "y"]),
            QueryFilter::not_in("f", [1, 2]),
            QueryFilter::between("f", 1, 9),
            QueryFilter::not_between("f", "a", "m"),
            QueryFilter::contains("f", "c"),
            QueryFilter::not_contains("f", "d"),
            QueryFilter::starts_with("f", "e"),
            QueryFilter::not_starts_with("f", "g"),
            QueryFilter::ends_with("f", "h"),
            QueryFilter::not_ends_with("f", "i"),
            QueryFilter::has("f", "j"),
        ];
        for (f, op) in filters.iter().zip(QueryOp::ALL) {
            assert_eq!(f.operator(), op);
            assert!(f.to_json().get(op.as_str()).is_some());
            f.check(1).unwrap();
        }
    }

    #[test]
    fn bad_operands_are_refused() {
        assert!(QueryFilter::gte("f", None::<i32>).check(1).is_err());
        assert!(QueryFilter::eq("f", f64::NAN).check(1).is_err());
        assert!(QueryFilter::in_("f", Vec::<i32>::new()).check(1).is_err());
        assert!(
            QueryFilter::new(QueryOp::Between, "f", json!([1]))
                .check(1)
                .is_err()
        );
        assert!(QueryFilter::eq("", 1).check(1).is_err());
    }

    #[test]
    fn expressions() {
        assert!(check_expression("(1 and 2) or 3", 3).is_ok());
        assert!(check_expression("or", 3).is_ok());
        assert!(check_expression("(1 and 2", 3).is_err());
        assert!(check_expression("1 xor 2", 3).is_err());
        assert!(check_expression("4", 3).is_err());
    }

    /// Decodes one row both from text and from a `Value` (rows arrive either way).
    fn record(row: Value) -> std::result::Result<PermissionRecord, String> {
        let from_text = serde_json::from_str::<PermissionRecord>(&row.to_string());
        let from_value = serde_json::from_value::<PermissionRecord>(row);
        match (from_text, from_value) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b);
                Ok(a)
            }
            (Err(a), Err(b)) => {
                assert_eq!(
                    a.to_string().split(" at line").next(),
                    Some(&*b.to_string())
                );
                Err(b.to_string())
            }
            (a, b) => panic!("text and value disagree: {a:?} / {b:?}"),
        }
    }

    #[test]
    fn keys_read_strings_and_numbers_and_nothing_else() {
        use super::super::types::PermissionAccessRight as R;
        let r = record(json!({"key": "12", "id": 12})).unwrap();
        assert_eq!(
            (r.key.as_deref(), r.id.as_deref()),
            (Some("12"), Some("12"))
        );
        let r = record(json!({"key": -3, "id": 1.5})).unwrap();
        assert_eq!(
            (r.key.as_deref(), r.id.as_deref()),
            (Some("-3"), Some("1.5"))
        );
        let r = record(json!({"key": u64::MAX, "id": 2.0})).unwrap();
        assert_eq!(r.key, Some(u64::MAX.to_string()));
        assert_eq!(r.id.as_deref(), Some("2.0"));
        for other in [
            json!(null),
            json!(true),
            json!([1, "a", {"b": []}]),
            json!({"a": [1]}),
        ] {
            let r =
                record(json!({"key": other, "id": "7", "allowedAccessRights": ["list"]})).unwrap();
            assert_eq!(r.key, None, "{other}");
            // What follows the skipped value is still read.
            assert_eq!(r.id.as_deref(), Some("7"));
            assert_eq!(r.allowed_access_rights, [R::List]);
        }
        let r = record(json!({})).unwrap();
        assert_eq!((r.key, r.id), (None, None));
    }

    #[test]
    fn access_rights_read_arrays_strings_and_null() {
        use super::super::types::PermissionAccessRight as R;
        let rights = |v: Value| record(json!({ "allowedAccessRights": v }));
        assert_eq!(
            rights(json!(["list", "readonly", "teleport"]))
                .unwrap()
                .allowed_access_rights,
            [R::List, R::Readonly, R::UnknownValue("teleport".into())]
        );
        assert_eq!(
            rights(json!("list, readonly,,add"))
                .unwrap()
                .allowed_access_rights,
            [R::List, R::Readonly, R::Add]
        );
        assert!(
            rights(json!(null))
                .unwrap()
                .allowed_access_rights
                .is_empty()
        );
        assert!(rights(json!([])).unwrap().allowed_access_rights.is_empty());
        assert!(rights(json!("")).unwrap().allowed_access_rights.is_empty());
        assert!(record(json!({})).unwrap().allowed_access_rights.is_empty());
        for bad in [
            json!(5),
            json!(-5),
            json!(1.5),
            json!(true),
            json!({"a": 1}),
            json!([1]),
        ] {
            let e = rights(bad.clone()).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
        assert!(
            rights(json!(5))
                .unwrap_err()
                .contains("allowedAccessRights: unexpected")
        );
    }
}
