//! Which proxy a client uses, decided as kubectl (client-go and Go's `net/http`) decides:
//!
//! - a cluster's kubeconfig `proxy-url` is used as it is, whatever the environment says;
//! - else `HTTPS_PROXY` for an `https` server and `HTTP_PROXY` for an `http` one (upper case
//!   first, then lower case), unless `NO_PROXY`/`no_proxy` covers the server: `*`, a host name
//!   (matching it and its subdomains; a leading `.` or `*.` matches subdomains only), an IP
//!   address or a CIDR range, each optionally with `:port`;
//! - `localhost` and loopback addresses are never proxied from the environment;
//! - a proxy without a scheme is `http://`; `http`, `https` and `socks5` proxies are supported
//!   (`socks5h` is the same here: names are resolved by the proxy either way).
//!
//! One difference is kept: kube-rs tunnels through an HTTP proxy with `CONNECT` for plain
//! `http` servers too, where Go would forward the request.

use std::net::IpAddr;

use http::Uri;
use kube::config::Kubeconfig;

/// The process environment, as `choose` reads it.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The `proxy-url` of the cluster a context uses (`None`: the current context).
pub fn cluster_proxy_url(kc: &Kubeconfig, context: Option<&str>) -> Option<String> {
    let ctx_name = context
        .map(str::to_string)
        .or_else(|| kc.current_context.clone())?;
    let ctx = kc.contexts.iter().find(|c| c.name == ctx_name)?;
    let cluster_name = &ctx.context.as_ref()?.cluster;
    let cluster = kc.clusters.iter().find(|c| &c.name == cluster_name)?;
    cluster
        .cluster
        .as_ref()?
        .proxy_url
        .clone()
        .filter(|p| !p.is_empty())
}

