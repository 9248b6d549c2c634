//! Bounds on what one answer can make the console hold, and for how long it may keep it
//! waiting. kube-rs buffers a whole answer and each watch event without a bound, and waits on a
//! trickling server for ever. Every request through [`client`] is classed by its URL:
//!
//! - a **watch** (`watch=true`): no event (one line) may exceed `max_answer`, nor take longer
//!   than `slow` once its first byte came; a watch that sends no complete line (no event, no
//!   bookmark) for its own `timeoutSeconds` plus `slow` is silent past the point a working
//!   server would have ended it. A healthy watch may run for ever.
//! - a **stream** (a Pod's log, exec, attach, port-forward, proxy): only the line bound (a log
//!   may idle, or draw a progress bar without a newline, for as long as it likes).
//! - any other answer (a list page, a get, discovery): at most `max_answer` bytes in all (an
//!   announced `Content-Length` over it is refused before reading), and all of it within `slow`
//!   of its headers.
//!
//! Past a bound the body ends with a [`Refusal`] saying which and by how much ("answer too
//! large: 200 MB > 64 MB cap", "server too slow: 12 bytes in 60 s"); the watch task marks its
//! kind failed with it and retries with backoff, and every other kind goes on. The bounds come
//! from `[limits]` (`max_answer_mb`, `slow_answer_secs`) through [`set`].

use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};
use tower::{BoxError, Layer, Service};

/// The default cap: far above any real object or list page (a page of 500 Nodes is ~1.3 MB;
/// an object with 100,000 conditions ~12 MB), far below what would hurt.
pub const DEFAULT_LIMIT: usize = 64 * 1024 * 1024;

/// The default time one answer, or one watch event once begun, may take.
pub const DEFAULT_SLOW: Duration = Duration::from_secs(60);

/// What one answer may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Most bytes of one answer or one watch event.
    pub max_answer: usize,
    /// Longest time one answer (from its headers), or one watch event (from its first byte),
    /// may take; also the grace a silent watch gets past its `timeoutSeconds`.
    pub slow: Duration,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_answer: DEFAULT_LIMIT,
            slow: DEFAULT_SLOW,
        }
    }
}

static CURRENT: Mutex<Bounds> = Mutex::new(Bounds {
    max_answer: DEFAULT_LIMIT,
    slow: DEFAULT_SLOW,
});

/// Sets the bounds of the clients made from now on (`[limits]`, at boot).
pub fn set(bounds: Bounds) {
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = bounds;
}

/// The bounds [`set`] last (the defaults before).
pub fn current() -> Bounds {
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why an answer was not read further.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Over the cap: announced (`Some(length)`) or counted.
    TooLarge {
        announced: Option<u64>,
        cap: usize,
        event: bool,
    },
    /// `bytes` came in `secs` without completing the answer or event.
    TooSlow { bytes: usize, secs: f64 },
    /// A watch sent no complete line for `secs` (it was asked to end after `asked`).
    Silent { secs: f64, asked: u64 },
}

fn mb(bytes: f64) -> String {
    let mb = bytes / (1024.0 * 1024.0);
    if mb >= 10.0 || mb.fract() == 0.0 {
        format!("{mb:.0}")
    } else {
        format!("{mb:.1}")
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooLarge {
                announced: Some(n),
                cap,
                ..
            } => write!(
                f,
                "answer too large: {} MB > {} MB cap ([limits] max_answer_mb)",
                mb(*n as f64),
                mb(*cap as f64)
            ),
            Refusal::TooLarge {
                announced: None,
                cap,
                event,
            } => write!(
                f,
                "{} too large: over the {} MB cap ([limits] max_answer_mb)",
                if *event { "watch event" } else { "answer" },
                mb(*cap as f64)
            ),
            Refusal::TooSlow { bytes, secs } => write!(
                f,
                "server too slow: {bytes} bytes in {secs:.0} s ([limits] slow_answer_secs)"
            ),
            Refusal::Silent { secs, asked } => write!(
                f,
                "server silent: no event or bookmark in {secs:.0} s (the watch was to end after {asked} s)"
            ),
        }
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    /// The refusal somewhere in `e`'s chain: as itself, or inside an `io::Error` (as kube-rs
    /// wraps a watch body's error, whose `source` skips it).
    pub fn find<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refusal> {
        let mut cur = Some(e);
        while let Some(e) = cur {
            if let Some(r) = e.downcast_ref::<Refusal>() {
                return Some(r);
            }
            if let Some(r) = e
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<Refusal>())
            {
                return Some(r);
            }
            cur = e.source();
        }
        None
    }

    /// A watch that stalled or went silent (the server may recover; a restart is worth one
    /// try before the kind is marked).
    pub fn is_stall(&self) -> bool {
        matches!(self, Refusal::TooSlow { .. } | Refusal::Silent { .. })
    }
}

