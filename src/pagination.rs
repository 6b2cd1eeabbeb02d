//! One pagination engine for every paging style: page numbers (Permission Assist, PERSCOM)
//! and offsets (Intacct `start` + `ia::meta.next`).
//!
//! A list operation's builder has `.stream()` (every item of every page, in order) and
//! `.pages()` (one [`Page`] at a time, with its metadata). Filters set on the builder are sent
//! with every page. The engine stops at the last page or an empty one, and fails with
//! [`crate::ErrorKind::Pagination`] instead of looping when a server does not advance, or
//! (page numbers) returns items an earlier page returned ([`Repeats`]).
//!
//! `.prefetch(n)` on a list builder (a [`Pager`]) or on an Intacct `client.query(q)` keeps up to `n`
//! pages in flight once the next cursors are known, in order and lazily
//! ([`paginate_ahead`] says how far ahead each paging style can see). Those requests count
//! toward the client's [`max_concurrent_requests`](crate::ClientOptions::max_concurrent_requests).
//!
//! ```
//! use futures::{StreamExt, TryStreamExt};
//! use permkit::pagination::{Page, Repeats, paginate, items};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! // A fake server with 3 pages of 2 numbers.
//! let pages = paginate(1, Repeats::ById(|n: &u64| (*n).into()), |n| async move {
//!     Ok::<_, permkit::Error>(Page::numbered(vec![n * 10, n * 10 + 1], n, Some(3)))
//! });
//! let all: Vec<u64> = items(pages).try_collect().await.unwrap();
//! assert_eq!(all, [10, 11, 20, 21, 30, 31]);
//! # });
//! ```

use crate::{Error, ErrorKind, Result};
use futures::future::{self, BoxFuture};
use futures::stream::FuturesOrdered;
use futures::{Stream, StreamExt};
use std::any::Any;
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::Hasher;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

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

/// How many item ids a page-numbered pager remembers, the most recent ones, to find a page
/// that repeats items of the pages before it (a few MiB at most, whatever the length of the
/// list). A server that goes round a longer circle is still stopped: see [`Repeats::ById`].
pub const MAX_TRACKED_IDS: usize = 8_192;

/// How a pager recognises a server that goes round in circles.
#[derive(Debug, Clone, Copy)]
pub enum Repeats<T> {
    /// Page numbers: items are compared by the exact id this function reads (never by a
    /// hash: two distinct ids are never taken for a repeat). A page is an error when it
    /// repeats an item of the last [`MAX_TRACKED_IDS`] items before it, found at that page;
    /// or when it is the same page (the same ids in the same order) as a page kept to compare
    /// against, which finds a circle of any length within about twice its length plus the
    /// pages before it (Brent's cycle finding: the page kept is replaced at pages 1, 2, 4,
    /// 8, ...). Memory stays bounded however long the list.
    ById(fn(&T) -> ItemKey),
    /// Offsets: only the cursor is judged (the next offset must advance); rows may be equal
    /// (a query of `status` alone returns the same rows on every page).
    CursorOnly,
}

impl<T> Repeats<T> {
    /// The function that reads an item's id, when items are compared by id.
    fn id(self) -> Option<fn(&T) -> ItemKey> {
        match self {
            Repeats::ById(id) => Some(id),
            Repeats::CursorOnly => None,
        }
    }
}

/// The exact identity of a list item, as a pager compares items: an integer, a UUID or a
/// string.
///
/// ```
/// use permkit::pagination::ItemKey;
/// assert_eq!(ItemKey::from(7u64), ItemKey::from(7i64));
/// assert_ne!(ItemKey::from("7"), ItemKey::from(7u64));
/// let id = permkit::uuid::Uuid::nil();
/// assert_eq!(ItemKey::from(&id), ItemKey::from(id));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey(Key);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Int(i128),
    Uuid(u128),
    Text(Box<str>),
}

macro_rules! item_key_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for ItemKey {
            fn from(n: $t) -> Self {
                ItemKey(Key::Int(i128::from(n)))
            }
        }
        impl From<&$t> for ItemKey {
            fn from(n: &$t) -> Self {
                ItemKey(Key::Int(i128::from(*n)))
            }
        }
    )*};
}
item_key_from_int!(i32, i64, u32, u64);

