//! One summary per site (the management clusters and every Cluster API cluster): the answers of
//! the fleet, storage, backup and GitOps views in one line each, and every problem with how
//! long it has been so. The overview view, `blast status` and the wall dashboard all draw this.

use std::collections::BTreeMap;

use super::fleet::{self, Verdict};
use super::gitops::{self, Revisions};
use super::storage::{self, Thresholds, count_text};
use super::{LiveState, SourceStatus, backup};
use crate::model::Time;

/// How well the console can see a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Live,
    Connecting,
    /// Lost since then: what is shown is the last data.
    Stale {
        since: Time,
        error: String,
    },
    /// Never reached: no kubeconfig for it, or its API refused every watch.
    Unreachable(String),
}

/// One area's answer for a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub verdict: Verdict,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryProblem {
    /// `fleet`, `storage`, `backup`, `gitops`, `reach`.
    pub area: &'static str,
    /// `CephCluster rook-ceph/rook-ceph`.
    pub object: String,
    pub message: String,
    pub since: Option<Time>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSummary {
    pub site: String,
    pub root: bool,
    pub reach: Reach,
    /// When data last arrived from it.
    pub last_event: Option<Time>,
    pub fleet: Option<Area>,
    pub storage: Option<Area>,
    pub backup: Option<Area>,
    pub gitops: Option<Area>,
    pub verdict: Verdict,
    pub problems: Vec<SummaryProblem>,
}

impl SiteSummary {
    pub fn areas(&self) -> [(&'static str, Option<&Area>); 4] {
        [
            ("fleet", self.fleet.as_ref()),
            ("storage", self.storage.as_ref()),
            ("backup", self.backup.as_ref()),
            ("gitops", self.gitops.as_ref()),
        ]
    }
}

fn worst<'a>(vs: impl Iterator<Item = &'a Verdict>) -> Verdict {
    vs.copied().max().unwrap_or(Verdict::Healthy)
}