/// How a request's answer is bounded (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A watch asked to end after this many seconds (`None`: not said).
    Watch(Option<u64>),
    Stream,
    Whole,
}

fn class_of(uri: &http::Uri) -> Class {
    let query = uri.query().unwrap_or("");
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
    };
    if matches!(param("watch"), Some("true" | "1")) {
        return Class::Watch(param("timeoutSeconds").and_then(|t| t.parse().ok()));
    }
    let path = uri.path();
    let streams = ["/log", "/exec", "/attach", "/portforward"];
    if streams.iter().any(|s| path.ends_with(s)) || path.contains("/proxy") {
        Class::Stream
    } else {
        Class::Whole
    }
}

#[derive(Debug, Clone, Copy)]
pub struct LineLimit(pub Bounds);

impl<S> Layer<S> for LineLimit {
    type Service = LineLimited<S>;
    fn layer(&self, inner: S) -> LineLimited<S> {
        LineLimited {
            inner,
            bounds: self.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LineLimited<S> {
    inner: S,
    bounds: Bounds,
}

impl<S, B, ReqB> Service<http::Request<ReqB>> for LineLimited<S>
where
    S: Service<http::Request<ReqB>, Response = http::Response<B>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Guarded<B>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<ReqB>) -> Self::Future {
        let bounds = self.bounds;
        let class = class_of(req.uri());
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            let announced = resp
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            Ok(resp.map(|body| Guarded::new(body, bounds, class, announced)))
        })
    }
}

/// A body that fails past its bounds (see the module).
pub struct Guarded<B> {
    inner: B,
    bounds: Bounds,
    class: Class,
    /// Refused before reading (an announced length over the cap).
    refused: Option<Refusal>,
    /// A bound was passed: nothing more is read.
    failed: bool,
    since_newline: usize,
    total: usize,
    /// When the answer, the event under way, or the watch's silence runs out.
    timer: Option<Pin<Box<Sleep>>>,
    /// Since when the timer counts.
    since: Instant,
}

impl<B> Guarded<B> {
    fn new(inner: B, bounds: Bounds, class: Class, announced: Option<u64>) -> Self {
        let refused = match (class, announced) {
            (Class::Whole | Class::Watch(_), Some(n)) if n > bounds.max_answer as u64 => {
                Some(Refusal::TooLarge {
                    announced: Some(n),
                    cap: bounds.max_answer,
                    event: false,
                })
            }
            _ => None,
        };
        let now = Instant::now();
        let timer = match class {
            Class::Whole => Some(Box::pin(tokio::time::sleep(bounds.slow))),
            Class::Watch(Some(asked)) => Some(Box::pin(tokio::time::sleep(
                Duration::from_secs(asked) + bounds.slow,
            ))),
            Class::Watch(None) | Class::Stream => None,
        };
        Guarded {
            inner,
            bounds,
            class,
            refused,
            failed: false,
            since_newline: 0,
            total: 0,
            timer,
            since: now,
        }
    }

    /// Counts a chunk; the refusal if it passes a bound.
    fn count(&mut self, data: &[u8]) -> Option<Refusal> {
        let limit = self.bounds.max_answer;
        self.total += data.len();
        let whole = self.class == Class::Whole;
        if whole {
            // A whole answer is bounded in all: no line in it can pass the cap before the
            // answer does, so its bytes are not searched for newlines (a list page of 500
            // Nodes is one 1.3 MB line).
            if self.total > limit {
                return Some(Refusal::TooLarge {
                    announced: None,
                    cap: limit,
                    event: false,
                });
            }
            return None;
        }
        let line_was_open = self.since_newline > 0;
        // The line running on from earlier chunks ends at this chunk's first newline (if
        // any); the rest of the chunk starts after its last one. memchr searches a word (or a
        // vector register) at a time: a byte-by-byte search was the top sample of the list's
        // profile, and a watch's initial events (`sendInitialEvents`) are as many bytes.
        let (over, completed) = match memchr::memchr(b'\n', data) {
            Some(first) => {
                let last = memchr::memrchr(b'\n', data).unwrap_or(first);
                let ran = self.since_newline + first;
                self.since_newline = data.len() - last - 1;
                (ran > limit || self.since_newline > limit, true)
            }
            None => {
                self.since_newline += data.len();
                (self.since_newline > limit, false)
            }
        };
        if over {
            return Some(Refusal::TooLarge {
                announced: None,
                cap: limit,
                event: matches!(self.class, Class::Watch(_)),
            });
        }
        if let Class::Watch(asked) = self.class {
            // An event under way must end within `slow` of its first byte; after a complete
            // one, the watch may be silent until it was to end (plus `slow`).
            let now = Instant::now();
            if self.since_newline > 0 && (completed || !line_was_open) {
                self.arm(now, self.bounds.slow);
            } else if completed {
                match asked {
                    Some(asked) => self.arm(now, Duration::from_secs(asked) + self.bounds.slow),
                    None => self.timer = None,
                }
            }
        }
        None
    }

