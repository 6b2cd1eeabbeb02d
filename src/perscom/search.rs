//! A typed builder for Orion search bodies (`POST /{resource}/search`).
//!
//! A search has filters (each with an [`SearchOp`], joined to the one before by `and` or
//! `or`), groups of filters nested one level deep ([`SearchFilterGroup`], PERSCOM's maximum depth),
//! the resource's exposed scopes, a full-text search with its case sensitivity (PERSCOM is
//! case-sensitive unless told otherwise), sort fields and included relations (with filters of
//! their own). Pass it to any search operation's `.body(...)`; `.stream()` then walks every page
//! with the same body.
//!
//! ```
//! use permkit::perscom::{SearchFilter, SearchFilterGroup, SearchOp, Search};
//!
//! let search = Search::new()
//!     .filter(SearchFilter::new("created_at", SearchOp::Ge, "2024-01-01"))
//!     .filter(SearchFilterGroup::or([
//!         SearchFilter::new("name", SearchOp::Like, "%Smith%"),
//!         SearchFilter::is_in("rank_id", [3, 4, 5]).or(),
//!     ]))
//!     .scope("enabled", Vec::<serde_json::Value>::new())
//!     .text("smith")
//!     .case_insensitive()
//!     .sort_desc("created_at")
//!     .include("rank");
//! let body = serde_json::to_value(search.to_request().unwrap()).unwrap();
//! assert_eq!(body["filters"][0]["operator"], ">=");
//! assert_eq!(body["filters"][1]["nested"][1]["type"], "or");
//! assert_eq!(body["search"], serde_json::json!({"value": "smith", "case_sensitive": false}));
//! assert_eq!(body["sort"][0], serde_json::json!({"field": "created_at", "direction": "desc"}));
//! ```

use super::enums::{SearchFilterType, SearchOperator, SortDirection};
use super::types;
use crate::{Error, ErrorKind, Result};
use serde_json::Value;

/// A comparison of a search filter.
///
/// ```
/// use permkit::perscom::SearchOp;
/// assert_eq!(SearchOp::NotIlike.as_str(), "not ilike");
/// assert!(SearchOp::AnyIn.takes_list());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `like` (`%` and `_` wildcards)
    Like,
    /// `not like`
    NotLike,
    /// `ilike` (case-insensitive like)
    Ilike,
    /// `not ilike`
    NotIlike,
    /// `in` (the value is a list)
    In,
    /// `not in` (the value is a list)
    NotIn,
    /// `all in` (the value is a list)
    AllIn,
    /// `any in` (the value is a list)
    AnyIn,
}

impl SearchOp {
    /// Every operator.
    pub const ALL: [SearchOp; 14] = [
        SearchOp::Lt,
        SearchOp::Le,
        SearchOp::Gt,
        SearchOp::Ge,
        SearchOp::Eq,
        SearchOp::Ne,
        SearchOp::Like,
        SearchOp::NotLike,
        SearchOp::Ilike,
        SearchOp::NotIlike,
        SearchOp::In,
        SearchOp::NotIn,
        SearchOp::AllIn,
        SearchOp::AnyIn,
    ];

    /// The server's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchOp::Lt => "<",
            SearchOp::Le => "<=",
            SearchOp::Gt => ">",
            SearchOp::Ge => ">=",
            SearchOp::Eq => "=",
            SearchOp::Ne => "!=",
            SearchOp::Like => "like",
            SearchOp::NotLike => "not like",
            SearchOp::Ilike => "ilike",
            SearchOp::NotIlike => "not ilike",
            SearchOp::In => "in",
            SearchOp::NotIn => "not in",
            SearchOp::AllIn => "all in",
            SearchOp::AnyIn => "any in",
        }
    }

    /// Whether the value must be a list (`in`, `not in`, `all in`, `any in`).
    pub fn takes_list(self) -> bool {
        matches!(
            self,
            SearchOp::In | SearchOp::NotIn | SearchOp::AllIn | SearchOp::AnyIn
        )
    }
}

impl From<SearchOp> for SearchOperator {
    fn from(op: SearchOp) -> Self {
        SearchOperator::from(op.as_str())
    }
}