impl From<uuid::Uuid> for ItemKey {
    fn from(id: uuid::Uuid) -> Self {
        ItemKey(Key::Uuid(id.as_u128()))
    }
}

impl From<&uuid::Uuid> for ItemKey {
    fn from(id: &uuid::Uuid) -> Self {
        ItemKey::from(*id)
    }
}

impl From<&str> for ItemKey {
    fn from(id: &str) -> Self {
        ItemKey(Key::Text(id.into()))
    }
}

impl From<&String> for ItemKey {
    fn from(id: &String) -> Self {
        ItemKey::from(id.as_str())
    }
}

impl From<String> for ItemKey {
    fn from(id: String) -> Self {
        ItemKey(Key::Text(id.into_boxed_str()))
    }
}

/// The identity of a list item, for [`Repeats::ById`] (implemented for every item of a
/// page-numbered list; generated).
#[cfg_attr(
    not(any(feature = "permission-assist", feature = "perscom")),
    allow(dead_code)
)]
pub(crate) trait ItemId {
    /// The item's id.
    fn item_id(&self) -> ItemKey;
}

/// A fast 64-bit hasher for item ids and for the set of ids already seen (SipHash's
/// protection against chosen keys buys nothing here and cost two hashes per item).
///
/// Each 8-byte word is folded in by xor, rotate and multiply (a bijection of the state for
/// a fixed word, so two inputs differing in one word never collide) and the result goes
/// through a bijective finaliser: an integer id maps to its own distinct hash.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl IdHasher {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_i64(&mut self, n: i64) {
        self.add(n as u64);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    /// The murmur3 finaliser (bijective).
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// What a page-numbered pager remembers of the items it handed out: the last
/// [`MAX_TRACKED_IDS`] ids, and one earlier page to compare pages against (see
/// [`Repeats::ById`]).
#[derive(Default)]
struct SeenIds {
    recent: HashSet<ItemKey, std::hash::BuildHasherDefault<IdHasher>>,
    order: VecDeque<ItemKey>,
    /// The page kept to compare against, how many pages since it was kept, and when it is
    /// replaced (a power of two).
    kept: Vec<ItemKey>,
    since: u64,
    power: u64,
}

impl SeenIds {
    /// Takes the ids of the next page; `Err` says it repeats what was seen.
    fn take(&mut self, ids: Vec<ItemKey>) -> std::result::Result<(), &'static str> {
        if ids.iter().any(|id| self.recent.contains(id)) {
            return Err("repeats items an earlier page returned");
        }
        if !self.kept.is_empty() && ids == self.kept {
            return Err("is the same page as an earlier one");
        }
        for id in &ids {
            self.recent.insert(id.clone());
            self.order.push_back(id.clone());
        }
        while self.order.len() > MAX_TRACKED_IDS {
            if let Some(old) = self.order.pop_front() {
                self.recent.remove(&old);
            }
        }
        self.since += 1;
        if self.since >= self.power.max(1) {
            self.kept = ids;
            self.since = 0;
            self.power = self.power.max(1) * 2;
        }
        Ok(())
    }
}

/// Pages from `first` on, calling `fetch(cursor)` for each, one page at a time. See the
/// [module docs](self) and [`paginate_ahead`] for the same with pages fetched ahead.
///
/// ```
/// use futures::TryStreamExt;
/// use permkit::pagination::{Page, Repeats, paginate};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// // A server that answers page 3 with page 1 again.
/// let pages = paginate(1, Repeats::ById(|n: &u64| (*n).into()), |n| async move {
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
    paginate_ahead(first, repeats, 1, fetch)
}

