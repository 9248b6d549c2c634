//! `blast images`: every image the repo deploys and live pods run, with Clair's report of each.
//! Exit 0 when nothing is at or above `--fail-on` (default Critical), 1 when something is, 2
//! when a report could not be had for some image (Clair unreachable, refused, unreadable), 3
//! when it could not run (no Clair configured, bad flag, broken config).
//!
//! `--index IMAGE` is the explicit action that asks Clair to index an image (its manifest and
//! layer URLs resolved from the registry, as `clairctl` does); nothing else ever indexes.

use std::process::ExitCode;

use futures::StreamExt;
use serde_json::json;

use super::boot::{self, Boot};
use crate::clair::client::{Client, unix_now};
use crate::clair::images::{self, Image};
use crate::clair::registry::{self, ImageRef};
use crate::clair::{ReportState, Severity, VulnSource};
use crate::cli::{Cli, Format, ImagesArgs};

pub const EXIT_FOUND: u8 = 1;
pub const EXIT_REPORT_FAILED: u8 = 2;
pub const EXIT_COULD_NOT_RUN: u8 = 3;

pub fn run(cli: &Cli, args: &ImagesArgs) -> ExitCode {
    match report(cli, args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("blast: {e}");
            ExitCode::from(EXIT_COULD_NOT_RUN)
        }
    }
}

