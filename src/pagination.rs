//! One pagination engine for every paging style: page numbers (Permission Assist, PERSCOM)
//! and offsets (Intacct `start` + `ia::meta.next`).
//!
//! A list operation's builder has `.stream()` (every item of every page, in order) and
//! `.pages()` (one [`Page`] at a time, with its metadata). Filters set on the builder are sent
//! with every page. The engine stops at the last page or an empty one, and fails with
//! [`crate::ErrorKind::Pagination`] instead of looping when a server does not advance, or
//! (page numbers) returns items an earlier page returned ([`Repeats`]).
//!
//! ```
//! use futures::{StreamExt, TryStreamExt};
//! use permkit::pagination::{Page, Repeats, paginate, items};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! // A fake server with 3 pages of 2 numbers.
//! let pages = paginate(1, Repeats::ById(|n: &u64| *n), |n| async move {
//!     Ok::<_, permkit::Error>(Page::numbered(vec![n * 10, n * 10 + 1], n, Some(3)))
//! });
//! let all: Vec<u64> = items(pages).try_collect().await.unwrap();
//! assert_eq!(all, [10, 11, 20, 21, 30, 31]);
//! # });
//! ```

use crate::{Error, ErrorKind, Result};
use futures::{Stream, StreamExt, TryStreamExt, stream};
use std::future::Future;
use std::hash::{Hash, Hasher};

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The page number (1-based) or the offset this page was asked for.
    pub cursor: u64,
    /// Where the next page starts, if there is one.
    pub next: Option<u64>,
    /// The number of pages, when the API says.
    pub total_pages: Option<u64>,
    /// The number of items over all pages, when the API says.
    pub total_count: Option<u64>,
    /// The page number or offset the server says it returned, when it says.
    pub reported: Option<u64>,
}

impl<T> Page<T> {
    /// A page of a page-numbered list: the next page is `number + 1` while `number < last`.
    pub fn numbered(items: Vec<T>, number: u64, last: Option<u64>) -> Self {
        let next = match last {
            Some(last) if number >= last => None,
            _ if items.is_empty() => None,
            _ => Some(number + 1),
        };
        Page {
            items,
            cursor: number,
            next,
            total_pages: last,
            total_count: None,
            reported: None,
        }
    }

    /// A page of an offset list, where the server names the next offset.
    pub fn offset(items: Vec<T>, start: u64, next: Option<u64>) -> Self {
        Page {
            items,
            cursor: start,
            next,
            total_pages: None,
            total_count: None,
            reported: None,
        }
    }

    /// Sets the total item count.
    pub fn with_total_count(mut self, n: Option<u64>) -> Self {
        self.total_count = n;
        self
    }

    /// Sets the page number or offset the server reported.
    pub fn with_reported(mut self, n: Option<u64>) -> Self {
        self.reported = n;
        self
    }
}

/// Limits that stop a pager that would otherwise run forever.
pub const MAX_PAGES: u64 = 1_000_000;

/// How many item ids a page-numbered pager remembers to find a page that repeats earlier
/// items (8 bytes each: at most 8 MiB). Past it, the pager still stops at [`MAX_PAGES`].
pub const MAX_TRACKED_IDS: usize = 1_000_000;

/// How a pager recognises a server that goes round in circles.
#[derive(Debug, Clone, Copy)]
pub enum Repeats<T> {
    /// Page numbers: a page whose items repeat any earlier page's items (by the id this
    /// function reads) is an error, found at the first repeated page.
    ById(fn(&T) -> u64),
    /// Offsets: only the cursor is judged (the next offset must advance); rows may be equal
    /// (a query of `status` alone returns the same rows on every page).
    CursorOnly,
}

/// The identity of a list item, for [`Repeats::ById`] (implemented for every item of a
/// page-numbered list; generated).
#[cfg_attr(
    not(any(feature = "permission-assist", feature = "perscom")),
    allow(dead_code)
)]
pub(crate) trait ItemId {
    /// A hash of the item's id.
    fn item_id(&self) -> u64;
}

/// The hash of one id.
#[cfg_attr(
    not(any(feature = "permission-assist", feature = "perscom")),
    allow(dead_code)
)]
pub(crate) fn hash_id<I: Hash>(id: &I) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

struct State<F, T> {
    fetch: F,
    next: Option<u64>,
    fetched: u64,
    repeats: Repeats<T>,
    seen: std::collections::HashSet<u64>,
}