/// Like [`paginate`], with up to `ahead` pages in flight (`0` and `1` fetch one page at a
/// time).
///
/// The first page is fetched alone. Once a page tells where the following ones start, the
/// pager asks for them before they are needed:
/// - page numbers: pages `n + 1` to the last page the server reports (`totalPages`,
///   `last_page`); without a total, one page at a time;
/// - offsets: the protocol only names the next offset (`ia::meta.next`), so the pager
///   predicts the ones after it by the step between a page's start and its next, up to the
///   item total the server reports (`totalCount`); without a total, one page at a time. Each
///   page's own `next` is checked against the prediction: if the server skips elsewhere
///   (rows were added or removed meanwhile), the pages asked for ahead are dropped unread and
///   the pager goes on from the server's `next`.
///
/// Pages come out in order, each checked as [`paginate`] checks them; an error ends the
/// stream and drops what is in flight. Nothing is sent before the stream is first polled,
/// at most `ahead` pages are held (in flight or done and not yet taken), and dropping the
/// stream cancels the requests in flight. Requests in flight are driven while the stream
/// is polled (their answers wait for the server meanwhile, so the waits overlap).
///
/// ```
/// use futures::TryStreamExt;
/// use permkit::pagination::{Page, Repeats, paginate_ahead, items};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let pages = paginate_ahead(1, Repeats::ById(|n: &u64| (*n).into()), 4, |n| async move {
///     Ok::<_, permkit::Error>(Page::numbered(vec![n], n, Some(10)))
/// });
/// let all: Vec<u64> = items(pages).try_collect().await.unwrap();
/// assert_eq!(all, (1..=10).collect::<Vec<_>>());
/// # });
/// ```
pub fn paginate_ahead<T, F, Fut>(
    first: u64,
    repeats: Repeats<T>,
    ahead: usize,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    Pages::new(first, repeats.id(), ahead, fetch)
}

/// Like [`items`]`(`[`paginate_ahead`]`(..))`, and while the items of a page are read, the
/// pages in flight are driven too (their answers are read as they come).
pub(crate) fn paginate_items<T, F, Fut>(
    first: u64,
    repeats: Repeats<T>,
    ahead: usize,
    fetch: F,
) -> impl Stream<Item = Result<T>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    Items {
        pages: Pages::new(first, repeats.id(), ahead, fetch),
        current: Vec::new().into_iter(),
    }
}

/// A stream of pages that [`Items`] reads: it may keep the pages in flight moving while the
/// items of the current page are handed out.
trait PageSource<T>: Stream<Item = Result<Page<T>>> + Unpin {
    /// Called after each item handed out.
    fn keep_ahead(&mut self, _cx: &mut Context<'_>) {}
}

/// Any stream of pages, pinned in its box: nothing to keep moving.
impl<S: Stream<Item = Result<Page<T>>>, T> PageSource<T> for Pin<Box<S>> {}

/// The pager's own pages: the pages in flight are driven too, so their answers are read as
/// they come.
impl<F, Fut, T> PageSource<T> for Pages<F, Fut, Page<T>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    fn keep_ahead(&mut self, cx: &mut Context<'_>) {
        self.keep_moving(cx);
    }
}

/// What the engine reads of a page and sets on it: a [`Page`] itself, or (for a [`Pager`]) a
/// page whose items' type is erased, so that one engine is compiled for every list.
trait Paged {
    /// The type of the page's items, as its metadata holds them.
    type Item;
    /// What the engine keeps to read a page's ids when items are compared by id
    /// ([`Repeats::ById`]): the list's id function for a `Page<T>`; nothing for an
    /// [`ErasedPage`], which carries its ids.
    type IdReader: Copy;
    /// The page's metadata (and, for a `Page<T>`, its items).
    fn page(&mut self) -> &mut Page<Self::Item>;
    /// The ids of the page's items, in order (taken once, when the page is checked).
    fn ids(&mut self, reader: Self::IdReader) -> Vec<ItemKey>;
}

impl<T> Paged for Page<T> {
    type Item = T;
    type IdReader = fn(&T) -> ItemKey;

    fn page(&mut self) -> &mut Page<T> {
        self
    }

    fn ids(&mut self, id: fn(&T) -> ItemKey) -> Vec<ItemKey> {
        self.items.iter().map(id).collect()
    }
}

/// A page whose items' type is erased, as a [`Pager`]'s engine moves it: its metadata (with
/// one `()` per item, which takes no memory), the items' ids when they are compared, and the
/// items themselves, a `Vec<T>`.
struct ErasedPage {
    page: Page<()>,
    ids: Vec<ItemKey>,
    items: Box<dyn Any + Send>,
}

