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
    /// Policy (repo and drift), CIS benchmarks, image vulnerabilities (`add_standards`).
    pub standards: Option<Area>,
    pub verdict: Verdict,
    pub problems: Vec<SummaryProblem>,
}

impl SiteSummary {
    pub fn areas(&self) -> [(&'static str, Option<&Area>); 5] {
        [
            ("fleet", self.fleet.as_ref()),
            ("storage", self.storage.as_ref()),
            ("backup", self.backup.as_ref()),
            ("gitops", self.gitops.as_ref()),
            ("standards", self.standards.as_ref()),
        ]
    }
}

/// Adds the standards to the summaries (`overview`'s): each site's standards area and its
/// problems (policy errors, drift, unwaived benchmark FAILs and Critical images degrade it;
/// a manifest the policy rules could not read leaves it unknown; WARN, High and waived items
/// do not count). What every site shares (`standards::SHARED`) counts
/// on the management clusters, which deploy it. Sites sorted again, worst first.
pub fn add_standards(
    sites: &mut [SiteSummary],
    standards: &[crate::standards::SiteStandards],
    images_known: bool,
) {
    for st in standards {
        let shared = st.site == crate::standards::SHARED;
        let verdict = super::standards::verdict(st);
        // Nothing known (no repo read, no report, no image data): no area, rather than one
        // that looks fine for want of data.
        let known =
            st.policy_errors.is_some() || !st.benches.is_empty() || st.drift > 0 || images_known;
        if !known {
            continue;
        }
        for s in sites
            .iter_mut()
            .filter(|s| if shared { s.root } else { s.site == st.site })
        {
            if !shared {
                s.standards = Some(Area {
                    verdict,
                    text: super::standards::site_text(st, images_known),
                });
            }
            for (degrades, p) in st.weighed_problems() {
                s.problems.push(SummaryProblem {
                    area: "standards",
                    object: format!("Standards {}", st.site),
                    message: p,
                    since: None,
                    // A manifest not checked: the site's standards are not known, not bad.
                    verdict: if degrades {
                        Verdict::Degraded
                    } else {
                        Verdict::Unknown
                    },
                });
            }
            // Degraded, or unknown while a manifest could not be checked (never healthy).
            s.verdict = s.verdict.max(verdict);
            s.problems
                .sort_by(|a, b| b.verdict.cmp(&a.verdict).then(a.since.cmp(&b.since)));
        }
    }
    sites.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(a.site.cmp(&b.site)));
}

fn worst<'a>(vs: impl Iterator<Item = &'a Verdict>) -> Verdict {
    vs.copied().max().unwrap_or(Verdict::Healthy)
}

/// An area whose kinds RBAC refused on a source cannot be judged: it says so (verdict
/// unknown, a problem naming the kinds) instead of looking healthy for want of objects. The
/// fleet and GitOps kinds of a management cluster speak for the sites it manages too (their
/// Clusters and Applications live there).
fn forbidden_areas(
    live: &LiveState,
    fleet_rows: &[fleet::FleetRow],
    sites: &mut BTreeMap<String, SiteSummary>,
) {
    let areas: [(&'static str, &[crate::model::kinds::KindInfo]); 4] = [
        ("fleet", &fleet::KINDS),
        ("storage", &storage::KINDS),
        ("backup", &backup::KINDS),
        ("gitops", &gitops::KINDS),
    ];
    for src in live.sources.values() {
        for (area, kinds) in areas {
            let mut refused = Vec::new();
            let mut why = String::new();
            for k in kinds {
                if let Some(super::KindStatus::Forbidden { message }) =
                    src.store(k).map(|st| &st.status)
                {
                    refused.push(k.plural);
                    why = message.clone();
                }
            }
            if refused.is_empty() {
                continue;
            }
            let text = format!("forbidden: {} on {}", refused.join(", "), src.id);
            let mut targets = vec![src.id.clone()];
            if src.root && matches!(area, "fleet" | "gitops") {
                targets.extend(
                    fleet_rows
                        .iter()
                        .filter(|r| r.source == src.id)
                        .map(|r| r.key.name.clone()),
                );
            }
            for site in targets {
                let Some(s) = sites.get_mut(&site) else {
                    continue;
                };
                let slot = match area {
                    "fleet" => &mut s.fleet,
                    "storage" => &mut s.storage,
                    "backup" => &mut s.backup,
                    _ => &mut s.gitops,
                };
                let verdict = slot.as_ref().map_or(Verdict::Unknown, |a| a.verdict);
                *slot = Some(Area {
                    verdict: verdict.max(Verdict::Unknown),
                    text: match slot.take() {
                        Some(a) => format!("{} · {text}", a.text),
                        None => text.clone(),
                    },
                });
                s.problems.push(SummaryProblem {
                    area,
                    object: format!("{} on {}", refused.join(", "), src.id),
                    message: format!("forbidden: {why}"),
                    since: None,
                    verdict: Verdict::Unknown,
                });
            }
        }
    }
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
        standards: None,
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
    forbidden_areas(live, &fleet_rows, &mut sites);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::live::{Entry, KindStatus, LiveMsg, ObjKey};
    use crate::model::kinds::{APPLICATION, SEALED_SECRET};

    /// A user who may read SealedSecrets but not Argo CD's Applications: GitOps is unknown and
    /// says forbidden, rather than "healthy" for want of Applications.
    #[test]
    fn a_forbidden_kind_makes_its_area_unknown_not_healthy() {
        let mut live = LiveState::default();
        live.apply(LiveMsg::SourceAdded {
            source: "mgmt".into(),
            root: true,
        });
        let ss = serde_json::json!({
            "apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret",
            "metadata": {"name": "s", "namespace": "argocd"},
            "status": {"conditions": [{"type": "Synced", "status": "True"}]},
        });
        let entry = Entry::Ok(crate::model::parse(&SEALED_SECRET, &ss).unwrap().unwrap());
        live.apply(LiveMsg::Reset {
            source: "mgmt".into(),
            kind: &SEALED_SECRET,
            objects: vec![(ObjKey::new(Some("argocd"), "s"), entry)],
            at: 100,
        });
        let message = "applications.argoproj.io is forbidden: User \"partial\" cannot list".into();
        live.apply(LiveMsg::Status {
            source: "mgmt".into(),
            kind: &APPLICATION,
            status: KindStatus::Forbidden { message },
            at: 100,
        });
        let sites = overview(&live, Thresholds::default(), &Revisions::new());
        let gitops = sites[0].gitops.as_ref().expect("a GitOps area");
        assert_eq!(gitops.verdict, Verdict::Unknown, "{gitops:?}");
        assert!(
            gitops.text.contains("forbidden: applications on mgmt"),
            "{}",
            gitops.text
        );
        assert!(
            sites[0]
                .problems
                .iter()
                .any(|p| p.area == "gitops" && p.message.contains("cannot list")),
            "{:?}",
            sites[0].problems
        );
        assert_eq!(sites[0].verdict, Verdict::Unknown);
    }
}