impl std::fmt::Display for SearchOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One filter: `field operator value`, joined to the filter before it by `and` (the default)
/// or `or`.
///
/// ```
/// use permkit::perscom::{SearchFilter, SearchOp};
/// let f = SearchFilter::new("rank.name", SearchOp::Eq, "Sergeant").or();
/// assert_eq!(f.field(), "rank.name");
/// let nulls = SearchFilter::new("unit_id", SearchOp::Eq, serde_json::Value::Null);
/// # let _ = nulls;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SearchFilter {
    field: String,
    operator: SearchOp,
    value: Value,
    or: bool,
}

impl SearchFilter {
    /// `field operator value`. `value` is anything JSON: a string, a number, `null`, a list.
    pub fn new(field: impl Into<String>, operator: SearchOp, value: impl Into<Value>) -> Self {
        SearchFilter {
            field: field.into(),
            operator,
            value: value.into(),
            or: false,
        }
    }

    /// `field = value`.
    pub fn eq(field: impl Into<String>, value: impl Into<Value>) -> Self {
        SearchFilter::new(field, SearchOp::Eq, value)
    }

    /// `field in [values]`.
    pub fn is_in<V: Into<Value>>(
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        SearchFilter::new(
            field,
            SearchOp::In,
            Value::Array(values.into_iter().map(Into::into).collect()),
        )
    }

    /// Joins this filter to the one before with `or`.
    pub fn or(mut self) -> Self {
        self.or = true;
        self
    }

    /// Joins this filter to the one before with `and` (the default).
    pub fn and(mut self) -> Self {
        self.or = false;
        self
    }

    /// The field filtered on.
    pub fn field(&self) -> &str {
        &self.field
    }

    fn check(&self) -> Result<()> {
        if self.field.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::Validation,
                "a search filter needs a field",
            ));
        }
        if self.operator.takes_list() && !self.value.is_array() {
            return Err(Error::new(
                ErrorKind::Validation,
                format!(
                    "the `{}` filter on `{}` needs a list value",
                    self.operator, self.field
                ),
            ));
        }
        Ok(())
    }

    fn kind(&self) -> SearchFilterType {
        if self.or {
            SearchFilterType::Or
        } else {
            SearchFilterType::And
        }
    }

    fn to_filter(&self) -> types::SearchFilter {
        types::SearchFilter {
            field: Some(self.field.clone()),
            nested: Vec::new(),
            operator: Some(self.operator.into()),
            type_: Some(self.kind()),
            value: Some(self.value.clone()),
        }
    }

    fn to_condition(&self) -> types::SearchFilterCondition {
        types::SearchFilterCondition {
            field: self.field.clone(),
            operator: Some(self.operator.into()),
            type_: Some(self.kind()),
            value: Some(self.value.clone()),
        }
    }
}

/// A group of filters nested one level deep, joined to the filter before it by `and` or `or`.
/// Inside, each filter has its own `and`/`or`. Groups cannot nest further (PERSCOM's maximum
/// depth is 1), which the types enforce.
///
/// ```
/// use permkit::perscom::{SearchFilter, SearchFilterGroup, SearchOp};
/// let g = SearchFilterGroup::and([SearchFilter::eq("status_id", 1), SearchFilter::eq("status_id", 2).or()]);
/// assert_eq!(g.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SearchFilterGroup {
    filters: Vec<SearchFilter>,
    or: bool,
}

impl SearchFilterGroup {
    /// A group joined to the filter before it with `and`.
    pub fn and(filters: impl IntoIterator<Item = SearchFilter>) -> Self {
        SearchFilterGroup {
            filters: filters.into_iter().collect(),
            or: false,
        }
    }

    /// A group joined to the filter before it with `or`.
    pub fn or(filters: impl IntoIterator<Item = SearchFilter>) -> Self {
        SearchFilterGroup {
            filters: filters.into_iter().collect(),
            or: true,
        }
    }

    /// The number of filters in the group.
    pub fn len(&self) -> usize {
        self.filters.len()
    }

    /// Whether the group is empty (an empty group is refused when the search is built).
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }
}

/// A filter or a group: what [`Search::filter`] takes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SearchFilterNode {
    /// One filter.
    SearchFilter(SearchFilter),
    /// A nested group.
    Group(SearchFilterGroup),
}

