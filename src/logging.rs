//! Logs go to a daily-rotated file in the state dir (7 files kept), never to the screen.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

/// Starts logging to `dir/blast.YYYY-MM-DD.log`. Keep the guard alive until exit: dropping it
/// flushes the writer.
pub fn init(dir: &Path, level: Option<&str>) -> color_eyre::Result<WorkerGuard> {
    std::fs::create_dir_all(dir)?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("blast")
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir)?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = filter(level)?;
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(writer).with_ansi(false))
        .with(tracing_error::ErrorLayer::default())
        .try_init()?;
    Ok(guard)
}

/// Where kube's client logs what a server answered: a list or get that does not decode is
/// logged whole at `warn` (up to the answer cap: 64 MB, Secrets' data included where the
/// answer was a Secret), error bodies at `debug`, headers at `trace`. Never logged, whatever
/// the level asked: only its `error` lines (a status code, a connection error) are kept.
const KUBE_ANSWERS: &str = "kube_client::client=error";

/// The level asked (`--log-level`, the config), else `BLAST_LOG`, else `info`; with kube's
/// answer logging held at [`KUBE_ANSWERS`] in every case.
fn filter(level: Option<&str>) -> color_eyre::Result<EnvFilter> {
    let filter = match level {
        Some(l) => EnvFilter::try_new(l)?,
        None => EnvFilter::try_from_env("BLAST_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
    };
    Ok(filter.add_directive(KUBE_ANSWERS.parse()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer into a shared buffer, for a test subscriber.
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What a subscriber with `filter(level)` writes for kube's answer logging (the targets
    /// and levels kube-client 5 uses) and one line of our own.
    fn logged(level: &str) -> String {
        let buf = Buf::default();
        let w = buf.clone();
        let subscriber = tracing_subscriber::registry()
            .with(filter(Some(level)).unwrap())
            .with(fmt::layer().with_writer(move || w.clone()).with_ansi(false));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(target: "kube_client::client", "{{\"data\":{{\"token\":\"c2VjcmV0\"}}}}, Error(..)");
            tracing::debug!(target: "kube_client::client", "Unsuccessful data error parse: c2VjcmV0");
            tracing::trace!(target: "kube_client::client", "Status from c2VjcmV0");
            tracing::error!(target: "kube_client::client::builder", "failed with status 500");
            tracing::warn!(target: "blast::kube", "ours");
        });
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn kube_never_logs_what_a_server_answered_at_any_level() {
        for level in [
            "info",
            "debug",
            "trace",
            "info,kube_client=trace",
            "info,kube_client::client=trace",
        ] {
            let out = logged(level);
            assert!(!out.contains("c2VjcmV0"), "{level}: {out}");
            assert!(out.contains("ours"), "{level}: {out}");
            assert!(out.contains("failed with status 500"), "{level}: {out}");
        }
    }
}