impl ErasedPage {
    #[cfg_attr(
        not(any(feature = "permission-assist", feature = "perscom")),
        allow(dead_code)
    )]
    fn new<T: Send + 'static>(page: Page<T>, id: Option<fn(&T) -> ItemKey>) -> Self {
        let ids = id.map_or_else(Vec::new, |id| page.items.iter().map(id).collect());
        let Page {
            items,
            cursor,
            next,
            total_pages,
            total_count,
            reported,
        } = page;
        ErasedPage {
            page: Page {
                items: vec![(); items.len()],
                cursor,
                next,
                total_pages,
                total_count,
                reported,
            },
            ids,
            items: Box::new(items),
        }
    }

    /// The page again, with the items it was made from.
    fn into_page<T: 'static>(self) -> Result<Page<T>> {
        let Page {
            cursor,
            next,
            total_pages,
            total_count,
            reported,
            ..
        } = self.page;
        match self.items.downcast::<Vec<T>>() {
            Ok(items) => Ok(Page {
                items: *items,
                cursor,
                next,
                total_pages,
                total_count,
                reported,
            }),
            // A pager makes its pages from its own `Page<T>`s: this cannot happen.
            Err(_) => Err(Error::new(
                ErrorKind::Pagination,
                "a page's items are not of the list's type",
            )),
        }
    }
}

impl Paged for ErasedPage {
    type Item = ();
    type IdReader = ();

    fn page(&mut self) -> &mut Page<()> {
        &mut self.page
    }

    /// The ids read when the page was made, with the list's own function.
    fn ids(&mut self, (): ()) -> Vec<ItemKey> {
        std::mem::take(&mut self.ids)
    }
}

/// The future of one page of a [`Pager::numbered`]: the page as its list's `send()` answers
/// it, numbered `number`, its items' type erased. Written out rather than a combinator's
/// (`map_ok`), which would bring its layers of adapters into each crate that reads a list.
#[cfg(any(feature = "permission-assist", feature = "perscom"))]
struct Numbered<'a, T> {
    page: crate::Pending<'a, Page<T>>,
    number: u64,
    id: Option<fn(&T) -> ItemKey>,
}

#[cfg(any(feature = "permission-assist", feature = "perscom"))]
impl<T: Send + 'static> Future for Numbered<'_, T> {
    type Output = Result<ErasedPage>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let p = match Pin::new(&mut self.page).poll(cx) {
            Poll::Ready(Ok(p)) => p,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        let page = Page::numbered(p.items, self.number, p.total_pages)
            .with_total_count(p.total_count)
            .with_reported(p.reported);
        Poll::Ready(Ok(ErasedPage::new(page, self.id)))
    }
}

/// Fetches one page at a cursor, its items' type erased.
type ErasedFetch<'a> = Box<dyn FnMut(u64) -> BoxFuture<'a, Result<ErasedPage>> + Send + 'a>;

/// A [`Pager`]'s engine: the same type for every list, so that its state machine (the
/// requests in flight, their order, the checks) is compiled once, in permkit, and not again
/// for each list's item type in each crate that reads one.
struct ErasedPages<'a>(Pages<ErasedFetch<'a>, BoxFuture<'a, Result<ErasedPage>>, ErasedPage>);

impl<'a> ErasedPages<'a> {
    fn new(first: u64, by_id: bool, ahead: usize, fetch: ErasedFetch<'a>) -> Self {
        ErasedPages(Pages::new(first, by_id.then_some(()), ahead, fetch))
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<ErasedPage>>> {
        self.0.poll_next_unpin(cx)
    }

    fn keep_moving(&mut self, cx: &mut Context<'_>) {
        self.0.keep_moving(cx);
    }
}

/// A [`Pager`]'s pages as its lister's `Page<T>`s.
struct Typed<'a, T> {
    engine: ErasedPages<'a>,
    _items: PhantomData<fn() -> T>,
}

impl<T: 'static> Stream for Typed<'_, T> {
    type Item = Result<Page<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .engine
            .poll_page(cx)
            .map(|page| page.map(|page| page.and_then(ErasedPage::into_page)))
    }
}

/// The requests in flight are driven while the items of a page are handed out.
impl<T: 'static> PageSource<T> for Typed<'_, T> {
    fn keep_ahead(&mut self, cx: &mut Context<'_>) {
        self.engine.keep_moving(cx);
    }
}