impl From<SearchFilter> for SearchFilterNode {
    fn from(f: SearchFilter) -> Self {
        SearchFilterNode::SearchFilter(f)
    }
}

impl From<SearchFilterGroup> for SearchFilterNode {
    fn from(g: SearchFilterGroup) -> Self {
        SearchFilterNode::Group(g)
    }
}

/// An Orion search body. See the [module docs](self).
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Search {
    filters: Vec<SearchFilterNode>,
    scopes: Vec<(String, Vec<Value>)>,
    text: Option<(String, Option<bool>)>,
    sort: Vec<(String, SortDirection)>,
    includes: Vec<(String, Vec<SearchFilter>)>,
}

impl Search {
    /// An empty search (every item, like the index).
    ///
    /// ```
    /// let body = permkit::perscom::Search::new().to_request().unwrap();
    /// assert_eq!(serde_json::to_string(&body).unwrap(), "{}");
    /// ```
    pub fn new() -> Self {
        Search::default()
    }

    /// Adds a filter or a nested group.
    ///
    /// ```
    /// use permkit::perscom::{SearchFilter, Search};
    /// let s = Search::new().filter(SearchFilter::eq("approved", true));
    /// # let _ = s;
    /// ```
    pub fn filter(mut self, filter: impl Into<SearchFilterNode>) -> Self {
        self.filters.push(filter.into());
        self
    }

    /// Shorthand for `.filter(SearchFilter::new(field, operator, value))`.
    ///
    /// ```
    /// use permkit::perscom::{SearchOp, Search};
    /// let s = Search::new().where_("rank_id", SearchOp::Gt, 3);
    /// # let _ = s;
    /// ```
    pub fn where_(
        self,
        field: impl Into<String>,
        operator: SearchOp,
        value: impl Into<Value>,
    ) -> Self {
        self.filter(SearchFilter::new(field, operator, value))
    }

