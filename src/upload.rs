//! Multipart uploads that stream from disk or any async reader.
//!
//! A [`FilePart`] is never read into memory whole: it is sent in chunks as the connection takes
//! them, with a known length, and a [`Progress`] counts the bytes sent.
//!
//! ```no_run
//! # async fn demo() -> permkit::Result<()> {
//! use permkit::upload::{FilePart, Progress};
//! let progress = Progress::new();
//! let part = FilePart::from_path("employees.csv").await?.with_progress(progress.clone());
//! assert_eq!(part.file_name(), "employees.csv");
//! # Ok(()) }
//! ```

use crate::{Error, ErrorKind, Result};
use futures::TryStreamExt;
use std::fmt;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::AsyncRead;

/// Counts the bytes an upload has sent so far. Clone it, hand one copy to the upload and read
/// the other from anywhere.
///
/// ```
/// let p = permkit::upload::Progress::new();
/// assert_eq!(p.bytes_sent(), 0);
/// ```
#[derive(Clone, Default)]
pub struct Progress {
    sent: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
}

impl Progress {
    /// A counter at zero.
    pub fn new() -> Self {
        Progress::default()
    }
    /// Bytes read from the sources and handed to the connection so far.
    pub fn bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
    /// The bytes of all parts that report to this counter.
    pub fn total_bytes(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Progress({}/{})", self.bytes_sent(), self.total_bytes())
    }
}

type Reader = Pin<Box<dyn AsyncRead + Send + Sync + 'static>>;

/// The size of the chunks a file is read in: large enough that a 1 GiB file takes 1,024 reads,
/// small enough that the few chunks in flight keep memory in single megabytes.
const FILE_CHUNK: usize = 1024 * 1024;

/// The chunks read from a file ahead of the connection.
const FILE_CHUNKS_AHEAD: usize = 2;

/// The read buffer for any other async reader.
const READER_CHUNK: usize = 256 * 1024;

/// Where a part's bytes come from.
enum Source {
    /// A file, read on one blocking thread in [`FILE_CHUNK`]s (tokio's `File` would send every
    /// read through its blocking pool).
    File(std::fs::File),
    /// Bytes in memory, sent without copying.
    Bytes(bytes::Bytes),
    /// Any async reader.
    Reader(Reader),
}

/// One file of a multipart upload.
pub struct FilePart {
    source: Source,
    length: u64,
    file_name: String,
    content_type: String,
    progress: Option<Progress>,
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("length", &self.length)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// The content type for a file name: `text/csv` for `.csv`, a few other common ones, else
/// `application/octet-stream`.
pub fn content_type_for(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => "text/csv",
        "txt" => "text/plain",
        "json" => "application/json",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

impl FilePart {
    /// A part read from a file, with its name and length from the file system.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = tokio::fs::File::open(path).await.map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot open {}: {e}", path.display()),
            )
            .with_source(e)
        })?;
        let length = file.metadata().await?.len();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        Ok(FilePart::new(
            Source::File(file.into_std().await),
            length,
            file_name,
        ))
    }

    /// A part read from any async reader that yields exactly `length` bytes.
    pub fn from_reader(
        reader: impl AsyncRead + Send + Sync + 'static,
        length: u64,
        file_name: impl Into<String>,
    ) -> Self {
        FilePart::new(Source::Reader(Box::pin(reader)), length, file_name)
    }

    /// A part from bytes in memory (small files, tests).
    pub fn from_bytes(bytes: impl Into<bytes::Bytes>, file_name: impl Into<String>) -> Self {
        let bytes: bytes::Bytes = bytes.into();
        let len = bytes.len() as u64;
        FilePart::new(Source::Bytes(bytes), len, file_name)
    }

    fn new(source: Source, length: u64, file_name: impl Into<String>) -> Self {
        let file_name = file_name.into();
        let content_type = content_type_for(&file_name).to_string();
        FilePart {
            source,
            length,
            file_name,
            content_type,
            progress: None,
        }
    }

    /// Overrides the content type.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// Overrides the file name sent.
    pub fn with_file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// Counts this part's bytes into `progress`.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The file name sent.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The length in bytes.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether the part is empty (servers usually refuse empty files).
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The streaming multipart part.
    pub(crate) fn into_part(self) -> Result<reqwest::multipart::Part> {
        let progress = self.progress;
        if let Some(p) = &progress {
            p.total.fetch_add(self.length, Ordering::Relaxed);
        }
        let chunks: ChunkStream = match self.source {
            Source::File(file) => Box::pin(file_chunks(file, self.length)),
            Source::Bytes(bytes) => Box::pin(futures::stream::iter(
                (0..bytes.len())
                    .step_by(FILE_CHUNK)
                    .map(move |at| Ok(bytes.slice(at..(at + FILE_CHUNK).min(bytes.len())))),
            )),
            Source::Reader(reader) => Box::pin(tokio_util::io::ReaderStream::with_capacity(
                reader,
                READER_CHUNK,
            )),
        };
        let stream = chunks.inspect_ok(move |chunk| {
            if let Some(p) = &progress {
                p.sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
        });
        let body = reqwest::Body::wrap_stream(stream);
        reqwest::multipart::Part::stream_with_length(body, self.length)
            .file_name(self.file_name)
            .mime_str(&self.content_type)
            .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("bad content type: {e}")))
    }
}

type ChunkStream =
    Pin<Box<dyn futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + Sync>>;

/// The first `length` bytes of `file`, read on a blocking thread in [`FILE_CHUNK`]s and handed
/// over through a channel of [`FILE_CHUNKS_AHEAD`], so at most a few chunks are in memory.
/// Dropping the stream (a cancelled upload) stops the reads at the next chunk.
fn file_chunks(
    file: std::fs::File,
    length: u64,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + Sync {
    let (tx, rx) = tokio::sync::mpsc::channel(FILE_CHUNKS_AHEAD);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut file = file.take(length);
        loop {
            let mut chunk = Vec::with_capacity(FILE_CHUNK);
            let read = (&mut file).take(FILE_CHUNK as u64).read_to_end(&mut chunk);
            let done = !matches!(read, Ok(n) if n > 0);
            let item = read.map(|_| bytes::Bytes::from(chunk));
            // An empty read is the end of the file: nothing to send.
            if matches!(&item, Ok(b) if b.is_empty()) || tx.blocking_send(item).is_err() || done {
                return;
            }
        }
    });
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}