impl<F, Fut, P> Pages<F, Fut, P>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<P>>,
    P: Paged,
{
    /// `ids` is the reader of items' ids when they are compared ([`Repeats::ById`]), `None`
    /// for offsets ([`Repeats::CursorOnly`]).
    fn new(first: u64, ids: Option<P::IdReader>, ahead: usize, fetch: F) -> Self {
        Pages {
            fetch: Box::new(fetch),
            ahead: ahead.max(1),
            in_flight: FuturesOrdered::new(),
            ready: VecDeque::new(),
            cursors: VecDeque::new(),
            next: Some(first),
            last_scheduled: None,
            step: None,
            bound: None,
            fetched: 0,
            ids,
            seen: SeenIds::default(),
            done: false,
        }
    }
}

/// One fetch in flight, with the cursor it asked for.
type Tagged<Fut> = future::Join<future::Ready<u64>, Fut>;

/// The pager's state: see [`paginate_ahead`]. `P` is a page: a [`Page`], or an [`ErasedPage`].
struct Pages<F, Fut: Future, P: Paged> {
    fetch: Box<F>,
    ahead: usize,
    in_flight: FuturesOrdered<Tagged<Fut>>,
    /// Done fetches not yet taken, in order (they count toward `ahead`).
    ready: VecDeque<(u64, Result<P>)>,
    /// The cursors asked for and not yet taken, in order.
    cursors: VecDeque<u64>,
    /// The cursor of the next page to hand out.
    next: Option<u64>,
    last_scheduled: Option<u64>,
    /// The distance between two cursors and the last valid cursor, from the latest page.
    step: Option<u64>,
    bound: Option<u64>,
    fetched: u64,
    /// Reads the items' ids when they are compared by id; `None` for offsets.
    ids: Option<P::IdReader>,
    seen: SeenIds,
    done: bool,
}

// Nothing of a `Pages` is ever pinned in place: the fetch is boxed, and `FuturesOrdered` pins
// its futures on the heap.
impl<F, Fut: Future, P: Paged> Unpin for Pages<F, Fut, P> {}

