//! A bound on what one answer can make the console hold: no more than `limit` bytes without a
//! newline. A list is one line of JSON and a watch sends one line per event, so this caps a
//! list (a 200 MB answer) and each watch event, and ends a watch that streams an endless line,
//! while a healthy watch may run for ever. kube-rs buffers both without a bound.
//!
//! Past the limit the body ends with an error; the watch task marks its kind failed with it and
//! retries with backoff, and every other kind goes on.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tower::{BoxError, Layer, Service};

/// The default: far above any real object or list page (a page of 500 Nodes is ~1.3 MB).
pub const DEFAULT_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct LineLimit(pub usize);

impl<S> Layer<S> for LineLimit {
    type Service = LineLimited<S>;
    fn layer(&self, inner: S) -> LineLimited<S> {
        LineLimited {
            inner,
            limit: self.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct LineLimited<S> {
    inner: S,
    limit: usize,
}

impl<S, Req, B> Service<Req> for LineLimited<S>
where
    S: Service<Req, Response = http::Response<B>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Guarded<B>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        let limit = self.limit;
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            Ok(resp.map(|body| Guarded {
                inner: body,
                limit,
                since_newline: 0,
            }))
        })
    }
}

/// A body that fails once `limit` bytes came without a newline.
pub struct Guarded<B> {
    inner: B,
    limit: usize,
    since_newline: usize,
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
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    // The line running on from earlier chunks ends at this chunk's first
                    // newline (if any); the rest of the chunk starts after its last one.
                    let over = match data.iter().position(|b| *b == b'\n') {
                        Some(first) => {
                            let last = data.iter().rposition(|b| *b == b'\n').unwrap_or(first);
                            let ran = this.since_newline + first;
                            this.since_newline = data.len() - last - 1;
                            ran > this.limit || this.since_newline > this.limit
                        }
                        None => {
                            this.since_newline += data.len();
                            this.since_newline > this.limit
                        }
                    };
                    if over {
                        return Poll::Ready(Some(Err(format!(
                            "the server sent over {} MiB in one answer or event; not read further",
                            this.limit / (1024 * 1024)
                        )
                        .into())));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A client for `config` whose answers are bounded by `limit` (see the module).
pub fn client(config: kube::Config, limit: usize) -> Result<kube::Client, kube::Error> {
    Ok(kube::client::ClientBuilder::try_from(config)?
        .with_layer(&LineLimit(limit))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};

    fn body(
        chunks: Vec<&'static [u8]>,
        limit: usize,
    ) -> Guarded<impl Body<Data = Bytes, Error = std::convert::Infallible> + Unpin> {
        let frames = chunks
            .into_iter()
            .map(|c| Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from_static(c))));
        Guarded {
            inner: StreamBody::new(futures::stream::iter(frames.collect::<Vec<_>>())),
            limit,
            since_newline: 0,
        }
    }

    #[tokio::test]
    async fn many_lines_pass_and_one_overlong_line_fails() {
        // A watch: lines of 6 bytes, 60 bytes in all, limit 10: fine.
        let ok = body(vec![b"event\n"; 10], 10).collect().await;
        assert_eq!(ok.unwrap().to_bytes().len(), 60);
        // A line split over chunks is counted across them.
        let long = body(vec![b"aaaa", b"aaaa", b"aaa\nb"], 10).collect().await;
        let Err(err) = long else {
            panic!("11 bytes without a newline pass")
        };
        let err = err.to_string();
        assert!(err.contains("not read further"), "{err}");
        // The count restarts after each newline, within a chunk too.
        let mixed = body(vec![b"aaaaaaaa\naaaaaaaa", b"\naaaaaaaaa"], 10)
            .collect()
            .await;
        assert!(mixed.is_ok());
    }
}
