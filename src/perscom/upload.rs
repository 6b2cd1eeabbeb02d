//! The multipart operations: images (top-level, the image of an award, group, qualification,
//! rank or unit, the images of an event), attachments (top-level and a user's), and user
//! profile and cover photos. Each file streams from disk or an async reader
//! ([`FilePart`]); nothing is held in memory whole.
//!
//! Updates that carry a file are sent as `POST` with the form field `_method=PUT` (Laravel
//! method spoofing: PHP does not parse multipart `PUT` bodies), as the official SDK does.
//!
//! ```no_run
//! # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
//! use permkit::upload::FilePart;
//! let image = client.create_rank_image(7, "Sergeant", FilePart::from_path("sgt.png").await?).send().await?;
//! println!("stored at {}", image.image_url.unwrap_or_default());
//! client.update_user_profile_photo(42, FilePart::from_path("me.jpg").await?).send().await?;
//! # Ok(()) }
//! ```

use super::{Client, types};
use crate::transport::Reply;
use crate::upload::{FilePart, Progress};
use crate::{Api, Error, ErrorKind, Result};

/// One multipart request being put together; send it with [`Upload::send`].
///
/// ```no_run
/// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
/// use permkit::upload::{FilePart, Progress};
/// let progress = Progress::new();
/// let created = client
///     .create_attachment("Orders", FilePart::from_path("orders.pdf").await?)
///     .model("App\\Models\\User", 42)
///     .progress(progress.clone())
///     .send()
///     .await?;
/// println!("{} ({} bytes sent)", created.name, progress.bytes_sent());
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until sent"]
pub struct Upload<'a, T> {
    parts: Parts<'a>,
    decode: Decoder<T>,
}

/// What an [`Upload`] sends, whatever its `T`: kept apart from the decoder so that the checks
/// and the request are compiled once, in permkit.
struct Parts<'a> {
    client: &'a Client,
    operation: &'static str,
    path: String,
    fields: Vec<(String, String)>,
    files: Vec<(String, FilePart)>,
    file_field: &'static str,
    progress: Option<Progress>,
    required: &'static [&'static str],
}

impl<T> std::fmt::Debug for Upload<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("operation", &self.parts.operation)
            .field("path", &self.parts.path)
            .field("fields", &self.parts.fields)
            .field("files", &self.parts.files)
            .finish()
    }
}

/// Decodes an upload's JSON reply as its `T`. It is taken where permkit makes the upload, with
/// `T` known, so the decoder is compiled once, in permkit, not in each crate that sends one.
type Decoder<T> = fn(Api, &str, &Reply) -> Result<T>;

/// PERSCOM's success envelope: the resource (or the batch) is its `data`.
#[derive(serde::Deserialize)]
struct Data<T> {
    data: T,
}

fn decode_data<T: serde::de::DeserializeOwned>(
    api: Api,
    operation: &str,
    reply: &Reply,
) -> Result<T> {
    crate::transport::decode_json::<Data<T>>(api, operation, reply).map(|envelope| envelope.data)
}

/// An upload on its way: checked, sent, its reply read. Boxed by `Parts::sent` and
/// `BatchParts::sent`, which are not generic, so that its state machine is compiled in
/// permkit, not in each caller.
type Sending<'a> = std::pin::Pin<Box<dyn Future<Output = Result<Reply>> + Send + 'a>>;

/// The future of a sent upload: the request's, then the reply decoded by `decode`.
fn finish<'a, T: Send + 'a>(
    client: &Client,
    operation: &'static str,
    sent: Sending<'a>,
    decode: Decoder<T>,
) -> crate::Pending<'a, crate::Response<T>> {
    let api = client.inner().api;
    crate::Pending::new(async move {
        let reply = sent.await?;
        let value = decode(api, operation, &reply)?;
        Ok(crate::Response::new(value, reply.status, reply.headers))
    })
}

impl<'a, T: serde::de::DeserializeOwned> Upload<'a, T> {
    fn new(
        client: &'a Client,
        operation: &'static str,
        path: String,
        file_field: &'static str,
    ) -> Self {
        Upload {
            parts: Parts {
                client,
                operation,
                path,
                fields: Vec::new(),
                files: Vec::new(),
                file_field,
                progress: None,
                required: &[],
            },
            decode: decode_data::<T>,
        }
    }
}

impl<'a, T> Upload<'a, T> {
    fn method_put(self) -> Self {
        self.field("_method", "PUT")
    }

