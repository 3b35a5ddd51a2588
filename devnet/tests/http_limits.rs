//! The devnet's HTTP limits (issue 13): idle connections cannot lock clients out, a half-sent
//! request head or body is cut off, a huge body is refused, and a fault delay is capped.

mod common;

use std::time::{Duration, Instant};

use common::*;
use dexlink_devnet::{DevnetConfig, Limits, spawn};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start_with(limits: Limits) -> dexlink_devnet::Running {
    spawn(DevnetConfig {
        limits,
        ..DevnetConfig::default()
    })
    .await
    .unwrap()
}

/// Reads until the server closes the connection (EOF or reset); a guard of 60 s turns a
/// connection that is never closed into a failure instead of a hang.
async fn read_until_closed(s: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        let mut chunk = [0u8; 4096];
        loop {
            match s.read(&mut chunk).await {
                Ok(0) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) => {
                    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
                    return;
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server never closed the connection");
    buf
}

async fn assert_answers(run: &dexlink_devnet::Running) {
    let info = client(run).node_info().await.unwrap();
    assert_eq!(info.node_info.network.as_str(), CHAIN);
}

#[tokio::test]
async fn two_hundred_idle_connections_do_not_lock_out_a_client() {
    // Issue 13: with `ulimit -n 128`, 200 idle connections stopped the node answering anyone.
    let run = start_with(Limits {
        max_connections: 16,
        // Long, so that it is the connection limit, not a timeout, that frees the slots.
        header_timeout: Duration::from_secs(600),
        ..Limits::default()
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(TcpStream::connect(run.addr).await.unwrap());
    }
    assert_answers(&run).await;
    // The node keeps at most 16 connections: the client's own, and the 15 youngest idle ones;
    // the 185 others were closed, oldest first.
    let closed = |s: &TcpStream| {
        let mut b = [0u8; 1];
        match s.try_read(&mut b) {
            Ok(0) => true,
            Ok(_) => panic!("an idle connection got data"),
            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
        }
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut flags = vec![false; idle.len()];
    while flags.iter().filter(|&&c| c).count() < 185 && Instant::now() < deadline {
        for (s, f) in idle.iter().zip(flags.iter_mut()) {
            *f = *f || closed(s);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first_open = flags.iter().position(|&c| !c).unwrap();
    assert_eq!(flags.iter().filter(|&&c| c).count(), 185);
    assert_eq!(first_open, 185, "not the oldest were closed");
    // Still answering, with the idle ones still there.
    assert_answers(&run).await;
    drop(idle);
    run.stop().await;
}

#[tokio::test]
async fn a_connection_that_sends_half_a_request_head_is_closed() {
    let run = start_with(Limits {
        header_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let mut s = TcpStream::connect(run.addr).await.unwrap();
    s.write_all(b"GET /api/v1/node-info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let got = read_until_closed(&mut s).await;
    assert_eq!(String::from_utf8_lossy(&got), "");
    // A connection that never sends anything is closed the same way.
    let mut quiet = TcpStream::connect(run.addr).await.unwrap();
    assert_eq!(read_until_closed(&mut quiet).await, b"");
    assert_answers(&run).await;
    run.stop().await;
}

#[tokio::test]
async fn a_request_head_dripped_a_byte_at_a_time_is_cut_off() {
    // The header timeout bounds the whole head, not the gap between bytes.
    let run = start_with(Limits {
        header_timeout: Duration::from_millis(500),
        ..Limits::default()
    })
    .await;
    let s = TcpStream::connect(run.addr).await.unwrap();
    let (mut r, mut w) = s.into_split();
    let head = format!(
        "GET /api/v1/node-info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: {}\r\n\r\n",
        "d".repeat(2_000)
    );
    let writer = tokio::spawn(async move {
        let mut sent = 0;
        for b in head.bytes() {
            if w.write_all(&[b]).await.is_err() {
                break;
            }
            sent += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        (sent, head.len())
    });
    let mut got = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(120), r.read_to_end(&mut got)).await;
    assert!(closed.is_ok(), "the dripping connection was never closed");
    let (sent, total) = writer.await.unwrap();
    assert!(sent < total, "the whole head got through ({sent} bytes)");
    assert_eq!(String::from_utf8_lossy(&got), "");
    assert_answers(&run).await;
    run.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let run = start_with(Limits {
        header_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let mut s = TcpStream::connect(run.addr).await.unwrap();
    s.write_all(b"GET /api/v1/markets HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let got = String::from_utf8(read_until_closed(&mut s).await).unwrap();
    // One complete answer, then the server closed the idle connection.
    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
    assert_eq!(got.matches("HTTP/1.1").count(), 1, "{got}");
    assert!(got.ends_with(']'), "{got}");
    run.stop().await;
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408() {
    let run = start_with(Limits {
        body_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let before = snapshot(&run);
    let mut s = TcpStream::connect(run.addr).await.unwrap();
    s.write_all(
        b"POST /devnet/faucet HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"addr",
    )
    .await
    .unwrap();
    let got = String::from_utf8(read_until_closed(&mut s).await).unwrap();
    assert!(got.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{got}");
    assert!(
        got.ends_with(
            r#"{"code":408,"message":"request body not received within the devnet's limit of 300 ms"}"#
        ),
        "{got}"
    );
    assert_eq!(snapshot(&run), before);
    assert_answers(&run).await;
    run.stop().await;
}

#[tokio::test]
async fn a_huge_body_gets_413_whether_or_not_its_length_is_declared() {
    let run = start_with(Limits {
        max_body_bytes: 4096,
        ..Limits::default()
    })
    .await;
    let before = snapshot(&run);
    let message = "request body larger than the devnet's limit of 4096 bytes";
    // Declared: refused without reading it.
    for path in [
        "/api/v1/broadcast",
        "/devnet/faucet",
        "/api/v1/link",
        "/devnet/faults",
    ] {
        let (status, v) = post(&run, path, "a".repeat(4097)).await;
        assert_eq!(status, 413, "{path}: {v}");
        assert_eq!(
            v,
            serde_json::json!({"code": 413, "message": message}),
            "{path}"
        );
    }
    // Exactly at the limit it is read (and refused for what it is, not its size).
    let (status, v) = post(&run, "/devnet/faucet", "a".repeat(4096)).await;
    assert_eq!(status, 400, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("body is not JSON"),
        "{v}"
    );
    // Chunked, no length: refused once the limit is passed.
    let mut s = TcpStream::connect(run.addr).await.unwrap();
    s.write_all(
        b"POST /devnet/faucet HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    .await
    .unwrap();
    let chunk = format!("800\r\n{}\r\n", "b".repeat(0x800));
    for _ in 0..3 {
        s.write_all(chunk.as_bytes()).await.unwrap();
    }
    let got = String::from_utf8(read_until_closed(&mut s).await).unwrap();
    assert!(
        got.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{got}"
    );
    assert!(got.contains(message), "{got}");
    assert_eq!(snapshot(&run), before);
    assert_answers(&run).await;
    run.stop().await;
}

#[tokio::test]
async fn the_default_body_limit_refuses_8_mib_with_413() {
    let run = start().await;
    let (status, v) = post(&run, "/devnet/faucet", "a".repeat(8 << 20)).await;
    assert_eq!(status, 413, "{v}");
    assert_eq!(
        v["message"],
        "request body larger than the devnet's limit of 1048576 bytes"
    );
    assert_answers(&run).await;
    run.stop().await;
}

#[tokio::test]
async fn a_fault_delay_above_the_cap_is_refused() {
    // Issue 13: `{"delay_ms": 18446744073709551615}` stalled every request.
    let run = start().await;
    let (status, v) = post(
        &run,
        "/devnet/faults",
        r#"{"delay_ms": 18446744073709551615}"#,
    )
    .await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(
        v,
        serde_json::json!({
            "code": 400,
            "message": "invalid faults: delay_ms 18446744073709551615 is above the cap of 60000 ms",
        })
    );
    let (status, v) = post(&run, "/devnet/faults", r#"{"delay_ms": 60001}"#).await;
    assert_eq!(status, 400, "{v}");
    // Nothing was set: the node answers at once.
    let (_, pending) = get(&run, "/devnet/faults").await;
    assert_eq!(pending["delay_ms"], 0);
    // The cap itself is accepted.
    let (status, v) = post(&run, "/devnet/faults", r#"{"delay_ms": 60000}"#).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["delay_ms"], 60000);
    let (status, _) = post(&run, "/devnet/faults", "{}").await;
    assert_eq!(status, 200);
    assert_answers(&run).await;
    run.stop().await;
}

#[tokio::test]
async fn limits_the_server_cannot_work_with_are_refused() {
    for (limits, needle) in [
        (
            Limits {
                max_connections: 0,
                ..Limits::default()
            },
            "connection limit must be at least 1",
        ),
        (
            Limits {
                header_timeout: Duration::ZERO,
                ..Limits::default()
            },
            "timeouts must be positive",
        ),
    ] {
        let err = match spawn(DevnetConfig {
            limits,
            ..DevnetConfig::default()
        })
        .await
        {
            Ok(_) => panic!("accepted"),
            Err(e) => e,
        };
        assert!(
            matches!(err, dexlink_devnet::DevnetError::Config(_)),
            "{err}"
        );
        assert!(err.to_string().contains(needle), "{err}");
    }
}