    /// Applies one of the resource's exposed scopes (`enabled` on announcements, `datePeriod`
    /// on events...) with its arguments.
    ///
    /// ```
    /// let s = permkit::perscom::Search::new().scope("datePeriod", ["2024-01-01", "2024-12-31"]);
    /// # let _ = s;
    /// ```
    pub fn scope<V: Into<Value>>(
        mut self,
        name: impl Into<String>,
        parameters: impl IntoIterator<Item = V>,
    ) -> Self {
        self.scopes.push((
            name.into(),
            parameters.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Full-text search over the resource's searchable fields. Case-sensitive unless
    /// [`case_insensitive`](Self::case_insensitive) (the server's default is case-sensitive).
    ///
    /// ```
    /// let s = permkit::perscom::Search::new().text("Smith");
    /// # let _ = s;
    /// ```
    pub fn text(mut self, value: impl Into<String>) -> Self {
        let case = self.text.as_ref().and_then(|(_, c)| *c);
        self.text = Some((value.into(), case));
        self
    }

    /// Makes the full-text search case-insensitive (`case_sensitive: false`).
    ///
    /// ```
    /// let s = permkit::perscom::Search::new().text("smith").case_insensitive();
    /// # let _ = s;
    /// ```
    pub fn case_insensitive(self) -> Self {
        self.case_sensitive(false)
    }

    /// Sets the full-text search's case sensitivity explicitly.
    ///
    /// ```
    /// let s = permkit::perscom::Search::new().text("Smith").case_sensitive(true);
    /// # let _ = s;
    /// ```
    pub fn case_sensitive(mut self, yes: bool) -> Self {
        let value = self.text.take().map(|(v, _)| v).unwrap_or_default();
        self.text = Some((value, Some(yes)));
        self
    }

    /// Sorts by `field` ascending (after earlier sorts).
    ///
    /// ```
    /// let s = permkit::perscom::Search::new().sort_asc("name");
    /// # let _ = s;
    /// ```
    pub fn sort_asc(mut self, field: impl Into<String>) -> Self {
        self.sort.push((field.into(), SortDirection::Asc));
        self
    }

    /// Sorts by `field` descending (after earlier sorts).
    ///
    /// ```
    /// let s = permkit::perscom::Search::new().sort_desc("created_at");
    /// # let _ = s;
    /// ```
    pub fn sort_desc(mut self, field: impl Into<String>) -> Self {
        self.sort.push((field.into(), SortDirection::Desc));
        self
    }

    /// Includes a relation in each result (like `include=`), in the body.
    ///
    /// ```
    /// let s = permkit::perscom::Search::new().include("rank");
    /// # let _ = s;
    /// ```
    pub fn include(mut self, relation: impl Into<String>) -> Self {
        self.includes.push((relation.into(), Vec::new()));
        self
    }

    /// Includes a relation, keeping only the related items that pass `filters`.
    ///
    /// ```
    /// use permkit::perscom::{SearchFilter, Search};
    /// let s = Search::new().include_filtered("award_records", [SearchFilter::eq("award_id", 7)]);
    /// # let _ = s;
    /// ```
    pub fn include_filtered(
        mut self,
        relation: impl Into<String>,
        filters: impl IntoIterator<Item = SearchFilter>,
    ) -> Self {
        self.includes
            .push((relation.into(), filters.into_iter().collect()));
        self
    }

    /// The body, checked: every filter has a field, list operators have list values, groups
    /// are not empty, the full-text search has a value. Bad input is a
    /// [`ErrorKind::Validation`] error, never a panic.
    ///
    /// ```
    /// use permkit::perscom::{SearchFilter, SearchOp, Search};
    /// let bad = Search::new().filter(SearchFilter::new("id", SearchOp::In, 5));
    /// assert_eq!(bad.to_request().unwrap_err().kind(), permkit::ErrorKind::Validation);
    /// ```
    pub fn to_request(&self) -> Result<types::SearchRequest> {
        let mut filters = Vec::new();
        for node in &self.filters {
            match node {
                SearchFilterNode::SearchFilter(f) => {
                    f.check()?;
                    filters.push(f.to_filter());
                }
                SearchFilterNode::Group(g) => {
                    if g.filters.is_empty() {
                        return Err(Error::new(
                            ErrorKind::Validation,
                            "a nested filter group is empty",
                        ));
                    }
                    let mut nested = Vec::new();
                    for f in &g.filters {
                        f.check()?;
                        nested.push(f.to_condition());
                    }
                    filters.push(types::SearchFilter {
                        field: None,
                        nested,
                        operator: None,
                        type_: Some(if g.or {
                            SearchFilterType::Or
                        } else {
                            SearchFilterType::And
                        }),
                        value: None,
                    });
                }
            }
        }
        let search = match &self.text {
            None => None,
            Some((v, _)) if v.is_empty() => {
                return Err(Error::new(
                    ErrorKind::Validation,
                    "the full-text search value is empty",
                ));
            }
            Some((v, case)) => Some(types::SearchText {
                value: v.clone(),
                case_sensitive: case.unwrap_or(true),
            }),
        };
        let mut includes = Vec::new();
        for (relation, fs) in &self.includes {
            if relation.trim().is_empty() {
                return Err(Error::new(
                    ErrorKind::Validation,
                    "an include needs a relation name",
                ));
            }
            let mut out = Vec::new();
            for f in fs {
                f.check()?;
                out.push(f.to_filter());
            }
            includes.push(types::SearchInclude {
                relation: relation.clone(),
                filters: out,
            });
        }
        Ok(types::SearchRequest {
            filters,
            includes,
            scopes: self
                .scopes
                .iter()
                .map(|(name, parameters)| types::SearchScope {
                    name: name.clone(),
                    parameters: parameters.clone(),
                })
                .collect(),
            search,
            sort: self
                .sort
                .iter()
                .map(|(field, d)| types::SearchSort {
                    field: field.clone(),
                    direction: Some(d.clone()),
                })
                .collect(),
        })
    }
}

impl TryFrom<Search> for types::SearchRequest {
    type Error = Error;
    fn try_from(s: Search) -> Result<Self> {
        s.to_request()
    }
}

impl TryFrom<&Search> for types::SearchRequest {
    type Error = Error;
    fn try_from(s: &Search) -> Result<Self> {
        s.to_request()
    }
}