    fn require(mut self, parts: &'static [&'static str]) -> Self {
        self.parts.required = parts;
        self
    }

    /// Adds a text field (`name`, `description`, any other writable field).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.parts.fields.retain(|(n, _)| *n != name);
        self.parts.fields.push((name, value.into()));
        self
    }

    /// Sets the `name` field.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.field("name", name)
    }

    /// Sets the `description` field (HTML allowed).
    pub fn description(self, description: impl Into<String>) -> Self {
        self.field("description", description)
    }

    /// Sets (or replaces) the file of this operation (`image`, `file`).
    pub fn file(self, part: FilePart) -> Self {
        let field = self.parts.file_field;
        self.part(field, part)
    }

    /// Counts the bytes of every file into `progress`.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.parts.progress = Some(progress);
        self
    }

    fn part(mut self, field: &'static str, part: FilePart) -> Self {
        self.parts.files.retain(|(n, _)| n != field);
        self.parts.files.push((field.to_string(), part));
        self
    }

    /// Sends the request, streaming each file. Refused before sending (as
    /// [`ErrorKind::Validation`]): an empty file, a missing required part, an update with
    /// nothing in it.
    pub fn send(self) -> crate::Pending<'a, T>
    where
        T: Send + 'a,
    {
        self.send_with_meta().value()
    }

    /// Like [`send`](Self::send), with the response's status, headers and request id.
    pub fn send_with_meta(self) -> crate::Pending<'a, crate::Response<T>>
    where
        T: Send + 'a,
    {
        let (client, operation) = (self.parts.client, self.parts.operation);
        finish(client, operation, self.parts.sent(), self.decode)
    }
}

impl<'a> Parts<'a> {
    /// Checks the parts (required ones present, something to send) and sends them.
    fn sent(self) -> Sending<'a> {
        let Parts {
            client,
            operation,
            path,
            fields,
            files,
            progress,
            required,
            ..
        } = self;
        Box::pin(async move {
            for name in required {
                let present = fields
                    .iter()
                    .any(|(n, v)| n == name && !v.trim().is_empty())
                    || files.iter().any(|(n, _)| n == name);
                if !present {
                    return Err(
                        Error::new(ErrorKind::Validation, format!("`{name}` is required"))
                            .with_operation(operation),
                    );
                }
            }
            if files.is_empty() && fields.iter().all(|(n, _)| n == "_method") {
                return Err(
                    Error::new(ErrorKind::Validation, "nothing to send").with_operation(operation)
                );
            }
            let form = build_form(fields, files, progress.as_ref())?;
            send(client, operation, &path, form).await
        })
    }
}

fn build_form(
    fields: Vec<(String, String)>,
    files: Vec<(String, FilePart)>,
    progress: Option<&Progress>,
) -> Result<reqwest::multipart::Form> {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name, value);
    }
    for (name, part) in files {
        if part.is_empty() {
            return Err(Error::new(
                ErrorKind::Validation,
                format!("the file for `{name}` ({}) is empty", part.file_name()),
            ));
        }
        let part = match progress {
            Some(p) => part.with_progress(p.clone()),
            None => part,
        };
        form = form.part(name, part.into_part()?);
    }
    Ok(form)
}

async fn send(
    client: &Client,
    operation: &str,
    path: &str,
    form: reqwest::multipart::Form,
) -> Result<Reply> {
    let url = format!("{}{path}", client.baseurl());
    crate::transport::send_multipart(client.client(), client.inner(), url, form, operation).await
}

/// A batch create of files: one `resources[N][...]` group per item, in one transaction.
///
/// ```no_run
/// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
/// use permkit::upload::FilePart;
/// let created = client
///     .batch_create_images()
///     .add("Crest", FilePart::from_path("crest.png").await?)
///     .add("Flag", FilePart::from_path("flag.png").await?)
///     .send()
///     .await?;
/// assert_eq!(created.len(), 2);
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until sent"]
pub struct BatchUpload<'a, T> {
    parts: BatchParts<'a>,
    decode: Decoder<T>,
}

/// What a [`BatchUpload`] sends, whatever its `T` (see [`Parts`]).
struct BatchParts<'a> {
    client: &'a Client,
    operation: &'static str,
    path: String,
    file_field: &'static str,
    items: Vec<(Vec<(String, String)>, FilePart)>,
    progress: Option<Progress>,
}