/// The summaries of every site, worst first.
pub fn overview(live: &LiveState, t: Thresholds, revs: &Revisions) -> Vec<SiteSummary> {
    let fleet_rows = fleet::rows(live, 0, "");
    let mut sites: BTreeMap<String, SiteSummary> = BTreeMap::new();
    let blank = |site: &str, root: bool| SiteSummary {
        site: site.to_string(),
        root,
        reach: Reach::Connecting,
        last_event: None,
        fleet: None,
        storage: None,
        backup: None,
        gitops: None,
        verdict: Verdict::Healthy,
        problems: vec![],
    };
    for src in live.sources.values() {
        let mut s = blank(&src.id, src.root);
        s.last_event = src.last_event;
        s.reach = match src.status() {
            SourceStatus::Live => Reach::Live,
            SourceStatus::Idle | SourceStatus::Connecting => match &src.setup_error {
                Some((_, e)) => Reach::Unreachable(e.clone()),
                None => Reach::Connecting,
            },
            SourceStatus::Stale { since, error } if src.last_event.is_some() => {
                Reach::Stale { since, error }
            }
            SourceStatus::Stale { error, .. } => Reach::Unreachable(error),
            SourceStatus::Forbidden { message } => Reach::Unreachable(message),
        };
        sites.insert(src.id.clone(), s);
    }
    // Every Cluster API cluster is a site, reachable or not.
    for row in &fleet_rows {
        let s = sites
            .entry(row.key.name.clone())
            .or_insert_with(|| blank(&row.key.name, false));
        if !live.sources.contains_key(&row.key.name) {
            s.reach = Reach::Unreachable(
                "no workload kubeconfig (fleet.workload_kubeconfigs, or its Secret)".into(),
            );
        }
        let cp_workers = format!("cp {} · workers {}", row.control_plane, row.workers);
        s.fleet = Some(Area {
            verdict: row.verdict,
            text: format!(
                "{} {} · {}",
                row.verdict.label(),
                row.kubernetes,
                cp_workers
            ),
        });
        if row.verdict >= Verdict::Degraded {
            s.problems.push(SummaryProblem {
                area: "fleet",
                object: format!("Cluster {}", row.key),
                message: row
                    .problem
                    .as_ref()
                    .map(|p| format!("{} {}: {}", p.type_, p.reason, p.message))
                    .unwrap_or_else(|| row.verdict.label().to_string()),
                since: row.problem.as_ref().and_then(|p| p.since),
                verdict: row.verdict,
            });
        }
    }
    for src in live.sources.values() {
        let s = sites.get_mut(&src.id).expect("inserted above");
        if src.root {
            let n = fleet_rows.iter().filter(|r| r.source == src.id).count();
            if n > 0 {
                s.fleet = Some(Area {
                    verdict: worst(
                        fleet_rows
                            .iter()
                            .filter(|r| r.source == src.id)
                            .map(|r| &r.verdict)
                            .filter(|v| **v < Verdict::Degraded),
                    ),
                    text: format!("manages {n} cluster{}", if n == 1 { "" } else { "s" }),
                });
            }
        }
        // Storage.
        let mut rows = Vec::new();
        storage::site_rows(src, t, &mut rows);
        if !rows.is_empty() {
            let ceph = rows.iter().find(|r| r.kind == "CephCluster");
            let pools = rows.iter().filter(|r| r.kind == "DiskPool").count();
            let pools_ok = rows
                .iter()
                .filter(|r| r.kind == "DiskPool" && r.state == "Online")
                .count();
            let mut parts = Vec::new();
            if let Some(c) = ceph {
                parts.push(match c.ratio() {
                    Some(x) => format!("ceph {} {:.0}%", c.state, x * 100.0),
                    None => format!("ceph {}", c.state),
                });
            }
            if pools > 0 {
                parts.push(format!("pools {pools_ok}/{pools} online"));
            }
            if let Some(v) = rows.iter().find(|r| r.kind == "Volumes") {
                parts.push(v.state.clone());
            }
            s.storage = Some(Area {
                verdict: worst(rows.iter().map(|r| &r.verdict)),
                text: parts.join(" · "),
            });
            for r in rows.iter().filter(|r| r.verdict >= Verdict::Degraded) {
                s.problems.push(SummaryProblem {
                    area: "storage",
                    object: format!("{} {}", r.kind, r.name),
                    message: format!("{}: {}", r.state, r.detail),
                    since: r.since,
                    verdict: r.verdict,
                });
            }
        }
        // Backup.
        let mut rows = Vec::new();
        backup::site_rows(src, live.now, &mut rows);
        let policies: Vec<_> = rows.iter().filter(|r| r.kind == "Policy").collect();
        if !rows.is_empty() {
            let overdue = policies.iter().filter(|r| r.overdue).count();
            let failed = policies
                .iter()
                .filter(|r| r.verdict >= Verdict::Degraded && !r.overdue)
                .count();
            let newest = policies.iter().filter_map(|r| r.last_success).max();
            let mut text = count_text(&[
                (
                    policies.len(),
                    if policies.len() == 1 {
                        "policy"
                    } else {
                        "policies"
                    },
                ),
                (overdue, "overdue"),
                (failed, "failing"),
            ]);
            if let Some(t) = newest {
                text.push_str(&format!(" · last success {} ago", super::age(live.now, t)));
            }
            s.backup = Some(Area {
                verdict: worst(rows.iter().map(|r| &r.verdict)),
                text,
            });
            for r in rows.iter().filter(|r| r.verdict >= Verdict::Degraded) {
                s.problems.push(SummaryProblem {
                    area: "backup",
                    object: format!("{} {}", r.kind, r.key),
                    message: if r.overdue {
                        format!(
                            "overdue: last success {}",
                            r.last_success
                                .map(|t| format!("{} ago", super::age(live.now, t)))
                                .unwrap_or_else(|| "never".into())
                        )
                    } else {
                        r.detail.clone()
                    },
                    since: r.last_run.as_ref().and_then(|(_, t)| *t),
                    verdict: r.verdict,
                });
            }
        }
    }
    // GitOps: by the one definition the dashboard and `blast status` share
    // (`gitops::by_site`: an Application belongs to the site it deploys to).
    for (site, g) in gitops::by_site(live, revs) {
        let Some(s) = sites.get_mut(&site) else {
            continue;
        };
        let rows = &g.rows;
        s.gitops = Some(Area {
            verdict: worst(rows.iter().map(|r| &r.verdict)),
            text: g.counts.text(),
        });
        for r in rows.iter().filter(|r| r.verdict >= Verdict::Degraded) {
            s.problems.push(SummaryProblem {
                area: "gitops",
                object: format!("{} {}", r.kind, r.key.name),
                message: [
                    format!("{} {}", r.sync, r.health).trim().to_string(),
                    r.detail.clone(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(": "),
                since: r.since,
                verdict: r.verdict,
            });
        }
    }
    let mut out: Vec<SiteSummary> = sites.into_values().collect();
    for s in &mut out {
        match &s.reach {
            Reach::Stale { since, error } => s.problems.insert(
                0,
                SummaryProblem {
                    area: "reach",
                    object: format!("site {}", s.site),
                    message: format!("stale: {error}"),
                    since: Some(*since),
                    verdict: Verdict::Failed,
                },
            ),
            Reach::Unreachable(why) => s.problems.insert(
                0,
                SummaryProblem {
                    area: "reach",
                    object: format!("site {}", s.site),
                    message: format!("unreachable: {why}"),
                    since: None,
                    verdict: Verdict::Failed,
                },
            ),
            _ => {}
        }
        s.verdict = worst(
            s.areas()
                .iter()
                .filter_map(|(_, a)| a.map(|a| &a.verdict))
                .chain(s.problems.iter().map(|p| &p.verdict)),
        );
        if matches!(s.reach, Reach::Connecting) {
            s.verdict = s.verdict.max(Verdict::Unknown);
        }
        s.problems
            .sort_by(|a, b| b.verdict.cmp(&a.verdict).then(a.since.cmp(&b.since)));
    }
    out.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(a.site.cmp(&b.site)));
    out
}