/// The proxy for `server`: the cluster's `proxy-url` if set, else the environment's.
pub fn choose(
    server: &Uri,
    cluster_proxy: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Uri>, String> {
    if let Some(p) = cluster_proxy {
        return parse_proxy(p).map(Some);
    }
    let var = |upper: &str| {
        env(upper)
            .filter(|v| !v.is_empty())
            .or_else(|| env(&upper.to_lowercase()).filter(|v| !v.is_empty()))
    };
    let proxy = match server.scheme_str() {
        Some("https") => var("HTTPS_PROXY"),
        Some("http") => var("HTTP_PROXY"),
        _ => None,
    };
    let Some(proxy) = proxy else {
        return Ok(None);
    };
    let host = server.host().unwrap_or_default();
    let port = server
        .port_u16()
        .unwrap_or(if server.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    if !use_proxy(host, port, var("NO_PROXY").as_deref().unwrap_or("")) {
        return Ok(None);
    }
    parse_proxy(&proxy).map(Some)
}

/// A proxy URL as Go reads one: without a scheme it is `http://`.
fn parse_proxy(text: &str) -> Result<Uri, String> {
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let uri: Uri = with_scheme
        .parse()
        .map_err(|_| format!("proxy URL {:?} does not parse", redact(text)))?;
    match uri.scheme_str() {
        Some("http" | "https" | "socks5") => Ok(uri),
        Some("socks5h") => {
            // kube-rs's SOCKS5 connector lets the proxy resolve names: that is socks5h.
            let rest = with_scheme.split_once("://").map(|(_, r)| r).unwrap_or("");
            format!("socks5://{rest}")
                .parse()
                .map_err(|_| format!("proxy URL {:?} does not parse", redact(text)))
        }
        other => Err(format!(
            "proxy URL {:?}: scheme {} is not supported (http, https, socks5)",
            redact(text),
            other.unwrap_or("?")
        )),
    }
}

/// A proxy URL without its credentials, for messages.
fn redact(text: &str) -> String {
    match text.split_once('@') {
        Some((before, after)) => match before.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://…@{after}"),
            None => format!("…@{after}"),
        },
        None => text.to_string(),
    }
}

/// Whether a request to `host:port` goes through the environment's proxy, by Go's rules
/// (`golang.org/x/net/http/httpproxy`).
fn use_proxy(host: &str, port: u16, no_proxy: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    if host == "localhost" || ip.is_some_and(|ip| ip.is_loopback()) {
        return false;
    }
    for entry in no_proxy.split(',') {
        let entry = entry.trim().to_ascii_lowercase();
        if entry.is_empty() {
            continue;
        }
        if entry == "*" {
            return false;
        }
        if let Some((net, bits)) = entry.split_once('/') {
            if let (Some(ip), Ok(net), Ok(bits)) = (ip, net.parse::<IpAddr>(), bits.parse::<u8>())
                && in_cidr(ip, net, bits)
            {
                return false;
            }
            continue;
        }
        let (phost, pport) = split_port(&entry);
        if pport.is_some_and(|p| p != port) {
            continue;
        }
        if let Ok(pip) = phost.parse::<IpAddr>() {
            if ip == Some(pip) {
                return false;
            }
            continue;
        }
        let phost = phost.strip_prefix('*').unwrap_or(phost);
        let matched = match phost.strip_prefix('.') {
            // `.example.com`: subdomains only.
            Some(_) => host.ends_with(phost),
            // `example.com`: itself and its subdomains.
            None => host == phost || host.ends_with(&format!(".{phost}")),
        };
        if matched {
            return false;
        }
    }
    true
}

/// `host:port` → (host, Some(port)); IPv6 literals keep their colons unless bracketed.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((h, p)) = rest.split_once(']') {
            return (h, p.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
        return (entry, None);
    }
    match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn pick(server: &str, cluster: Option<&str>, vars: &[(&str, &str)]) -> Option<String> {
        choose(&server.parse().unwrap(), cluster, &env(vars))
            .unwrap()
            .map(|u| u.to_string())
    }

    #[test]
    fn the_proxy_follows_the_servers_scheme() {
        let vars = [
            ("HTTPS_PROXY", "http://secure:3128"),
            ("http_proxy", "plain:8080"),
        ];
        assert_eq!(
            pick("https://api.example.com:6443", None, &vars).as_deref(),
            Some("http://secure:3128/")
        );
        assert_eq!(
            pick("http://api.example.com", None, &vars).as_deref(),
            Some("http://plain:8080/")
        );
        assert_eq!(pick("https://api.example.com", None, &[]), None);
        // Upper case wins over lower case.
        let both = [("HTTPS_PROXY", "upper:1"), ("https_proxy", "lower:2")];
        assert_eq!(
            pick("https://a.example.com", None, &both).as_deref(),
            Some("http://upper:1/")
        );
    }

    #[test]
    fn no_proxy_rules_as_go_reads_them() {
        let server_with = |host: &str, no: &str| {
            pick(
                &format!("https://{host}"),
                None,
                &[("HTTPS_PROXY", "proxy:3128"), ("NO_PROXY", no)],
            )
            .is_some()
        };
        assert!(!server_with("api.example.com", "*"));
        assert!(!server_with("api.example.com", "example.com"));
        assert!(!server_with("example.com", "example.com"));
        assert!(!server_with("api.example.com", ".example.com"));
        assert!(server_with("example.com", ".example.com"));
        assert!(!server_with("api.example.com", "*.example.com"));
        assert!(server_with("badexample.com", "example.com"));
        assert!(!server_with("10.1.2.3:6443", "10.0.0.0/8"));
        assert!(server_with("11.1.2.3:6443", "10.0.0.0/8"));
        assert!(!server_with("10.1.2.3:6443", "10.1.2.3"));
        assert!(!server_with("api.example.com:6443", "api.example.com:6443"));
        assert!(server_with("api.example.com:6443", "api.example.com:443"));
        assert!(!server_with(
            "api.example.com",
            " other.org , API.Example.com "
        ));
        assert!(!server_with("[fd00::1]:6443", "fd00::/8"));
        // Loopback is never proxied from the environment, NO_PROXY or not.
        assert!(!server_with("127.0.0.1:6443", ""));
        assert!(!server_with("localhost:6443", ""));
        assert!(!server_with("[::1]:6443", ""));
        assert!(server_with("api.example.com", ""));
        // The lower-case variable is read too.
        assert_eq!(
            pick(
                "https://api.example.com",
                None,
                &[("HTTPS_PROXY", "p:1"), ("no_proxy", "example.com")]
            ),
            None
        );
    }

    #[test]
    fn the_clusters_proxy_url_wins_and_ignores_no_proxy() {
        let vars = [("HTTPS_PROXY", "env:1"), ("NO_PROXY", "*")];
        assert_eq!(
            pick("https://127.0.0.1:6443", Some("socks5://jump:1080"), &vars).as_deref(),
            Some("socks5://jump:1080/")
        );
        assert_eq!(
            pick("https://a.example.com", Some("socks5h://jump:1080"), &vars).as_deref(),
            Some("socks5://jump:1080/")
        );
    }

    #[test]
    fn bad_proxies_are_errors_without_credentials() {
        let err = choose(
            &"https://a.example.com".parse().unwrap(),
            Some("ftp://user:secret@proxy:21"),
            &env(&[]),
        )
        .unwrap_err();
        assert!(err.contains("scheme ftp"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn the_proxy_url_of_the_contexts_cluster() {
        let kc = Kubeconfig::from_yaml(
            "current-context: a\nclusters:\n- name: ca\n  cluster: {server: 'https://x', proxy-url: 'socks5://p:1'}\n- name: cb\n  cluster: {server: 'https://y'}\ncontexts:\n- name: a\n  context: {cluster: ca, user: u}\n- name: b\n  context: {cluster: cb, user: u}\nusers:\n- name: u\n  user: {}\n",
        )
        .unwrap();
        assert_eq!(
            cluster_proxy_url(&kc, None).as_deref(),
            Some("socks5://p:1")
        );
        assert_eq!(cluster_proxy_url(&kc, Some("b")), None);
    }
}
