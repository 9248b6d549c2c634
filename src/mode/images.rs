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
use crate::app::live::LiveState;
use crate::app::live::images::{
    Asked, ClairSetup, ImageRow, ImagesState, rows as view_rows, wanted,
};
use crate::app::nav::Route;
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
    let client = clair_client(&boot, cli, args.clair.as_deref())?;
    let rt = boot::runtime().map_err(|e| e.to_string())?;

    if let Some(image) = &args.index {
        let client =
            client.ok_or("no Clair: set `[clair] url` in the config or give --clair URL")?;
        return rt.block_on(index(&client, image, &args.registry_scheme, &args.platform));
    }

    let mut notes = Vec::new();
    let root = match boot.find_repo(cli) {
        Ok(root) => Some(root),
        Err(e) => {
            notes.push(format!("no repo: {e}"));
            None
        }
    };
    let live = if args.no_live {
        LiveState::default()
    } else {
        // The Clusters too: the one pass waits for each cluster's own site
        // (`status::collect_wants`), as the console reaches its Pods and Trivy reports.
        let mut wants = Route::Images.wants();
        wants.push(crate::app::live::Want {
            scope: crate::app::live::Scope::Roots,
            kind: crate::model::kinds::CLUSTER,
        });
        let (live, n) = rt.block_on(collect_live(&boot, cli, wants, args.timeout));
        notes.extend(n);
        live
    };
    let rows = rt.block_on(store(&live, root.as_deref(), client.as_ref()));
    if client.is_none() && rows.iter().all(|r| r.unknown) {
        return Err(
            "no vulnerability source: set `[clair] url` in the config or give --clair URL \
             (no Trivy Operator VulnerabilityReport was found either)"
                .into(),
        );
    }
    if client.is_none() {
        notes.push("no Clair configured ([clair] url or --clair): Trivy's reports only".into());
    }
    let list: Vec<&Image> = rows.iter().map(|r| &r.image).collect();

    let json = args.output.format() == Format::Json;
    if json {
        let out = json!({
            "clair": client.as_ref().map(|c| c.base_url().to_string()),
            "fail_on": fail_on.name(),
            "images": rows.iter().map(row_json).collect::<Vec<_>>(),
            "notes": notes,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", text(&rows, unix_now()));
        for n in &notes {
            eprintln!("blast: {n}");
        }
    }
    Ok(exit_code(list.into_iter(), fail_on))
}

/// Clair's client from `--clair` or the config (per `--context`), `None` when none is set.
pub fn clair_client(boot: &Boot, cli: &Cli, flag: Option<&str>) -> Result<Option<Client>, String> {
    let mut clair = boot.config.clair.clone();
    if let Some(url) = flag {
        clair.url = Some(url.to_string());
    }
    let context = cli.kube.contexts.first().map(String::as_str);
    match clair.endpoint(context)? {
        Some(ep) => Ok(Some(Client::new(&ep)?)),
        None => Ok(None),
    }
}

/// The sites as a view reads them (the console's own watches, `status::collect_wants`, one
/// pass); no kubeconfig at all is a note, not an error.
pub async fn collect_live(
    boot: &Boot,
    cli: &Cli,
    wants: Vec<crate::app::live::Want>,
    timeout: std::time::Duration,
) -> (LiveState, Vec<String>) {
    let mut opts = boot.kube_options(cli);
    opts.linger = std::time::Duration::from_secs(1);
    match crate::status::collect_wants(opts, timeout, wants).await {
        Ok(live) => {
            let mut notes = Vec::new();
            for src in live.sources.values() {
                if let Some((_, e)) = &src.setup_error {
                    notes.push(format!("{} not read: {e}", src.id));
                }
            }
            (live, notes)
        }
        Err(e) => (
            LiveState::default(),
            vec![format!("live sites not read: {e}")],
        ),
    }
}

/// The image store as the console settles it (`app::live::images::rows`, the very function
/// of the Images view): the repo's images, live Pods' and Trivy Operator's reports of `live`,
/// and Clair's report of every digest (when a client is given), worst first.
pub async fn store(
    live: &LiveState,
    root: Option<&std::path::Path>,
    client: Option<&Client>,
) -> Vec<ImageRow> {
    let mut st = ImagesState {
        clair: match client {
            Some(c) => ClairSetup::Url(c.base_url().to_string()),
            None => ClairSetup::None,
        },
        repo: Some(Ok(root.map(images::repo_images).unwrap_or_default())),
        repo_asked: true,
        ..Default::default()
    };
    st.all = view_rows(live, &st, "");
    if let Some(client) = client {
        let digests = wanted(&st, live.now, usize::MAX);
        let answers: Vec<(String, ReportState)> = futures::stream::iter(digests)
            .map(|d| async move {
                let r = client.report(&d).await;
                (d, r)
            })
            .buffer_unordered(8)
            .collect()
            .await;
        let at = unix_now() as i64;
        for (d, state) in answers {
            st.reports.insert(d, Asked { state, at });
        }
        st.all = view_rows(live, &st, "");
    }
    st.all
}

/// 1 when an image is at or above the threshold, else 2 when a report failed, else 0.
pub fn exit_code<'a>(list: impl Iterator<Item = &'a Image> + Clone, fail_on: Severity) -> u8 {
    if list.clone().any(|i| i.at_or_above(fail_on)) {
        EXIT_FOUND
    } else if list
        .clone()
        .any(|i| matches!(i.report, ReportState::Failed(_)))
    {
        EXIT_REPORT_FAILED
    } else {
        0
    }
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

/// An image of the store: [`image_json`] with its source (`clair`, `trivy`, or none) and
/// the status the Images view shows.
pub fn row_json(r: &ImageRow) -> serde_json::Value {
    let mut v = image_json(&r.image);
    v["source"] = json!(r.source);
    v["status"] = json!(r.status());
    if r.unknown {
        v["report"] = json!("no source");
    }
    v
}

/// One line per image, its worst findings indented below, then where it runs.
pub fn text(rows: &[ImageRow], now: u64) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<58} {:>4} {:>4} {:>4} {:>4} {:>4} {:>5}  REPORT",
        "IMAGE", "CRIT", "HIGH", "MED", "LOW", "UNK", "FIXED"
    );
    for r in rows {
        let i = &r.image;
        let name = truncate(i.name(), 58);
        match &i.report {
            _ if r.unknown => {
                let _ = writeln!(s, "{name:<58} {:>33}  {}", "", r.status());
            }
            ReportState::Ready {
                summary,
                fetched_at,
            } => {
                let _ = writeln!(
                    s,
                    "{name:<58} {:>4} {:>4} {:>4} {:>4} {:>4} {:>5}  {} {} ago",
                    summary.count(Severity::Critical),
                    summary.count(Severity::High),
                    summary.count(Severity::Medium),
                    summary.count(Severity::Low),
                    summary.count(Severity::Unknown),
                    summary.fixable,
                    r.source,
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
