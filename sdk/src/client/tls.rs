//! The TLS settings of every connection the client opens, HTTP ([`super::DexClient`]) and
//! WebSocket ([`super::stream::DexStream`]): rustls with the *ring* crypto provider and the
//! platform's certificate verifier, TLS 1.2 and 1.3.
//!
//! The provider is named here, not taken from rustls's process-wide default: reqwest is built
//! without a provider of its own and would panic building a client when no default is installed,
//! and an embedder's program (or a test) need not install one. *ring* rather than aws-lc-rs
//! (reqwest's default) because aws-lc-rs is a large C/CMake build, the longest single unit of a
//! fresh clone's build.

use std::sync::Arc;

use rustls_platform_verifier::BuilderVerifierExt;

/// The ALPN protocol of the HTTP client: HTTP/1.1 only (reqwest is built without HTTP/2), as
/// reqwest itself offers when it builds the TLS config.
pub(crate) const HTTP1: &[u8] = b"http/1.1";

/// A rustls client config offering `alpn` (none for the WebSocket stream, whose upgrade is
/// HTTP/1.1 by definition). Fails only when the platform's root certificates cannot be loaded.
pub(crate) fn client_config(alpn: &[&[u8]]) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
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
