//! `blast status [--json]`: the overview without a terminal UI, for cron, monitoring and
//! scripts. The same watchers and the same summary as the console (`app::live::summary`); it
//! waits until every site has listed what the overview needs (or the timeout), prints, and
//! exits with [`exit_code`]: 0 all healthy, 1 something degraded, 2 a site that should be
//! reachable is not (or its data is stale), 3 it could not run (bad flag, no kubeconfig,
//! broken config).
//!
//! A workload cluster is watched directly only with `fleet.workload_kubeconfigs = true`.
//! Without it (the default) its site is judged from the management cluster's Cluster API
//! objects (the fleet area) and reported `not watched directly`: neither failed nor
//! unreachable.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::app::live::fleet::Verdict;
use crate::app::live::gitops::Revisions;
use crate::app::live::storage::Thresholds;
use crate::app::live::summary::{self, Reach, SiteSummary};
use crate::app::live::{KindStatus, LiveMsg, LiveState, Scope, age};
use crate::app::nav::Route;
use crate::kube::supervisor::{self, Command, Options};

/// Exit code: every site healthy.
pub const EXIT_HEALTHY: u8 = 0;
/// Exit code: something is degraded (or unknown).
pub const EXIT_DEGRADED: u8 = 1;
/// Exit code: a site that should be reachable is not, or its data is stale.
pub const EXIT_UNREACHABLE: u8 = 2;
/// Exit code: `blast status` could not run (bad flag, no kubeconfig, broken config).
pub const EXIT_COULD_NOT_RUN: u8 = 3;

/// Watches what the overview needs until every site has answered (or `timeout`), then returns
/// the live state; an error when there is no usable kubeconfig at all.
pub async fn collect(opts: Options, timeout: Duration) -> Result<LiveState, String> {
    collect_wants(opts, timeout, Route::Overview.wants()).await
}

/// [`collect`] of what a view wants (`Route::wants`): `blast images` and `blast standards`
/// read the sites as the Images and Standards views do, by the console's own watches.
pub async fn collect_wants(
    opts: Options,
    timeout: Duration,
    wants: Vec<crate::app::live::Want>,
) -> Result<LiveState, String> {
    let (tx, mut rx) = mpsc::channel::<LiveMsg>(1024);
    let cmd = supervisor::spawn(opts, tx);
    let _ = cmd.send(Command::Want(wants.clone()));
    let mut live = LiveState::default();
    let deadline = tokio::time::Instant::now() + timeout;
    // Once the roots have answered, workload clusters whose kubeconfig never shows up are not
    // waited for beyond this grace.
    let mut roots_done: Option<tokio::time::Instant> = None;
    loop {
        let msg = tokio::select! {
            m = rx.recv() => m,
            _ = tokio::time::sleep_until(deadline) => break,
            _ = tokio::time::sleep(Duration::from_millis(200)) => None,
        };
        if let Some(m) = msg {
            live.apply(m);
        }
        while let Ok(m) = rx.try_recv() {
            live.apply(m);
        }
        live.now = crate::kube::now();
        if roots_done.is_none() && side_done(&live, &wants, true) {
            roots_done = Some(tokio::time::Instant::now());
        }
        let grace_over = roots_done.is_some_and(|t| t.elapsed() >= Duration::from_secs(3));
        if roots_done.is_some()
            && side_done(&live, &wants, false)
            && (grace_over || every_cluster_has_a_source(&live))
        {
            break;
        }
    }
    live.now = crate::kube::now();
    if let Some((_, error)) = live
        .sources
        .get(supervisor::NO_KUBECONFIG)
        .and_then(|s| s.setup_error.as_ref())
    {
        return Err(error.clone());
    }
    Ok(live)
}

/// Every source of the side (roots or workloads) has an answer for each wanted kind: listed,
/// not installed, forbidden or failed — anything but still syncing.
fn side_done(live: &LiveState, wants: &[crate::app::live::Want], roots: bool) -> bool {
    let sources: Vec<_> = live.sources.values().filter(|s| s.root == roots).collect();
    if roots && sources.is_empty() {
        return false;
    }
    sources.iter().all(|s| {
        s.setup_error.is_some()
            || wants
                .iter()
                .filter(|w| match w.scope {
                    Scope::Roots => roots,
                    _ => !roots,
                })
                .all(|w| {
                    s.store(&w.kind)
                        .is_some_and(|k| k.status != KindStatus::Syncing)
                })
    })
}

fn every_cluster_has_a_source(live: &LiveState) -> bool {
    live.all(true, &crate::model::kinds::CLUSTER)
        .all(|(_, c)| live.sources.contains_key(&c.meta().name))
}

/// A site as `blast status` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub summary: SiteSummary,
    /// Its API server is watched (a management cluster, or a workload cluster reached through
    /// its kubeconfig Secret); otherwise it is judged from the management cluster alone.
    pub watched: bool,
}

/// 2 when a site that should be reachable is not (or is stale), 1 when something is not
/// healthy, else 0. Sites not watched directly count by their verdict alone.
pub fn exit_code(sites: &[Site]) -> u8 {
    let unreachable = |s: &Site| s.watched && !matches!(s.summary.reach, Reach::Live);
    if sites.is_empty() || sites.iter().any(unreachable) {
        EXIT_UNREACHABLE
    } else if sites.iter().any(|s| s.summary.verdict >= Verdict::Unknown) {
        EXIT_DEGRADED
    } else {
        EXIT_HEALTHY
    }
}

