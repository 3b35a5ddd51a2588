//! The client bounds what a DEX can make it hold or wait for: a body past the size limit is a
//! typed error (declared or streamed), and one exchange has a deadline even when the server
//! keeps trickling bytes.

mod mock;

use std::time::Duration;

use dexlink::client::{ClientError, MAX_RESPONSE_BYTES};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// A raw HTTP server whose every answer is written by `answer` on the open socket.
async fn raw_server<F, Fut>(answer: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
                answer(s).await;
            });
        }
    });
    url
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    let url = raw_server(|mut s| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b' '; 64 * 1024];
        while s.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let client = mock::client(&url, 20_000, 0).with_max_response_bytes(1024 * 1024);
    let err = client.node_info().await.unwrap_err();
    match &err {
        ClientError::ResponseTooLarge { url: u, limit } => {
            assert_eq!(*limit, 1024 * 1024);
            assert_eq!(u, &format!("{url}/api/v1/node-info"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "the DEX at {url}/api/v1/node-info sent a response larger than 1048576 bytes, the client's limit"
        )
    );
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let url = raw_server(|mut s| async move {
        let _ = s
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9000000000\r\n\r\n{}",
            )
            .await;
        // Hold the connection open: only the declared length may end the call.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let err = mock::client(&url, 20_000, 0).node_info().await.unwrap_err();
    assert!(
        matches!(err, ClientError::ResponseTooLarge { limit, .. } if limit == MAX_RESPONSE_BYTES),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_trickling_body_hits_the_exchange_deadline() {
    // One byte every 50 ms: no single read is slow, the whole exchange is.
    let url = raw_server(|mut s| async move {
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        loop {
            if s.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let err = mock::client(&url, 500, 0).node_info().await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Timeout(u) if *u == format!("{url}/api/v1/node-info")),
        "{err:?}"
    );
}