    fn arm(&mut self, now: Instant, after: Duration) {
        self.since = now;
        match &mut self.timer {
            Some(t) => t.as_mut().reset(now + after),
            None => self.timer = Some(Box::pin(tokio::time::sleep_until(now + after))),
        }
    }

    /// What running out of time means now.
    fn expired(&self) -> Refusal {
        let secs = self.since.elapsed().as_secs_f64();
        match self.class {
            Class::Watch(Some(asked)) if self.since_newline == 0 => Refusal::Silent { secs, asked },
            Class::Watch(_) => Refusal::TooSlow {
                bytes: self.since_newline,
                secs,
            },
            Class::Whole | Class::Stream => Refusal::TooSlow {
                bytes: self.total,
                secs,
            },
        }
    }
}

impl<B> Body for Guarded<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.failed {
            return Poll::Ready(None);
        }
        let refusal = match this.refused.take() {
            Some(r) => r,
            None => match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    match frame.data_ref().and_then(|d| this.count(d)) {
                        Some(r) => r,
                        // A server fast enough to be always ready is still held to its time.
                        None if this
                            .timer
                            .as_ref()
                            .is_some_and(|t| t.deadline() <= Instant::now()) =>
                        {
                            this.expired()
                        }
                        None => return Poll::Ready(Some(Ok(frame))),
                    }
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => {
                    let due = this
                        .timer
                        .as_mut()
                        .is_some_and(|t| t.as_mut().poll(cx).is_ready());
                    if !due {
                        return Poll::Pending;
                    }
                    this.expired()
                }
            },
        };
        // Refused once; the body ends after the error, the rest unread.
        this.failed = true;
        this.timer = None;
        Poll::Ready(Some(Err(refusal.into())))
    }

    fn is_end_stream(&self) -> bool {
        self.failed || (self.refused.is_none() && self.inner.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A client for `config` whose answers are held to `bounds` (see the module).
pub fn client(config: kube::Config, bounds: Bounds) -> Result<kube::Client, kube::Error> {
    Ok(kube::client::ClientBuilder::try_from(config)?
        .with_layer(&LineLimit(bounds))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};

    type Chunks = std::pin::Pin<
        Box<dyn futures::Stream<Item = Result<Frame<Bytes>, std::convert::Infallible>> + Send>,
    >;

    /// `chunks`, each after `every`.
    fn paced(chunks: Vec<&'static [u8]>, every: Duration) -> StreamBody<Chunks> {
        let s = futures::stream::iter(chunks).then(move |c| async move {
            tokio::time::sleep(every).await;
            Ok(Frame::data(Bytes::from_static(c)))
        });
        StreamBody::new(Box::pin(s))
    }

    fn bounds(max_answer: usize, slow_ms: u64) -> Bounds {
        Bounds {
            max_answer,
            slow: Duration::from_millis(slow_ms),
        }
    }

    async fn read(body: Guarded<StreamBody<Chunks>>) -> Result<usize, String> {
        body.collect()
            .await
            .map(|b| b.to_bytes().len())
            .map_err(|e| e.to_string())
    }

    use futures::StreamExt;

    #[tokio::test]
    async fn watch_events_are_bounded_one_by_one() {
        let watch = Class::Watch(Some(290));
        let b = bounds(10, 60_000);
        // Lines of 6 bytes, 60 bytes in all, limit 10: fine.
        let ok = Guarded::new(paced(vec![b"event\n"; 10], Duration::ZERO), b, watch, None);
        assert_eq!(read(ok).await, Ok(60));
        // A line split over chunks is counted across them.
        let long = Guarded::new(
            paced(vec![b"aaaa", b"aaaa", b"aaa\nb"], Duration::ZERO),
            b,
            watch,
            None,
        );
        let err = read(long).await.unwrap_err();
        assert!(
            err.starts_with("watch event too large: over the 0"),
            "{err}"
        );
        // The count restarts after each newline, within a chunk too.
        let mixed = Guarded::new(
            paced(vec![b"aaaaaaaa\naaaaaaaa", b"\naaaaaaaaa"], Duration::ZERO),
            b,
            watch,
            None,
        );
        assert!(read(mixed).await.is_ok());
    }

    /// A list pretty-printed (a newline every few bytes) is still one answer: its total is
    /// capped, and a length announced over the cap is refused before a byte is read.
    #[tokio::test]
    async fn an_answer_is_capped_in_all_and_an_announced_length_before_reading() {
        let mb = 1024 * 1024;
        let line: &'static [u8] = Box::leak(vec![b'x'; 64 * 1024 - 1].into_boxed_slice());
        let lines: Vec<&'static [u8]> = (0..40).flat_map(|_| [line, b"\n"]).collect();
        let body = Guarded::new(
            paced(lines.clone(), Duration::ZERO),
            bounds(mb, 60_000),
            Class::Whole,
            None,
        );
        let err = read(body).await.unwrap_err();
        assert_eq!(
            err,
            "answer too large: over the 1 MB cap ([limits] max_answer_mb)"
        );
        // The same lines as a watch: each event is small, all pass.
        let body = Guarded::new(
            paced(lines, Duration::ZERO),
            bounds(mb, 60_000),
            Class::Watch(Some(290)),
            None,
        );
        assert_eq!(read(body).await, Ok(40 * 64 * 1024));
        let body = Guarded::new(
            paced(vec![b"never read"], Duration::from_secs(3600)),
            bounds(64 * mb, 60_000),
            Class::Whole,
            Some(200 * mb as u64),
        );
        let err = read(body).await.unwrap_err();
        assert_eq!(
            err,
            "answer too large: 200 MB > 64 MB cap ([limits] max_answer_mb)"
        );
    }

    #[tokio::test]
    async fn a_trickling_answer_or_event_is_too_slow_a_paced_watch_is_not() {
        let trickle = vec![b"{" as &[u8]; 1000];
        let body = Guarded::new(
            paced(trickle.clone(), Duration::from_millis(20)),
            bounds(DEFAULT_LIMIT, 300),
            Class::Whole,
            None,
        );
        let err = read(body).await.unwrap_err();
        assert!(err.starts_with("server too slow: "), "{err}");
        assert!(
            err.ends_with("bytes in 0 s ([limits] slow_answer_secs)"),
            "{err}"
        );
        let body = Guarded::new(
            paced(trickle, Duration::from_millis(20)),
            bounds(DEFAULT_LIMIT, 300),
            Class::Watch(Some(290)),
            None,
        );
        assert!(
            read(body)
                .await
                .unwrap_err()
                .starts_with("server too slow: ")
        );
        // Whole events every 100 ms for a second, each under the 300 ms: a healthy watch.
        let body = Guarded::new(
            paced(
                vec![b"{\"type\":\"ADDED\"}\n"; 10],
                Duration::from_millis(100),
            ),
            bounds(DEFAULT_LIMIT, 300),
            Class::Watch(Some(0)),
            None,
        );
        assert!(read(body).await.is_ok());
        // A log may idle: no timer at all.
        let body = Guarded::new(
            paced(vec![b"tick"; 3], Duration::from_millis(200)),
            bounds(DEFAULT_LIMIT, 100),
            Class::Stream,
            None,
        );
        assert_eq!(read(body).await, Ok(12));
    }

    #[tokio::test]
    async fn a_watch_silent_past_its_own_timeout_is_refused() {
        let body = Guarded::new(
            paced(vec![b"{}\n"], Duration::from_secs(3600)),
            bounds(DEFAULT_LIMIT, 200),
            Class::Watch(Some(0)),
            None,
        );
        let err = read(body).await.unwrap_err();
        assert!(
            err.starts_with("server silent: no event or bookmark in 0 s"),
            "{err}"
        );
        assert!(err.ends_with("(the watch was to end after 0 s)"), "{err}");
    }

    #[test]
    fn requests_are_classed_by_their_url() {
        let class = |u: &str| class_of(&u.parse().unwrap());
        assert_eq!(
            class("/api/v1/pods?&watch=true&timeoutSeconds=290&allowWatchBookmarks=true"),
            Class::Watch(Some(290))
        );
        assert_eq!(class("/api/v1/pods?watch=1"), Class::Watch(None));
        assert_eq!(class("/api/v1/pods?limit=500"), Class::Whole);
        assert_eq!(class("/api/v1/pods?watch=false"), Class::Whole);
        assert_eq!(
            class("/api/v1/namespaces/a/pods/b/log?follow=true"),
            Class::Stream
        );
        assert_eq!(
            class("/api/v1/namespaces/a/pods/b/exec?command=sh"),
            Class::Stream
        );
        assert_eq!(
            class("/api/v1/namespaces/a/services/b/proxy/metrics"),
            Class::Stream
        );
    }

    #[test]
    fn a_refusal_is_found_inside_an_io_error() {
        let r = Refusal::TooSlow {
            bytes: 12,
            secs: 60.0,
        };
        assert_eq!(
            r.to_string(),
            "server too slow: 12 bytes in 60 s ([limits] slow_answer_secs)"
        );
        let io = std::io::Error::other(r.clone());
        assert_eq!(Refusal::find(&io), Some(&r));
        assert!(Refusal::find(&std::io::Error::other("x")).is_none());
    }
}