fn reach_text(site: &Site, now: i64) -> String {
    if !site.watched {
        return NOT_WATCHED.into();
    }
    match &site.summary.reach {
        Reach::Live => "live".into(),
        Reach::Connecting => "no answer".into(),
        Reach::Stale { since, error } => format!("stale {} ({error})", age(now, *since)),
        Reach::Unreachable(why) => format!("unreachable ({why})"),
    }
}

/// How a site not watched directly is described.
const NOT_WATCHED: &str = "not watched directly";

/// One line per site, then a line per problem.
pub fn text(sites: &[Site], now: i64) -> String {
    let mut out = String::new();
    for site in sites {
        let s = &site.summary;
        let areas = s
            .areas()
            .iter()
            .filter_map(|(n, a)| a.map(|a| format!("{n} {}", a.verdict.label())))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "{} {:<14} {:<11} {}{}\n",
            s.verdict.symbol(),
            s.site,
            s.verdict.label(),
            reach_text(site, now),
            if areas.is_empty() {
                String::new()
            } else {
                format!(" · {areas}")
            }
        ));
        for p in &s.problems {
            let since = p
                .since
                .map(|t| format!(" (for {})", age(now, t)))
                .unwrap_or_default();
            out.push_str(&format!(
                "    {} {:<7} {}: {}{since}\n",
                p.verdict.symbol(),
                p.area,
                p.object,
                p.message
            ));
        }
    }
    out
}

pub fn json(sites: &[Site], now: i64) -> Value {
    let code = exit_code(sites);
    let time = |t: Option<i64>| t.map(crate::model::format_time);
    let list: Vec<Value> = sites
        .iter()
        .map(|site| {
            let s = &site.summary;
            let (reach, reach_error, reach_since) = match &s.reach {
                _ if !site.watched => ("notWatched", None, None),
                Reach::Live => ("live", None, None),
                Reach::Connecting => ("connecting", None, None),
                Reach::Stale { since, error } => ("stale", Some(error.clone()), Some(*since)),
                Reach::Unreachable(why) => ("unreachable", Some(why.clone()), None),
            };
            let areas: serde_json::Map<String, Value> = s
                .areas()
                .iter()
                .filter_map(|(n, a)| {
                    a.map(|a| {
                        (
                            n.to_string(),
                            json!({"verdict": a.verdict.label(), "summary": a.text}),
                        )
                    })
                })
                .collect();
            json!({
                "site": s.site,
                "management": s.root,
                "watched": site.watched,
                "verdict": s.verdict.label(),
                "reach": reach,
                "reachError": reach_error,
                "staleSince": time(reach_since),
                "lastEvent": time(s.last_event),
                "areas": areas,
                "problems": s.problems.iter().map(|p| json!({
                    "area": p.area,
                    "object": p.object,
                    "message": p.message,
                    "since": time(p.since),
                    "verdict": p.verdict.label(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "time": crate::model::format_time(now),
        "exitCode": code,
        "sites": list,
    })
}

/// The sites of a collected state. `workload_kubeconfigs` is `fleet.workload_kubeconfigs`:
/// without it, a workload site without a source of its own is not watched directly (by choice),
/// so its missing reach is no problem and its verdict comes from what the management cluster
/// says of it (Cluster API conditions).
pub fn summarize(live: &LiveState, t: Thresholds, workload_kubeconfigs: bool) -> Vec<Site> {
    summarize_with_standards(live, t, workload_kubeconfigs, None, None).0
}

/// [`summarize`] with the standards counted as problems (`summary::add_standards`: policy
/// errors, drift, unwaived benchmark FAILs and Critical images degrade a site; waived items,
/// WARN and High do not), and the standards of each site (for `--json`'s `standards`).
/// `repo`: the repo's side (`None`: policy not checked); `images`: `None` without Clair.
pub fn summarize_with_standards(
    live: &LiveState,
    t: Thresholds,
    workload_kubeconfigs: bool,
    repo: Option<&crate::standards::RepoSide>,
    images: Option<&[crate::standards::ImageVulns]>,
) -> (Vec<Site>, Vec<crate::standards::SiteStandards>) {
    let mut overview = summary::overview(live, t, &Revisions::new());
    let g = crate::app::live::standards::gather(live, repo);
    let standards = crate::app::live::standards::per_site(&g, repo, images);
    summary::add_standards(&mut overview, &standards, images.is_some());
    let mut sites: Vec<Site> = overview
        .into_iter()
        .map(|mut s| {
            let watched = s.root || workload_kubeconfigs || live.sources.contains_key(&s.site);
            if !watched {
                s.problems.retain(|p| p.area != "reach");
                s.verdict = s
                    .areas()
                    .iter()
                    .filter_map(|(_, a)| a.map(|a| a.verdict))
                    .chain(s.problems.iter().map(|p| p.verdict))
                    .max()
                    .unwrap_or(Verdict::Unknown);
            }
            Site {
                summary: s,
                watched,
            }
        })
        .collect();
    sites.sort_by(|a, b| {
        (b.summary.verdict)
            .cmp(&a.summary.verdict)
            .then(a.summary.site.cmp(&b.summary.site))
    });
    (sites, standards)
}
