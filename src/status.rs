//! `blast status [--json]`: the overview without a terminal UI, for cron, monitoring and
//! scripts. The same watchers and the same summary as the console (`app::live::summary`); it
//! waits until every site has listed what the overview needs (or the timeout), prints, and
//! exits 0 when all is healthy, 1 when something is degraded, 2 when a site cannot be reached.

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

/// Watches what the overview needs until every site has answered (or `timeout`), then returns
/// the live state.
pub async fn collect(opts: Options, timeout: Duration) -> LiveState {
    let (tx, mut rx) = mpsc::channel::<LiveMsg>(1024);
    let cmd = supervisor::spawn(opts, tx);
    let wants = Route::Overview.wants();
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
    live
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

/// 2 when a site cannot be reached (or is stale), 1 when something is not healthy, else 0.
pub fn exit_code(sites: &[SiteSummary]) -> u8 {
    if sites.is_empty() || sites.iter().any(|s| !matches!(s.reach, Reach::Live)) {
        2
    } else if sites.iter().any(|s| s.verdict >= Verdict::Unknown) {
        1
    } else {
        0
    }
}

fn reach_text(r: &Reach, now: i64) -> String {
    match r {
        Reach::Live => "live".into(),
        Reach::Connecting => "no answer".into(),
        Reach::Stale { since, error } => format!("stale {} ({error})", age(now, *since)),
        Reach::Unreachable(why) => format!("unreachable ({why})"),
    }
}

/// One line per site, then a line per problem.
pub fn text(sites: &[SiteSummary], now: i64) -> String {
    let mut out = String::new();
    for s in sites {
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
            reach_text(&s.reach, now),
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

pub fn json(sites: &[SiteSummary], now: i64) -> Value {
    let code = exit_code(sites);
    let time = |t: Option<i64>| t.map(crate::model::format_time);
    let list: Vec<Value> = sites
        .iter()
        .map(|s| {
            let (reach, reach_error, reach_since) = match &s.reach {
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

/// The summaries of a collected state.
pub fn summarize(live: &LiveState, t: Thresholds) -> Vec<SiteSummary> {
    summary::overview(live, t, &Revisions::new())
}
