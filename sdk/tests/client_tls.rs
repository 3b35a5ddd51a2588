//! A TLS failure is its own error, distinct from an unreachable DEX: here an `https://` DEX
//! whose server does not speak TLS (it answers the handshake with plain HTTP), and a real rustls
//! server whose self-signed certificate the clients (HTTP and stream) refuse.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use dexlink::client::stream::{DexStream, StreamConfig, StreamError};
use dexlink::client::{ClientConfig, ClientError, DexClient};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A throwaway self-signed P-256 certificate for 127.0.0.1 and localhost (valid to 2126), made
/// with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
/// -subj "/CN=dexlink test server" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -addext
/// "basicConstraints=critical,CA:FALSE"` (a leaf: rustls refuses a CA certificate as a server's
/// own for another reason), and its key (PKCS#8). No platform root store holds it.
const CERT: &[u8] = include_bytes!("data/self_signed_cert.der");
const KEY: &[u8] = include_bytes!("data/self_signed_key.der");

/// The same certificate in PEM (`openssl x509 -inform der -in self_signed_cert.der`).
const CERT_PEM: &[u8] = include_bytes!("data/self_signed_cert.pem");

/// A rustls server config (ring) presenting [`CERT`].
fn server_config() -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(CERT)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY)),
        )
        .unwrap();
    Arc::new(config)
}

/// A TLS connection as the test servers see it.
type Tls = rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>;

/// A TLS server on loopback (rustls, ring) presenting [`CERT`]: each connection is handed to
/// `serve`, whose report is sent on the channel.
fn tls_server(serve: fn(Tls) -> String) -> (u16, mpsc::Receiver<String>) {
    let config = server_config();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            if tx.send(serve(rustls::StreamOwned::new(conn, tcp))).is_err() {
                return;
            }
        }
    });
    (port, rx)
}

/// Reports how each connection's handshake ended, from the server's side.
fn self_signed_server() -> (u16, mpsc::Receiver<String>) {
    tls_server(|mut tls| {
        loop {
            match tls.conn.complete_io(&mut tls.sock) {
                Err(e) => break e.to_string(),
                Ok(_) if !tls.conn.is_handshaking() => break "handshake completed".to_string(),
                Ok((0, 0)) => break "closed during the handshake".to_string(),
                Ok(_) => {}
            }
        }
    })
}

#[tokio::test]
async fn a_certificate_no_root_vouches_for_is_refused_by_the_http_client() {
    let (port, handshakes) = self_signed_server();
    let url = format!("https://127.0.0.1:{port}");
    let client = DexClient::new(&url, &ClientConfig::default()).unwrap();
    let err = client.chain_id().await.unwrap_err();
    assert!(matches!(err, ClientError::Tls { .. }), "{err:?}");
    // rustls's words for a chain that ends at no trusted root.
    assert_eq!(
        err.to_string(),
        format!(
            "TLS failure talking to {url}/api/v1/node-info: invalid peer certificate: \
             UnknownIssuer; check that the URL is the DEX's https:// address and that its \
             certificate is valid"
        )
    );
    // The handshake reached the certificate (so the key exchange and the decryption of the
    // server's encrypted handshake ran on the client's provider), and the client said why.
    assert_eq!(
        handshakes.recv_timeout(Duration::from_secs(10)).unwrap(),
        "received fatal alert: UnknownCA"
    );
    // Building the client needed no process-wide provider, and installed none.
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}

#[tokio::test]
async fn a_certificate_no_root_vouches_for_is_refused_by_the_stream_client() {
    let (port, handshakes) = self_signed_server();
    let err = DexStream::connect(
        &format!("https://127.0.0.1:{port}"),
        &StreamConfig::default(),
    )
    .await
    .unwrap_err();
    let StreamError::Tls { url, reason } = &err else {
        panic!("{err:?}");
    };
    assert!(
        url.starts_with(&format!("wss://127.0.0.1:{port}/")),
        "{url}"
    );
    // rustls's words (tokio-rustls hands them to tungstenite inside an io::Error).
    assert_eq!(reason, "invalid peer certificate: UnknownIssuer");
    assert!(
        err.to_string().ends_with(
            "check that the URL is the DEX's https:// address and that its certificate is valid"
        ),
        "{err}"
    );
    assert_eq!(
        handshakes.recv_timeout(Duration::from_secs(10)).unwrap(),
        "received fatal alert: UnknownCA"
    );
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}

