//! How a client connects: extra root certificates, a client identity (mutual TLS), a proxy,
//! the local address. permkit builds the HTTP client from these; its own rules (no redirect
//! followed by the HTTP library, timeouts, credentials only to the origin you named) stay
//! in force whatever is set here.

use crate::error::{Error, ErrorKind};
use std::fmt;
use std::net::IpAddr;

/// A root certificate to trust beside the platform's (a company CA, a test CA).
///
/// ```
/// # fn demo(pem: &[u8]) -> permkit::Result<()> {
/// let ca = permkit::Certificate::from_pem(pem)?;
/// // Every client builder has `.root_certificate(ca)` too.
/// let options = permkit::ClientOptions::default().with_root_certificate(ca);
/// # let _ = options;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub struct Certificate(reqwest::Certificate);

#[cfg(any(feature = "rustls", feature = "native-tls"))]
impl Certificate {
    /// A certificate from PEM (`-----BEGIN CERTIFICATE-----`). Fails with
    /// [`ErrorKind::InvalidRequest`] when the text holds none.
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                "not a PEM certificate",
            ));
        }
        reqwest::Certificate::from_pem(pem)
            .map(Certificate)
            .map_err(|_| Error::new(ErrorKind::InvalidRequest, "not a PEM certificate"))
    }

    /// A certificate from DER bytes.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        reqwest::Certificate::from_der(der)
            .map(Certificate)
            .map_err(|_| Error::new(ErrorKind::InvalidRequest, "not a DER certificate"))
    }
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Certificate(..)")
    }
}

/// A client certificate and its private key, for servers that ask for mutual TLS. Its
/// `Debug` never shows the key.
///
/// ```no_run
/// # fn demo() -> permkit::Result<()> {
/// // One PEM holding the PKCS #8 private key and the certificate chain.
/// let pem = std::fs::read("client.pem")?;
/// // Every client builder has `.identity(..)` too.
/// let options = permkit::ClientOptions::default()
///     .with_identity(permkit::ClientIdentity::from_pem(&pem)?);
/// # let _ = options;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub struct ClientIdentity(reqwest::Identity);

#[cfg(any(feature = "rustls", feature = "native-tls"))]
impl ClientIdentity {
    /// An identity from one PEM holding a private key (PKCS #8, PKCS #1 or SEC1) and at least
    /// one certificate. Fails with [`ErrorKind::InvalidRequest`] otherwise (the message never
    /// quotes the key).
    #[cfg(feature = "rustls")]
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        reqwest::Identity::from_pem(pem)
            .map(ClientIdentity)
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidRequest,
                    "not a PEM private key with its certificate",
                )
            })
    }

    /// An identity from a PEM certificate chain and a PEM PKCS #8 private key.
    #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
    pub fn from_pem_parts(certificates: &[u8], key: &[u8]) -> Result<Self, Error> {
        reqwest::Identity::from_pkcs8_pem(certificates, key)
            .map(ClientIdentity)
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidRequest,
                    "not a PEM certificate chain and PKCS #8 private key",
                )
            })
    }
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientIdentity([redacted])")
    }
}

/// Makes *ring* the process's rustls crypto provider unless one is installed already (by the
/// application, or by another library): reqwest, built without a provider of its own under the
/// `rustls` feature, takes the installed one. A provider installed by someone else in the
/// meantime wins, which is as good.
#[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
pub(crate) fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// What shapes the connection, kept in [`ClientOptions`](crate::ClientOptions).
#[derive(Clone, Debug, Default)]
pub(crate) struct Connection {
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub(crate) roots: Vec<Certificate>,
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub(crate) only_these_roots: bool,
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub(crate) identity: Option<ClientIdentity>,
    pub(crate) proxy: Option<ProxyUrl>,
    pub(crate) local_address: Option<IpAddr>,
}

/// A proxy URL, checked when it is set; its password (if any) never shows in `Debug`.
#[derive(Clone)]
pub(crate) struct ProxyUrl(pub(crate) reqwest::Url);

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}:{}",
            self.0.scheme(),
            self.0.host_str().unwrap_or_default(),
            self.0.port_or_known_default().unwrap_or_default()
        )
    }
}

impl ProxyUrl {
    /// A proxy for every request: `http://host:port` or `https://host:port` (credentials in
    /// the URL are sent to the proxy only).
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| Error::new(ErrorKind::InvalidRequest, "the proxy is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") || !parsed.has_host() {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                "the proxy must be an http or https URL with a host",
            ));
        }
        Ok(ProxyUrl(parsed))
    }
}

impl Connection {
    /// `builder` with these settings.
    pub(crate) fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, Error> {
        #[cfg(any(feature = "rustls", feature = "native-tls"))]
        {
            if self.only_these_roots {
                builder = builder.tls_certs_only(self.roots.iter().map(|c| c.0.clone()));
            } else {
                for root in &self.roots {
                    builder = builder.add_root_certificate(root.0.clone());
                }
            }
            if let Some(identity) = &self.identity {
                builder = builder.identity(identity.0.clone());
            }
        }
        if let Some(proxy) = &self.proxy {
            let proxy = reqwest::Proxy::all(proxy.0.as_str())
                .map_err(|_| Error::new(ErrorKind::InvalidRequest, "the proxy is not usable"))?;
            builder = builder.proxy(proxy);
        }
        if let Some(addr) = self.local_address {
            builder = builder.local_address(addr);
        }
        Ok(builder)
    }
}
