//! `POST /application-imports/upload`: the application id plus one streamed file per
//! connector file group.

use super::{Client, types};
use crate::upload::{FilePart, Progress};
use crate::{Error, ErrorKind, Result};

/// An upload being put together; send it with [`UploadImport::send`].
///
/// ```no_run
/// # async fn demo(client: &permkit::permission_assist::Client) -> permkit::Result<()> {
/// use permkit::upload::FilePart;
/// let app: uuid::Uuid = "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10".parse().unwrap();
/// let group: uuid::Uuid = "0b8f3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d".parse().unwrap();
/// let import = client
///     .upload_application_import(app)
///     .file(group, FilePart::from_path("employees.csv").await?)
///     .send()
///     .await?;
/// println!("import #{} is {}", import.number, import.status);
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "an upload does nothing until sent"]
pub struct UploadImport<'a> {
    client: &'a Client,
    application_id: uuid::Uuid,
    files: Vec<(uuid::Uuid, FilePart)>,
    progress: Option<Progress>,
}

impl Client {
    /// Starts an upload of import files for `application_id` (an application with a
    /// file-based connector).
    pub fn upload_application_import(&self, application_id: uuid::Uuid) -> UploadImport<'_> {
        UploadImport {
            client: self,
            application_id,
            files: Vec::new(),
            progress: None,
        }
    }
}

impl<'a> UploadImport<'a> {
    /// Adds the file for one connector file group (the part is named by the group's GUID).
    pub fn file(mut self, file_group_id: uuid::Uuid, part: FilePart) -> Self {
        self.files.push((file_group_id, part));
        self
    }

    /// Counts the bytes of every file into `progress`.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Sends the upload, streaming each file. Empty files and an upload with no file are
    /// refused before anything is sent, since the server refuses them.
    pub fn send(self) -> crate::Pending<'a, types::ApplicationImport> {
        self.send_with_meta().value()
    }

    /// Like [`send`](Self::send), with the response's status, headers and request id.
    pub fn send_with_meta(self) -> crate::Pending<'a, crate::Response<types::ApplicationImport>> {
        crate::Pending::new(self.sent())
    }

    async fn sent(self) -> Result<crate::Response<types::ApplicationImport>> {
        if self.files.is_empty() {
            return Err(Error::new(
                ErrorKind::Validation,
                "an upload needs at least one file",
            ));
        }
        let mut form =
            reqwest::multipart::Form::new().text("applicationId", self.application_id.to_string());
        for (group, part) in self.files {
            if part.is_empty() {
                return Err(Error::new(
                    ErrorKind::Validation,
                    format!("the file for group {group} is empty"),
                ));
            }
            let part = match &self.progress {
                Some(p) => part.with_progress(p.clone()),
                None => part,
            };
            form = form.part(group.to_string(), part.into_part()?);
        }
        let url = format!("{}/application-imports/upload", self.client.baseurl());
        let operation = "upload_application_import";
        let reply = crate::transport::send_multipart(
            self.client.client(),
            self.client.inner(),
            url,
            form,
            operation,
        )
        .await?;
        let value = crate::transport::decode_json(self.client.inner().api, operation, &reply)?;
        Ok(crate::Response::new(value, reply.status, reply.headers))
    }
}
