//! The TLS settings of every connection the client opens, HTTP ([`super::DexClient`]) and
//! WebSocket ([`super::stream::DexStream`]): rustls with the *ring* crypto provider and the
//! platform's certificate verifier, TLS 1.2 and 1.3.
//!
//! The provider is named here, not taken from rustls's process-wide default: reqwest is built
//! without a provider of its own and would panic building a client when no default is installed,
//! and an embedder's program (or a test) need not install one. *ring* rather than aws-lc-rs
//! (reqwest's default) because aws-lc-rs is a large C/CMake build, the longest single unit of a
//! fresh clone's build.

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// A certificate trusted as a root in addition to the platform's (for a DEX whose certificate
/// comes from a private CA, or a self-signed one): give it in [`super::ClientConfig`] and
/// [`super::stream::StreamConfig`]. The CLI has no flag for it: there, `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` replace the platform's roots on Linux and the BSDs.
#[derive(Clone, PartialEq, Eq)]
pub struct TrustedRoot(CertificateDer<'static>);

impl TrustedRoot {
    /// A certificate in DER. It is parsed when a client is built: one that is not a certificate
    /// makes that fail ([`super::ClientError::Tls`], [`super::stream::StreamError::Tls`]).
    pub fn from_der(der: impl Into<Vec<u8>>) -> Self {
        Self(CertificateDer::from(der.into()))
    }

    /// Every certificate of a PEM text (`-----BEGIN CERTIFICATE-----` blocks; other blocks are
    /// skipped). Fails when the text holds no certificate or a malformed block.
    pub fn from_pem(pem: &[u8]) -> Result<Vec<Self>, PemError> {
        let roots = CertificateDer::pem_slice_iter(pem)
            .map(|c| c.map(Self).map_err(|e| PemError(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        if roots.is_empty() {
            return Err(PemError("no CERTIFICATE block".into()));
        }
        Ok(roots)
    }

    /// The certificate's DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for TrustedRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustedRoot({} bytes of DER)", self.0.len())
    }
}

/// A PEM text that yields no certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read certificates from the PEM text: {0}")]
pub struct PemError(String);

/// The ALPN protocol of the HTTP client: HTTP/1.1 only (reqwest is built without HTTP/2), as
/// reqwest itself offers when it builds the TLS config.
pub(crate) const HTTP1: &[u8] = b"http/1.1";

/// A rustls client config offering `alpn` (none for the WebSocket stream, whose upgrade is
/// HTTP/1.1 by definition) that trusts the platform's roots and `extra` ones. Fails when no
/// root certificate can be loaded or an extra one is not a certificate.
pub(crate) fn client_config(
    alpn: &[&[u8]],
    extra: &[TrustedRoot],
) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    #[cfg(not(target_os = "android"))]
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
        extra.iter().map(|r| r.0.clone()),
        provider,
    )?;
    #[cfg(target_os = "android")]
    let verifier = if extra.is_empty() {
        rustls_platform_verifier::Verifier::new(provider)?
    } else {
        return Err(rustls::Error::General(
            "extra root certificates are not supported on Android".into(),
        ));
    };
    // What the platform verifier's own `with_platform_verifier` does, with the extra roots.
    let mut config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

/// A config that trusts no certificate, for a client that only speaks plain http (to this
/// machine): building it reads no root certificates, and a TLS handshake with it always fails.
pub(crate) fn no_roots_config(alpn: &[&[u8]]) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config
}
