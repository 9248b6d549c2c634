//! The Kubernetes side: clients from the kubeconfig, one watcher per kind per cluster, and the
//! supervisor that starts the watches the views need and stops the ones they no longer need.
//!
//! Everything here runs on tokio and talks to the core only through the messages of `protocol`
//! (`LiveMsg`), sent over its own channel; it never imports the core. Objects are
//! parsed into `crate::model` types in the watch tasks, off the UI thread. Nothing here logs
//! object bodies; Secrets are read only for workload kubeconfigs, which stay in memory.

pub mod client;
pub mod discovery;
pub mod exec;
pub mod guard;
pub mod protocol;
pub mod proxy;
pub mod raw;
pub mod stream;
pub mod supervisor;
#[doc(hidden)]
pub mod test_support;
pub mod watch;

/// Unix seconds now: the I/O side stamps messages with it, the core never reads the clock.
pub fn now() -> crate::model::Time {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