impl<T> std::fmt::Debug for BatchUpload<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchUpload")
            .field("operation", &self.parts.operation)
            .field("items", &self.parts.items.len())
            .finish()
    }
}

impl<'a, T: serde::de::DeserializeOwned> BatchUpload<'a, T> {
    fn new(
        client: &'a Client,
        operation: &'static str,
        path: String,
        file_field: &'static str,
    ) -> Self {
        BatchUpload {
            parts: BatchParts {
                client,
                operation,
                path,
                file_field,
                items: Vec::new(),
                progress: None,
            },
            decode: decode_data::<T>,
        }
    }
}

impl<'a, T> BatchUpload<'a, T> {
    /// Adds one item with its `name` and file.
    pub fn add(self, name: impl Into<String>, file: FilePart) -> Self {
        self.add_with([("name".to_string(), name.into())], file)
    }

    /// Adds one item with any text fields (`name`, `description`, `model_type`...) and its file.
    pub fn add_with(
        mut self,
        fields: impl IntoIterator<Item = (String, String)>,
        file: FilePart,
    ) -> Self {
        self.parts.items.push((fields.into_iter().collect(), file));
        self
    }

    /// Counts the bytes of every file into `progress`.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.parts.progress = Some(progress);
        self
    }

    /// Sends the batch, streaming each file. An empty batch, an item without a name and an
    /// empty file are refused before sending.
    pub fn send(self) -> crate::Pending<'a, T>
    where
        T: Send + 'a,
    {
        self.send_with_meta().value()
    }

    /// Like [`send`](Self::send), with the response's status, headers and request id.
    pub fn send_with_meta(self) -> crate::Pending<'a, crate::Response<T>>
    where
        T: Send + 'a,
    {
        let (client, operation) = (self.parts.client, self.parts.operation);
        finish(client, operation, self.parts.sent(), self.decode)
    }
}

impl<'a> BatchParts<'a> {
    /// Checks the batch (at least one item, each named) and sends it as `resources[N][...]`
    /// groups.
    fn sent(self) -> Sending<'a> {
        let BatchParts {
            client,
            operation,
            path,
            file_field,
            items,
            progress,
        } = self;
        Box::pin(async move {
            if items.is_empty() {
                return Err(
                    Error::new(ErrorKind::Validation, "a batch needs at least one item")
                        .with_operation(operation),
                );
            }
            let mut fields = Vec::new();
            let mut files = Vec::new();
            for (i, (item_fields, file)) in items.into_iter().enumerate() {
                if !item_fields
                    .iter()
                    .any(|(n, v)| n == "name" && !v.trim().is_empty())
                {
                    return Err(Error::new(
                        ErrorKind::Validation,
                        format!("item {i} needs a `name`"),
                    )
                    .with_operation(operation));
                }
                for (n, v) in item_fields {
                    fields.push((format!("resources[{i}][{n}]"), v));
                }
                files.push((format!("resources[{i}][{file_field}]"), file));
            }
            let form = build_form(fields, files, progress.as_ref())?;
            send(client, operation, &path, form).await
        })
    }
}

macro_rules! has_one_image {
    ($($create:ident, $update:ident, $update_op:literal, $segment:literal, $what:literal;)*) => {
        impl Client {
            $(
                #[doc = concat!("Creates the image of ", $what, " `id` (multipart `POST /", $segment, "/{id}/image`).")]
                ///
                /// ```no_run
                /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
                /// let file = permkit::upload::FilePart::from_bytes(&b"\x89PNG..."[..], "image.png");
                #[doc = concat!("let image = client.", stringify!($create), "(1, \"Image\", file).send().await?;")]
                /// # let _ = image; Ok(()) }
                /// ```
                pub fn $create(&self, id: i64, name: impl Into<String>, image: FilePart) -> Upload<'_, types::Image> {
                    Upload::new(self, stringify!($create), format!(concat!("/", $segment, "/{}/image"), id), "image")
                        .require(&["name", "image"])
                        .name(name)
                        .file(image)
                }

                #[doc = concat!("Replaces the image file of ", $what, " `id` (`POST /", $segment, "/{id}/image` with `_method=PUT`).")]
                ///
                /// ```no_run
                /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
                /// let file = permkit::upload::FilePart::from_path("new.png").await?;
                #[doc = concat!("client.", stringify!($update), "(1, file).send().await?;")]
                /// # Ok(()) }
                /// ```
                pub fn $update(&self, id: i64, image: FilePart) -> Upload<'_, types::Image> {
                    Upload::new(self, $update_op, format!(concat!("/", $segment, "/{}/image"), id), "image")
                        .method_put()
                        .file(image)
                }
            )*
        }
    };
}

