//! Test helpers for the kube side, shared by the unit tests (`watch`, `discovery`) and the
//! integration tests and benches (`tests/hostile/api_server.rs`): the head of an HTTP/1.1
//! request, read by the small raw servers that play a hostile or slow API server.
//!
//! Public rather than `#[cfg(test)]` for the reason `git::test_support` gives: the integration
//! tests and benches are other crates and reach only public items. The binary never calls it.

use tokio::io::{AsyncRead, AsyncReadExt};

/// The request line of one HTTP/1.1 request, split as a test server wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    /// The target's path, without the query.
    pub path: String,
    /// The query (after `?`), empty when there is none.
    pub query: String,
}

impl RequestHead {
    /// Whether the query asks for a watch (`watch=true` or `watch=1`), as kube-rs asks.
    pub fn watching(&self) -> bool {
        self.query
            .split('&')
            .any(|p| p == "watch=true" || p == "watch=1")
    }
}

/// The longest head read: a test client's heads are far smaller; past it the request is dropped.
const MAX_HEAD: usize = 64 << 10;

/// Reads one request's head, up to its blank line, a byte at a time (nothing of what follows
/// is taken from the connection). `None` when the connection closes first or the head is over
/// 64 KB.
pub async fn read_head<R: AsyncRead + Unpin>(conn: &mut R) -> Option<RequestHead> {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > MAX_HEAD || conn.read(&mut b).await.unwrap_or(0) == 0 {
            return None;
        }
        head.push(b[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut line = head.split("\r\n").next().unwrap_or("").split(' ');
    let method = line.next().unwrap_or("").to_string();
    let target = line.next().unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Some(RequestHead {
        method,
        path: path.to_string(),
        query: query.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_head_is_split_and_what_follows_it_is_left_unread() {
        let mut input: &[u8] =
            b"GET /api/v1/nodes?watch=1&resourceVersion=5 HTTP/1.1\r\nHost: x\r\n\r\nBODY";
        let head = read_head(&mut input).await.unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.path, "/api/v1/nodes");
        assert_eq!(head.query, "watch=1&resourceVersion=5");
        assert!(head.watching());
        assert_eq!(input, b"BODY");
        let mut input: &[u8] = b"GET /api/v1 HTTP/1.1\r\n\r\n";
        let head = read_head(&mut input).await.unwrap();
        assert_eq!((head.path.as_str(), head.query.as_str()), ("/api/v1", ""));
        assert!(!head.watching());
        // Closed before the blank line; a head that never ends.
        assert_eq!(read_head(&mut &b"GET / HTTP/1.1\r\n"[..]).await, None);
        let endless = vec![b'x'; MAX_HEAD + 10];
        assert_eq!(read_head(&mut &endless[..]).await, None);
    }
}
