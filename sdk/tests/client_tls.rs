//! A TLS failure is its own error, distinct from an unreachable DEX: here an `https://` DEX
//! whose server does not speak TLS (it answers the handshake with plain HTTP).

use std::io::{Read, Write};
use std::net::TcpListener;

use dexlink::client::{ClientConfig, ClientError, DexClient};

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
