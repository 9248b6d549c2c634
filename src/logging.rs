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
    let filter = match level {
        Some(l) => EnvFilter::try_new(l)?,
        None => EnvFilter::try_from_env("BLAST_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(writer).with_ansi(false))
        .with(tracing_error::ErrorLayer::default())
        .try_init()?;
    Ok(guard)
}
