//! What every generated client gets the same way: the include of the build script's output,
//! the open enums beside its types, and the `ClientHooks` that route every request through the
//! shared [`transport`](crate::transport).

/// Includes the generated client of one API (`$name` is its `OUT_DIR` file stem) into the
/// calling module, as `Client`, `builder`, `types` (with the open enums) and `SET_ASIDE`.
macro_rules! generated_api {
    ($name:literal) => {
        /// The open enums of the spec (also re-exported in [`types`]).
        pub mod enums {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_enums.rs"));
        }

        #[allow(missing_docs, clippy::all, unused_imports, rustdoc::all)]
        mod generated {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_client.rs"));
        }

        /// Request and response types, generated from the spec, and the open enums.
        pub mod types {
            pub use super::enums::*;
            pub use super::generated::types::*;
        }

        /// Request builders: one per operation, each with setters and `send()`.
        pub mod builder {
            pub use super::generated::builder::*;
        }

        pub use generated::Client;

        #[allow(missing_docs)]
        mod set_aside {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_set_aside.rs"));
        }
        pub use set_aside::SET_ASIDE;

        impl progenitor_client::ClientHooks<crate::transport::Inner> for Client {
            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                use progenitor_client::ClientInfo;
                crate::transport::exec(self.client(), self.inner(), request, info.operation_id)
                    .await
            }
        }
    };
}

pub(crate) use generated_api;
