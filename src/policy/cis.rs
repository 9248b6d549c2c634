//! CIS Docker Benchmark §5 items checkov has no check for, under blast's own IDs.

use super::containers::pod_spec;
use super::{CONTAINER_KINDS, Eval, R, Rule, WORKLOAD_KINDS};

/// Host paths CIS Docker 5.6 calls sensitive (and the container runtimes' sockets): mounting
/// one, or anything under one (but `/` only itself), fails.
pub const SENSITIVE: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/sys",
    "/usr",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
];

/// Whether a host path is sensitive (`/etc/ssl` is, `/var/log` is not).
pub fn sensitive(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    SENSITIVE
        .iter()
        .any(|s| p == *s || (*s != "/" && p.starts_with(&format!("{s}/"))))
}

pub static RULES: &[Rule] = &[
    Rule {
        id: "BLAST_CIS_5_6",
        name: "Do not mount sensitive host system directories (/, /boot, /dev, /etc, /lib, /proc, /sys, /usr, runtime sockets) (CIS Docker 5.6)",
        kinds: WORKLOAD_KINDS,
        eval: Eval::Object(|v| {
            let spec = pod_spec(v);
            if !spec.is_map() {
                return R::Unknown;
            }
            R::fail_if(spec.at("volumes").items().iter().any(|vol| {
                vol.at("hostPath")
                    .at("path")
                    .as_str()
                    .is_some_and(sensitive)
            }))
        }),
    },
    Rule {
        id: "BLAST_CIS_5_20",
        name: "Do not use Bidirectional mount propagation (CIS Docker 5.20)",
        kinds: CONTAINER_KINDS,
        eval: Eval::Containers {
            init: true,
            f: |_, c| {
                R::fail_if(
                    c.at("volumeMounts")
                        .items()
                        .iter()
                        .any(|m| m.at("mountPropagation").as_str() == Some("Bidirectional")),
                )
            },
        },
    },
];

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn sensitive_paths_and_their_children() {
        for p in [
            "/",
            "/etc",
            "/etc/",
            "/etc/kubernetes",
            "/var/run/docker.sock",
            "/proc/1",
        ] {
            assert!(sensitive(p), "{p}");
        }
        for p in ["/var/log", "/data", "/etcd", "/var/lib/rook", "/usrx"] {
            assert!(!sensitive(p), "{p}");
        }
    }
}