#[tokio::test]
async fn a_server_that_does_not_speak_tls_is_a_tls_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        }
    });
    let err = DexStream::connect(
        &format!("https://127.0.0.1:{port}"),
        &StreamConfig::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, StreamError::Tls { reason, .. } if reason.contains("corrupt message")),
        "{err:?}"
    );
    let client = DexClient::new(
        &format!("https://127.0.0.1:{port}"),
        &ClientConfig::default(),
    )
    .unwrap();
    let err = client.chain_id().await.unwrap_err();
    assert!(matches!(err, ClientError::Tls { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("TLS failure"), "{text}");
    // The innermost cause, not the outer "client error (Connect)".
    assert!(text.contains("corrupt message"), "{text}");
}

#[tokio::test]
async fn nothing_listening_is_unreachable_not_tls() {
    // Bind then drop: the port is (almost certainly) closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = DexClient::new(
        &format!("https://127.0.0.1:{port}"),
        &ClientConfig::default(),
    )
    .unwrap();
    let err = client.chain_id().await.unwrap_err();
    assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("refused"), "{err}");
}

/// The JSON every request to [`https_server`] is answered with (a `/api/v1/time` answer).
const TIME_BODY: &str =
    r#"{"ap_time":"2019-01-21T10:30:00Z","block_time":"2019-01-21T10:29:59.5Z"}"#;

/// An HTTPS server answering each request with [`TIME_BODY`]; reports the request line.
fn https_server() -> (u16, mpsc::Receiver<String>) {
    tls_server(|mut tls| {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match tls.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => break,
            }
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{TIME_BODY}",
            TIME_BODY.len()
        );
        let _ = tls.write_all(answer.as_bytes());
        tls.conn.send_close_notify();
        let _ = tls.flush();
        let head = String::from_utf8_lossy(&head);
        head.lines().next().unwrap_or("").to_string()
    })
}

/// A WebSocket server over TLS: accepts the upgrade, reads (answering pings) until the client
/// goes, and reports "upgraded" or why the upgrade failed.
fn wss_server() -> (u16, mpsc::Receiver<String>) {
    tls_server(|tls| match tokio_tungstenite::tungstenite::accept(tls) {
        Ok(mut ws) => {
            while ws.read().is_ok() {}
            "upgraded".to_string()
        }
        Err(e) => e.to_string(),
    })
}

#[tokio::test]
async fn a_certificate_given_as_an_extra_root_is_trusted_by_both_clients() {
    // The same self-signed certificate the tests above see refused, now trusted: the
    // handshake completes, the request is answered, and the stream opens and syncs. The
    // platform's roots stay trusted alongside it (nothing here replaces them).
    let roots = dexlink::client::TrustedRoot::from_pem(CERT_PEM).unwrap();
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0].der(), CERT);

    let (port, requests) = https_server();
    let config = ClientConfig {
        extra_roots: roots.clone(),
        ..ClientConfig::default()
    };
    let client = DexClient::new(&format!("https://127.0.0.1:{port}"), &config).unwrap();
    let time = client.time().await.unwrap();
    assert_eq!(time.ap_time_ms, 1_548_066_600_000);
    assert_eq!(
        requests.recv_timeout(Duration::from_secs(10)).unwrap(),
        "GET /api/v1/time HTTP/1.1"
    );

    let (port, upgrades) = wss_server();
    let config = StreamConfig {
        extra_roots: roots,
        ..StreamConfig::default()
    };
    let mut stream = DexStream::connect(&format!("https://127.0.0.1:{port}"), &config)
        .await
        .unwrap();
    stream.sync().await.unwrap();
    drop(stream);
    // Reported once the client has gone.
    assert_eq!(
        upgrades.recv_timeout(Duration::from_secs(10)).unwrap(),
        "upgraded"
    );
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}

#[test]
fn pem_without_a_certificate_and_a_root_that_is_no_certificate_are_errors() {
    use dexlink::client::TrustedRoot;
    assert_eq!(
        TrustedRoot::from_pem(b"not pem at all")
            .unwrap_err()
            .to_string(),
        "cannot read certificates from the PEM text: no CERTIFICATE block"
    );
    let broken = b"-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n";
    assert!(TrustedRoot::from_pem(broken).is_err());
    let config = ClientConfig {
        extra_roots: vec![TrustedRoot::from_der(b"junk".to_vec())],
        ..ClientConfig::default()
    };
    let err = DexClient::new("https://dex.example", &config).unwrap_err();
    assert!(matches!(err, ClientError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot set up TLS"), "{err}");
}