impl<F, Fut, P> Pages<F, Fut, P>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<P>>,
    P: Paged,
{
    /// Drives the pages in flight while the items of a page are handed out.
    fn keep_moving(&mut self, cx: &mut Context<'_>) {
        if self.ahead > 1 && !self.done {
            self.drive(cx);
        }
    }

    fn schedule(&mut self, cursor: u64) {
        let fut = (self.fetch)(cursor);
        self.in_flight
            .push_back(future::join(future::ready(cursor), fut));
        self.cursors.push_back(cursor);
        self.last_scheduled = Some(cursor);
        self.fetched += 1;
    }

    /// Asks for the next page if nothing is in flight, then for predicted ones up to `ahead`.
    fn fill(&mut self) -> Result<()> {
        if self.cursors.is_empty() {
            let Some(cursor) = self.next else {
                return Ok(());
            };
            if self.fetched >= MAX_PAGES {
                return Err(Error::new(
                    ErrorKind::Pagination,
                    format!("stopped after {MAX_PAGES} pages"),
                ));
            }
            self.schedule(cursor);
        }
        while self.cursors.len() < self.ahead && self.fetched < MAX_PAGES {
            let (Some(last), Some(step), Some(bound)) =
                (self.last_scheduled, self.step, self.bound)
            else {
                break;
            };
            match last.checked_add(step) {
                Some(c) if c <= bound => self.schedule(c),
                _ => break,
            }
        }
        Ok(())
    }

    /// Polls the fetches in flight until none is ready, keeping the done ones in order.
    fn drive(&mut self, cx: &mut Context<'_>) {
        while let Poll::Ready(Some(done)) = self.in_flight.poll_next_unpin(cx) {
            self.ready.push_back(done);
        }
    }

    /// Drops every page asked for ahead.
    fn forget_ahead(&mut self) {
        self.in_flight = FuturesOrdered::new();
        self.ready.clear();
        self.cursors.clear();
        self.last_scheduled = None;
    }

    /// Checks the page fetched at `cursor` and learns where the following ones start.
    fn accept(&mut self, cursor: u64, page: Result<P>) -> Result<P> {
        let mut paged = page?;
        let ids = self.ids.map(|reader| paged.ids(reader));
        self.check(cursor, paged.page(), ids)?;
        Ok(paged)
    }

    /// [`accept`](Self::accept) of one page's metadata, with its items' ids when they are
    /// compared ([`Repeats::ById`]).
    fn check(
        &mut self,
        cursor: u64,
        page: &mut Page<P::Item>,
        ids: Option<Vec<ItemKey>>,
    ) -> Result<()> {
        page.cursor = cursor;
        if let Some(reported) = page.reported
            && reported != cursor
        {
            return Err(Error::new(
                ErrorKind::Pagination,
                format!("asked for page {cursor}, the server returned page {reported}"),
            ));
        }
        if page.items.is_empty() {
            self.next = None;
            return Ok(());
        }
        if let Some(ids) = ids
            && let Err(what) = self.seen.take(ids)
        {
            return Err(Error::new(
                ErrorKind::Pagination,
                format!("page {cursor} {what}: the server is going round in circles"),
            ));
        }
        let offsets = self.ids.is_none();
        self.next = match page.next {
            Some(n) if n <= cursor => {
                return Err(Error::new(
                    ErrorKind::Pagination,
                    format!("the server's next page ({n}) does not advance past {cursor}"),
                ));
            }
            // An offset past the total the server itself reports (offsets are 1-based).
            Some(n) if offsets && page.total_count.is_some_and(|t| n > t.saturating_add(1)) => {
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
        self.step = self.next.map(|n| n - cursor);
        self.bound = if offsets {
            page.total_count
        } else {
            page.total_pages
        };
        Ok(())
    }
}

impl<F, Fut, P> Stream for Pages<F, Fut, P>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<P>>,
    P: Paged,
{
    type Item = Result<P>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some((cursor, result)) = this.ready.pop_front() {
                this.cursors.pop_front();
                let accepted = this.accept(cursor, result);
                if accepted.is_err() || this.next.is_none() {
                    this.done = true;
                    this.forget_ahead();
                } else if this.cursors.front() != this.next.as_ref() {
                    this.forget_ahead();
                }
                // Send what can be sent now, so the server's waits overlap. (A fill that
                // fails fails again, and is returned, when the next page is asked for.)
                if !this.done && this.ahead > 1 && this.fill().is_ok() {
                    this.drive(cx);
                }
                return Poll::Ready(Some(accepted));
            }
            if this.next.is_none() {
                this.done = true;
                continue;
            }
            if let Err(e) = this.fill() {
                this.done = true;
                return Poll::Ready(Some(Err(e)));
            }
            match this.in_flight.poll_next_unpin(cx) {
                Poll::Ready(Some(done)) => this.ready.push_back(done),
                Poll::Ready(None) => this.done = true,
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Every item of every page of `pages`, in order.
pub fn items<T, S>(pages: S) -> impl Stream<Item = Result<T>>
where
    S: Stream<Item = Result<Page<T>>>,
{
    Items {
        pages: Box::pin(pages),
        current: Vec::new().into_iter(),
    }
}

/// The items of a stream of pages, moved out of each page's `Vec` one at a time.
struct Items<P, T> {
    pages: P,
    current: std::vec::IntoIter<T>,
}

// The source is `Unpin` (a box, or the pager); the items are never pinned.
impl<P: Unpin, T> Unpin for Items<P, T> {}

impl<P: PageSource<T>, T> Stream for Items<P, T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                this.pages.keep_ahead(cx);
                return Poll::Ready(Some(Ok(item)));
            }
            match this.pages.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(page))) => this.current = page.items.into_iter(),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.current.len(), None)
    }
}

/// A list request ready to be read page after page, and how many pages it fetches ahead.
/// The list builders of PERSCOM and Permission Assist make one with `.prefetch(n)`.
///
/// ```no_run
/// # #[cfg(feature = "perscom")]
/// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
/// use futures::TryStreamExt;
/// // Every user, 100 a page, with up to 8 pages in flight.
/// let users: Vec<_> = client.list_users().limit(100u64).prefetch(8).stream().try_collect().await?;
/// println!("{} users", users.len());
/// # Ok(()) }
/// ```
#[must_use = "a pager sends nothing until its stream is read"]
pub struct Pager<'a, T> {
    fetch: ErasedFetch<'a>,
    /// Whether items are compared by id ([`Repeats::ById`]), their ids read by `fetch`.
    by_id: bool,
    ahead: usize,
    _items: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Pager<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager").field("ahead", &self.ahead).finish()
    }
}