/// Pages from `first` on, calling `fetch(cursor)` for each. See the [module docs](self).
///
/// ```
/// use futures::TryStreamExt;
/// use permkit::pagination::{Page, Repeats, paginate};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// // A server that answers page 3 with page 1 again.
/// let pages = paginate(1, Repeats::ById(|n: &u64| *n), |n| async move {
///     let first = if n == 3 { 1 } else { n };
///     Ok::<_, permkit::Error>(Page::numbered(vec![first * 10, first * 10 + 1], n, Some(5)))
/// });
/// let e = pages.try_collect::<Vec<_>>().await.unwrap_err();
/// assert_eq!(e.kind(), permkit::ErrorKind::Pagination);
/// # });
/// ```
pub fn paginate<T, F, Fut>(
    first: u64,
    repeats: Repeats<T>,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let state = State {
        fetch,
        next: Some(first),
        fetched: 0,
        repeats,
        seen: std::collections::HashSet::new(),
    };
    stream::try_unfold(state, |mut st| async move {
        let Some(cursor) = st.next else {
            return Ok(None);
        };
        if st.fetched >= MAX_PAGES {
            return Err(Error::new(
                ErrorKind::Pagination,
                format!("stopped after {MAX_PAGES} pages"),
            ));
        }
        let mut page = (st.fetch)(cursor).await?;
        page.cursor = cursor;
        st.fetched += 1;
        if let Some(reported) = page.reported
            && reported != cursor
        {
            return Err(Error::new(
                ErrorKind::Pagination,
                format!("asked for page {cursor}, the server returned page {reported}"),
            ));
        }
        if page.items.is_empty() {
            st.next = None;
            return Ok(Some((page, st)));
        }
        if let Repeats::ById(id) = st.repeats {
            let mut fresh = Vec::with_capacity(page.items.len());
            for item in &page.items {
                let h = id(item);
                if st.seen.contains(&h) {
                    return Err(Error::new(
                        ErrorKind::Pagination,
                        format!(
                            "page {cursor} repeats items an earlier page returned: the server is going round in circles"
                        ),
                    ));
                }
                fresh.push(h);
            }
            if st.seen.len() + fresh.len() <= MAX_TRACKED_IDS {
                st.seen.extend(fresh);
            }
        }
        st.next = match page.next {
            Some(n) if n <= cursor => {
                return Err(Error::new(
                    ErrorKind::Pagination,
                    format!("the server's next page ({n}) does not advance past {cursor}"),
                ));
            }
            // An offset past the total the server itself reports (offsets are 1-based).
            Some(n)
                if matches!(st.repeats, Repeats::CursorOnly)
                    && page.total_count.is_some_and(|t| n > t.saturating_add(1)) =>
            {
                return Err(Error::new(
                    ErrorKind::Pagination,
                    format!(
                        "the server's next offset ({n}) is past the {} items it says there are",
                        page.total_count.unwrap_or_default()
                    ),
                ));
            }
            n => n,
        };
        Ok(Some((page, st)))
    })
}

/// Every item of every page of `pages`, in order.
pub fn items<T, S>(pages: S) -> impl Stream<Item = Result<T>>
where
    S: Stream<Item = Result<Page<T>>>,
{
    pages
        .map_ok(|p| stream::iter(p.items.into_iter().map(Ok)))
        .try_flatten()
}

/// A boxed stream of `Result<T>` (each item of a list, or each page), so it can be named
/// and stored.
///
/// ```
/// use futures::TryStreamExt;
/// fn evens() -> permkit::pagination::ResultStream<'static, u32> {
///     Box::pin(futures::stream::iter([Ok(2), Ok(4)]))
/// }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// assert_eq!(evens().try_collect::<Vec<_>>().await.unwrap(), [2, 4]);
/// # });
/// ```
pub type ResultStream<'a, T> = futures::stream::BoxStream<'a, Result<T>>;

/// Reads one page envelope of an API into a [`Page`]; implemented for every envelope that
/// becomes a `Page` (generated, `build/surface.rs`).
pub(crate) trait IntoPage {
    /// The item type.
    type Item;
    /// The page, as the envelope reports it.
    fn into_page(self) -> Page<Self::Item>;
}

/// Pins a pager on the heap.
pub(crate) fn boxed<'a, T, S>(s: S) -> ResultStream<'a, T>
where
    S: Stream<Item = Result<T>> + Send + 'a,
{
    s.boxed()
}

#[cfg(any(feature = "permission-assist", feature = "perscom"))]
/// `.stream()`, `.pages()` and `.pages_from(n)` on a generated list builder whose API pages by
/// page number (its `send()` returns one [`Page`]).
macro_rules! page_number_list {
    ($builder:ident, $item:ident) => {
        impl<'a> builder::$builder<'a> {
            /// Every item of every page, in order. The filters, `limit`, `include` or search
            /// body set on this builder are sent with every page.
            pub fn stream(self) -> $crate::pagination::ResultStream<'a, types::$item> {
                $crate::pagination::boxed($crate::pagination::items(self.pages()))
            }

            /// One page at a time, with its metadata; ends at the last page or an empty one.
            pub fn pages(self) -> $crate::pagination::ResultStream<'a, $crate::Page<types::$item>> {
                self.pages_from(1)
            }

            /// Like [`pages`](Self::pages), starting at page `first` (to resume).
            pub fn pages_from(
                self,
                first: u64,
            ) -> $crate::pagination::ResultStream<'a, $crate::Page<types::$item>> {
                let repeats = $crate::pagination::Repeats::ById(
                    <types::$item as $crate::pagination::ItemId>::item_id,
                );
                $crate::pagination::boxed($crate::pagination::paginate(
                    first.max(1),
                    repeats,
                    move |n| {
                        let request = self.clone().page(n);
                        async move {
                            let p = request.send().await?;
                            Ok($crate::Page::numbered(p.items, n, p.total_pages)
                                .with_total_count(p.total_count)
                                .with_reported(p.reported))
                        }
                    },
                ))
            }
        }
    };
}

#[cfg(any(feature = "permission-assist", feature = "perscom"))]
pub(crate) use page_number_list;