fn report(cli: &Cli, args: &ImagesArgs) -> Result<u8, String> {
    let boot = Boot::with_log(cli).map_err(|e| format!("{e:?}"))?;
    let fail_on = Severity::from_flag(&args.fail_on)?;
    let mut clair = boot.config.clair.clone();
    if let Some(url) = &args.clair {
        clair.url = Some(url.clone());
    }
    let context = cli.kube.contexts.first().map(String::as_str);
    let endpoint = clair
        .endpoint(context)?
        .ok_or("no Clair: set `[clair] url` in the config or give --clair URL")?;
    let client = Client::new(&endpoint)?;
    let rt = boot::runtime().map_err(|e| e.to_string())?;

    if let Some(image) = &args.index {
        return rt.block_on(index(&client, image, &args.registry_scheme, &args.platform));
    }

    let mut seen = Vec::new();
    let mut notes = Vec::new();
    match boot.find_repo(cli) {
        Ok(root) => seen.extend(images::repo_images(&root)),
        Err(e) => notes.push(format!("no repo: {e}")),
    }
    if !args.no_live {
        let (live, live_notes) = rt.block_on(live_pods(cli));
        seen.extend(live);
        notes.extend(live_notes);
    }
    let mut list = images::dedupe(seen);
    rt.block_on(fill_reports(&client, &mut list));
    list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let json = args.output.format() == Format::Json;
    if json {
        let out = json!({
            "clair": client.base_url(),
            "fail_on": fail_on.name(),
            "images": list.iter().map(image_json).collect::<Vec<_>>(),
            "notes": notes,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", text(&list, unix_now()));
        for n in &notes {
            eprintln!("blast: {n}");
        }
    }
    Ok(exit_code(&list, fail_on))
}

/// 1 when an image is at or above the threshold, else 2 when a report failed, else 0.
pub fn exit_code(list: &[Image], fail_on: Severity) -> u8 {
    if list.iter().any(|i| i.at_or_above(fail_on)) {
        EXIT_FOUND
    } else if list
        .iter()
        .any(|i| matches!(i.report, ReportState::Failed(_)))
    {
        EXIT_REPORT_FAILED
    } else {
        0
    }
}

pub async fn fill_reports(source: &impl VulnSource, list: &mut [Image]) {
    let digests: Vec<Option<String>> = list.iter().map(|i| i.digest.clone()).collect();
    let reports: Vec<(usize, ReportState)> = futures::stream::iter(digests.into_iter().enumerate())
        .map(|(i, d)| async move {
            match d {
                Some(d) => (i, source.report(&d).await),
                None => (i, ReportState::NoDigest),
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    for (i, r) in reports {
        list[i].report = r;
    }
}

/// The pods of every `--context` (or the current one), as JSON; a context that cannot be read
/// is a note, not an error.
pub async fn live_pods(cli: &Cli) -> (Vec<images::Seen>, Vec<String>) {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, ListParams};
    let mut seen = Vec::new();
    let mut notes = Vec::new();
    let clients = match super::boot::user_clients(cli).await {
        Ok(c) => c,
        Err(e) => {
            notes.push(format!("live pods not read: {e}"));
            return (seen, notes);
        }
    };
    for (site, client) in clients {
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                notes.push(format!("live pods not read: {e}"));
                continue;
            }
        };
        let api: Api<Pod> = Api::all(client);
        let mut lp = ListParams::default().limit(500);
        loop {
            match api.list(&lp).await {
                Ok(list) => {
                    let pods: Vec<serde_json::Value> = list
                        .items
                        .iter()
                        .filter_map(|p| serde_json::to_value(p).ok())
                        .collect();
                    seen.extend(images::live_images(&pods, &site));
                    match list.metadata.continue_.filter(|c| !c.is_empty()) {
                        Some(c) => lp = lp.continue_token(&c),
                        None => break,
                    }
                }
                Err(kube::Error::Api(e)) => {
                    notes.push(format!(
                        "live pods of {site} not read: {} ({})",
                        e.message, e.code
                    ));
                    break;
                }
                Err(e) => {
                    notes.push(format!("live pods of {site} not read: {e}"));
                    break;
                }
            }
        }
    }
    (seen, notes)
}

async fn index(client: &Client, image: &str, scheme: &str, platform: &str) -> Result<u8, String> {
    let r = ImageRef::parse(image)?;
    let http = crate::clair::client::Http::new()?;
    let manifest = registry::resolve(&http, &r, scheme, platform).await?;
    let answer = client.index(&manifest).await?;
    println!(
        "{image}: manifest {} ({} layers) sent to Clair: {}",
        manifest.hash,
        manifest.layers.len(),
        answer.state
    );
    Ok(0)
}

fn counts_json(i: &Image) -> serde_json::Value {
    match &i.report {
        ReportState::Ready { summary, .. } => json!({
            "critical": summary.count(Severity::Critical),
            "high": summary.count(Severity::High),
            "medium": summary.count(Severity::Medium),
            "low": summary.count(Severity::Low),
            "unknown": summary.count(Severity::Unknown),
        }),
        _ => serde_json::Value::Null,
    }
}

pub fn image_json(i: &Image) -> serde_json::Value {
    let (fixable, worst, fetched_at, error) = match &i.report {
        ReportState::Ready {
            summary,
            fetched_at,
        } => (
            Some(summary.fixable),
            serde_json::to_value(&summary.worst).unwrap_or_default(),
            Some(*fetched_at),
            None,
        ),
        ReportState::Failed(e) => (None, json!([]), None, Some(e.clone())),
        _ => (None, json!([]), None, None),
    };
    json!({
        "references": i.references,
        "digest": i.digest,
        "report": i.report.label(),
        "counts": counts_json(i),
        "fixable": fixable,
        "worst": worst,
        "fetched_at": fetched_at,
        "error": error,
        "uses": i.uses,
    })
}

/// One line per image, its worst findings indented below, then where it runs.
pub fn text(list: &[Image], now: u64) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<58} {:>4} {:>4} {:>4} {:>4} {:>4} {:>5}  REPORT",
        "IMAGE", "CRIT", "HIGH", "MED", "LOW", "UNK", "FIXED"
    );
    for i in list {
        let name = truncate(i.name(), 58);
        match &i.report {
            ReportState::Ready {
                summary,
                fetched_at,
            } => {
                let _ = writeln!(
                    s,
                    "{name:<58} {:>4} {:>4} {:>4} {:>4} {:>4} {:>5}  scanned {} ago",
                    summary.count(Severity::Critical),
                    summary.count(Severity::High),
                    summary.count(Severity::Medium),
                    summary.count(Severity::Low),
                    summary.count(Severity::Unknown),
                    summary.fixable,
                    age(now.saturating_sub(*fetched_at)),
                );
                for f in &summary.worst {
                    let fix = if f.fixed_in.is_empty() {
                        "no fix".to_string()
                    } else {
                        format!("fixed in {}", f.fixed_in)
                    };
                    let _ = writeln!(
                        s,
                        "    {:<8} {} {} {} ({fix}) {}",
                        f.severity.name(),
                        f.name,
                        f.package,
                        f.version,
                        f.link
                    );
                }
            }
            ReportState::Failed(e) => {
                let _ = writeln!(s, "{name:<58} {:>33}  failed: {e}", "");
            }
            other => {
                let _ = writeln!(s, "{name:<58} {:>33}  {}", "", other.label());
            }
        }
        if let Some(d) = &i.digest {
            let _ = writeln!(s, "    digest {d}");
        }
        for u in &i.uses {
            let place = [u.site.as_str(), u.namespace.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("/");
            let _ = writeln!(s, "    used by {place} {} ({})", u.workload, u.source);
        }
    }
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

fn age(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}