impl<'a, T: Send + 'static> Pager<'a, T> {
    /// A pager over a list builder whose API pages by page number, one page at a time:
    /// `send` sends a copy of the builder for page `n`. One function for every such list, so
    /// no list compiles a future of its own.
    #[cfg(any(feature = "permission-assist", feature = "perscom"))]
    pub(crate) fn numbered<B: Clone + Send + 'a>(
        list: B,
        repeats: Repeats<T>,
        send: fn(B, u64) -> crate::Pending<'a, Page<T>>,
    ) -> Self {
        let id = repeats.id();
        Pager {
            fetch: Box::new(move |n| {
                Box::pin(Numbered {
                    page: send(list.clone(), n),
                    number: n,
                    id,
                })
            }),
            by_id: id.is_some(),
            ahead: 1,
            _items: PhantomData,
        }
    }

    /// Keeps up to `n` pages in flight once the next ones are known (see [`paginate_ahead`]);
    /// `0` and `1` fetch one page at a time. The requests count toward the client's
    /// [`max_concurrent_requests`](crate::ClientOptions::max_concurrent_requests).
    ///
    /// ```no_run
    /// # #[cfg(feature = "permission-assist")]
    /// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let mut pages = client.list_identities().prefetch(4).pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("page {} of {:?}", page.cursor, page.total_pages);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn prefetch(mut self, n: usize) -> Self {
        self.ahead = n.max(1);
        self
    }

    /// Every item of every page, in order.
    ///
    /// ```no_run
    /// # #[cfg(feature = "permission-assist")]
    /// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let ids: Vec<_> = client.list_identities().prefetch(8).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> ResultStream<'a, T> {
        boxed(Items {
            pages: self.typed(1),
            current: Vec::new().into_iter(),
        })
    }

    /// One page at a time, with its metadata; ends at the last page or an empty one.
    ///
    /// ```no_run
    /// # #[cfg(feature = "permission-assist")]
    /// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let pages: Vec<_> = client.list_identities().prefetch(2).pages().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> ResultStream<'a, Page<T>> {
        self.pages_from(1)
    }

    /// Like [`pages`](Self::pages), starting at page `first` (to resume).
    ///
    /// ```no_run
    /// # #[cfg(feature = "permission-assist")]
    /// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
    /// use futures::TryStreamExt;
    /// let rest: Vec<_> = client.list_identities().prefetch(2).pages_from(3).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn pages_from(self, first: u64) -> ResultStream<'a, Page<T>> {
        boxed(self.typed(first.max(1)))
    }

    fn typed(self, first: u64) -> Typed<'a, T> {
        Typed {
            engine: ErasedPages::new(first, self.by_id, self.ahead, self.fetch),
            _items: PhantomData,
        }
    }
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
/// becomes a `Page` (generated, `build/pages.rs`).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_ids_are_never_repeats() {
        let mut seen = SeenIds::default();
        for page in 0..100u64 {
            let ids = (0..100).map(|i| ItemKey::from(page * 100 + i)).collect();
            assert!(seen.take(ids).is_ok());
        }
        assert!(seen.order.len() <= MAX_TRACKED_IDS);
        // Ids equal as text but of different kinds are different ids.
        let mut seen = SeenIds::default();
        assert!(seen.take(vec![ItemKey::from(1u64)]).is_ok());
        assert!(seen.take(vec![ItemKey::from("1")]).is_ok());
        assert!(
            seen.take(vec![ItemKey::from(uuid::Uuid::from_u128(1))])
                .is_ok()
        );
        assert!(seen.take(vec![ItemKey::from(1i64)]).is_err());
    }

    #[test]
    fn a_circle_longer_than_the_window_is_found() {
        // 200 pages of 1,000 ids, then the same 200 again: far more than the window holds.
        let page = |n: u64| {
            (0..1000)
                .map(|i| ItemKey::from(n * 1000 + i))
                .collect::<Vec<_>>()
        };
        let mut seen = SeenIds::default();
        let mut stopped = None;
        for fetched in 0..2000u64 {
            if seen.take(page(fetched % 200)).is_err() {
                stopped = Some(fetched);
                break;
            }
        }
        let stopped = stopped.expect("the circle was found");
        assert!(stopped < 200 + 2 * 256, "stopped at page {stopped}");
        assert!(seen.order.len() <= MAX_TRACKED_IDS);
    }
}