has_one_image! {
    create_award_image, update_award_image_file, "update_award_image", "awards", "award";
    create_group_image, update_group_image_file, "update_group_image", "groups", "group";
    create_qualification_image, update_qualification_image_file, "update_qualification_image", "qualifications", "qualification";
    create_rank_image, update_rank_image_file, "update_rank_image", "ranks", "rank";
    create_unit_image, update_unit_image_file, "update_unit_image", "units", "unit";
}

impl Client {
    /// Creates an image (multipart `POST /images`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// let img = client.create_image("Crest", permkit::upload::FilePart::from_path("crest.png").await?).description("<p>Unit crest</p>").send().await?;
    /// # let _ = img; Ok(()) }
    /// ```
    pub fn create_image(
        &self,
        name: impl Into<String>,
        image: FilePart,
    ) -> Upload<'_, types::Image> {
        Upload::new(self, "create_image", "/images".into(), "image")
            .require(&["name", "image"])
            .name(name)
            .file(image)
    }

    /// Creates several images in one transaction (multipart `POST /images/batch`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// let batch = client.batch_create_images().add("A", permkit::upload::FilePart::from_path("a.png").await?).send().await?;
    /// # let _ = batch; Ok(()) }
    /// ```
    pub fn batch_create_images(&self) -> BatchUpload<'_, Vec<types::Image>> {
        BatchUpload::new(self, "batch_create_images", "/images/batch".into(), "image")
    }

    /// Updates image `id` with a new file and/or fields (`POST /images/{id}` with
    /// `_method=PUT`). Set the file with [`Upload::file`].
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.update_image_multipart(3).file(permkit::upload::FilePart::from_path("b.png").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_image_multipart(&self, id: i64) -> Upload<'_, types::Image> {
        Upload::new(
            self,
            "update_image_multipart",
            format!("/images/{id}"),
            "image",
        )
        .method_put()
    }

    /// Adds an image to event `event` (multipart `POST /events/{event}/image`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.create_event_image(5, "Briefing", permkit::upload::FilePart::from_path("map.png").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn create_event_image(
        &self,
        event: i64,
        name: impl Into<String>,
        image: FilePart,
    ) -> Upload<'_, types::Image> {
        Upload::new(
            self,
            "create_event_image",
            format!("/events/{event}/image"),
            "image",
        )
        .require(&["name", "image"])
        .name(name)
        .file(image)
    }

    /// Adds several images to event `event` (multipart `POST /events/{event}/image/batch`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.batch_create_event_images(5).add("Map", permkit::upload::FilePart::from_path("map.png").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn batch_create_event_images(&self, event: i64) -> BatchUpload<'_, Vec<types::Image>> {
        BatchUpload::new(
            self,
            "batch_create_event_images",
            format!("/events/{event}/image/batch"),
            "image",
        )
    }

    /// Updates image `image` of event `event` (`POST /events/{event}/image/{image}` with
    /// `_method=PUT`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.update_event_image_multipart(5, 9).name("Final map").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_event_image_multipart(&self, event: i64, image: i64) -> Upload<'_, types::Image> {
        Upload::new(
            self,
            "update_event_image_multipart",
            format!("/events/{event}/image/{image}"),
            "image",
        )
        .method_put()
    }

    /// Creates an attachment (multipart `POST /attachments`). Tie it to a record with
    /// [`Upload::model`].
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.create_attachment("Orders", permkit::upload::FilePart::from_path("orders.pdf").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn create_attachment(
        &self,
        name: impl Into<String>,
        file: FilePart,
    ) -> Upload<'_, types::Attachment> {
        Upload::new(self, "create_attachment", "/attachments".into(), "file")
            .require(&["name", "file"])
            .name(name)
            .file(file)
    }

    /// Creates several attachments in one transaction (multipart `POST /attachments/batch`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.batch_create_attachments().add("A", permkit::upload::FilePart::from_path("a.pdf").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn batch_create_attachments(&self) -> BatchUpload<'_, Vec<types::Attachment>> {
        BatchUpload::new(
            self,
            "batch_create_attachments",
            "/attachments/batch".into(),
            "file",
        )
    }

    /// Updates attachment `id` (`POST /attachments/{id}` with `_method=PUT`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.update_attachment_multipart(4).file(permkit::upload::FilePart::from_path("v2.pdf").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_attachment_multipart(&self, id: i64) -> Upload<'_, types::Attachment> {
        Upload::new(
            self,
            "update_attachment_multipart",
            format!("/attachments/{id}"),
            "file",
        )
        .method_put()
    }

    /// Adds an attachment to user `user` (multipart `POST /users/{user}/attachments`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.create_user_attachment(42, "DD-214", permkit::upload::FilePart::from_path("dd214.pdf").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn create_user_attachment(
        &self,
        user: i64,
        name: impl Into<String>,
        file: FilePart,
    ) -> Upload<'_, types::Attachment> {
        Upload::new(
            self,
            "create_user_attachment",
            format!("/users/{user}/attachments"),
            "file",
        )
        .require(&["name", "file"])
        .name(name)
        .file(file)
    }

    /// Adds several attachments to user `user` (multipart `POST /users/{user}/attachments/batch`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.batch_create_user_attachments(42).add("A", permkit::upload::FilePart::from_path("a.pdf").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn batch_create_user_attachments(
        &self,
        user: i64,
    ) -> BatchUpload<'_, Vec<types::Attachment>> {
        BatchUpload::new(
            self,
            "batch_create_user_attachments",
            format!("/users/{user}/attachments/batch"),
            "file",
        )
    }

    /// Updates attachment `attachment` of user `user` (`POST /users/{user}/attachments/{attachment}`
    /// with `_method=PUT`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.update_user_attachment_multipart(42, 4).name("Renamed").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_user_attachment_multipart(
        &self,
        user: i64,
        attachment: i64,
    ) -> Upload<'_, types::Attachment> {
        Upload::new(
            self,
            "update_user_attachment_multipart",
            format!("/users/{user}/attachments/{attachment}"),
            "file",
        )
        .method_put()
    }

    /// Updates user `user` with photos and/or fields (`POST /users/{user}` with `_method=PUT`,
    /// as the official SDK does). Set files with [`Upload::profile_photo`] and
    /// [`Upload::cover_photo`]. To remove a photo, send a JSON update with the field `null`.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// use permkit::upload::FilePart;
    /// client
    ///     .update_user_multipart(42)
    ///     .profile_photo(FilePart::from_path("me.jpg").await?)
    ///     .cover_photo(FilePart::from_path("banner.jpg").await?)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update_user_multipart(&self, user: i64) -> Upload<'_, types::User> {
        Upload::new(
            self,
            "update_user_multipart",
            format!("/users/{user}"),
            "profile_photo",
        )
        .method_put()
    }

    /// Sets user `user`'s profile photo (`POST /users/{user}` with `_method=PUT`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.update_user_profile_photo(42, permkit::upload::FilePart::from_path("me.jpg").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_user_profile_photo(&self, user: i64, photo: FilePart) -> Upload<'_, types::User> {
        self.update_user_multipart(user).profile_photo(photo)
    }

    /// Sets user `user`'s cover photo (`POST /users/{user}` with `_method=PUT`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// client.update_user_cover_photo(42, permkit::upload::FilePart::from_path("banner.jpg").await?).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_user_cover_photo(&self, user: i64, photo: FilePart) -> Upload<'_, types::User> {
        self.update_user_multipart(user).cover_photo(photo)
    }
}

impl<T> Upload<'_, T> {
    /// Ties an attachment to a record (`model_type`, `model_id`).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client, f: permkit::upload::FilePart) -> permkit::Result<()> {
    /// client.create_attachment("Orders", f).model("App\\Models\\User", 42).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn model(self, model_type: impl Into<String>, model_id: i64) -> Self {
        self.field("model_type", model_type)
            .field("model_id", model_id.to_string())
    }

    /// Sets the `profile_photo` file (user updates).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client, f: permkit::upload::FilePart) -> permkit::Result<()> {
    /// client.update_user_multipart(1).profile_photo(f).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn profile_photo(self, photo: FilePart) -> Self {
        self.part("profile_photo", photo)
    }

    /// Sets the `cover_photo` file (user updates).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client, f: permkit::upload::FilePart) -> permkit::Result<()> {
    /// client.update_user_multipart(1).cover_photo(f).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn cover_photo(self, photo: FilePart) -> Self {
        self.part("cover_photo", photo)
    }
}
