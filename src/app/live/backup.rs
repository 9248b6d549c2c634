//! Backup (Kasten K10) per site: policies with their last run, last success, next due time and
//! whether they are overdue; location profiles and their validity; the recent actions.
//!
//! A Policy's status has no last-run result: runs are the RunActions labelled with its name
//! (`k10.kasten.io/policyName`), their subordinate Backup/Export actions carry the run's name.

use super::fleet::Verdict;
use super::storage::stale_since;
use super::{LiveState, ObjKey, Source, SourceId};
use crate::model::kinds::{
    K10_BACKUP_ACTION, K10_EXPORT_ACTION, K10_POLICY, K10_PROFILE, K10_RESTORE_ACTION,
    K10_RUN_ACTION, KindInfo,
};
use crate::model::{K10Action, K10Policy, LiveObject, Time};

pub const KINDS: [KindInfo; 6] = [
    K10_POLICY,
    K10_PROFILE,
    K10_RUN_ACTION,
    K10_BACKUP_ACTION,
    K10_EXPORT_ACTION,
    K10_RESTORE_ACTION,
];

const ACTION_KINDS: [KindInfo; 4] = [
    K10_RUN_ACTION,
    K10_BACKUP_ACTION,
    K10_EXPORT_ACTION,
    K10_RESTORE_ACTION,
];

/// A policy or a location profile.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupRow {
    pub site: SourceId,
    /// `Policy` | `Profile`.
    pub kind: &'static str,
    pub key: ObjKey,
    /// Policies: what they protect; profiles: the object store.
    pub protects: String,
    /// `@daily` and retention, or the profile's type.
    pub schedule: String,
    /// The last run's state and start, for policies.
    pub last_run: Option<(String, Option<Time>)>,
    pub last_success: Option<Time>,
    pub next_due: Option<Time>,
    pub overdue: bool,
    /// Validation, pause, the last failure's message.
    pub detail: String,
    pub verdict: Verdict,
    pub stale_since: Option<Time>,
    pub broken: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionRow {
    pub site: SourceId,
    pub key: ObjKey,
    /// `run`, `backup`, `export`, `restore`.
    pub action: &'static str,
    pub policy: Option<String>,
    pub subject: Option<String>,
    pub state: String,
    pub started: Option<Time>,
    /// End minus start; for a running action, `None`.
    pub duration: Option<i64>,
    pub progress: Option<u32>,
    pub error: Option<String>,
    pub verdict: Verdict,
}

fn action_verdict(a: &K10Action) -> Verdict {
    match a.state.as_deref() {
        Some("Complete") => Verdict::Healthy,
        Some("Running" | "Pending") => Verdict::Progressing,
        Some("AttemptFailed") => Verdict::Degraded,
        Some("Failed") => Verdict::Failed,
        Some("Skipped" | "Cancelled") => Verdict::Unknown,
        _ => Verdict::Unknown,
    }
}

fn actions(src: &Source) -> impl Iterator<Item = &K10Action> {
    ACTION_KINDS
        .iter()
        .flat_map(move |k| src.objects(k))
        .filter_map(|o| match o {
            LiveObject::K10Action(a) => Some(a),
            _ => None,
        })
}

/// Policies and profiles of every site, worst first.
pub fn rows(live: &LiveState, filter: &str) -> Vec<BackupRow> {
    let mut out = Vec::new();
    for src in live.sources.values() {
        site_rows(src, live.now, &mut out);
    }
    if !filter.is_empty() {
        let f = filter.to_lowercase();
        out.retain(|r| {
            r.site.to_lowercase().contains(&f)
                || r.key.name.to_lowercase().contains(&f)
                || r.protects.to_lowercase().contains(&f)
                || r.verdict.label().contains(&f)
        });
    }
    out.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then(a.site.cmp(&b.site))
            .then(a.kind.cmp(b.kind))
            .then(a.key.cmp(&b.key))
    });
    out
}

fn policy_row(src: &Source, now: Time, p: &K10Policy) -> BackupRow {
    let runs: Vec<&K10Action> = actions(src)
        .filter(|a| a.action == crate::model::ActionKind::Run)
        .filter(|a| a.policy.as_deref() == Some(p.meta.name.as_str()))
        .collect();
    let last = runs.iter().max_by_key(|a| a.at());
    let last_success = runs
        .iter()
        .filter(|a| a.complete())
        .filter_map(|a| a.ended.or(a.at()))
        .max();
    let interval = p.max_interval();
    let base = interval.map(|i| i * 4 / 5);
    let next_due = match (base, last.and_then(|a| a.at()).or(last_success)) {
        (Some(b), Some(t)) => Some(t + b),
        _ => None,
    };
    // Overdue: no success within the policy's interval (allowing for the run), counting from
    // the policy's creation when it never succeeded.
    let overdue = !p.paused
        && match (interval, last_success.or(p.meta.created)) {
            (Some(i), Some(t)) => now - t > i,
            _ => false,
        };
    let mut verdict = match last.map(|a| action_verdict(a)) {
        Some(v) => v,
        None if p.frequency.as_deref() == Some("@onDemand") => Verdict::Healthy,
        None => Verdict::Unknown,
    };
    if overdue {
        verdict = verdict.max(Verdict::Failed);
    }
    let mut detail = Vec::new();
    if p.validation.as_deref() == Some("Failed") {
        verdict = Verdict::Failed;
        detail.push("policy validation failed".to_string());
    }
    if p.paused {
        detail.push("paused".into());
    }
    if let Some(err) = last.and_then(|a| a.error.clone()) {
        detail.push(err);
    }
    if !p.actions.is_empty() {
        detail.push(format!(
            "{}{}",
            p.actions.join("+"),
            p.export_profile
                .as_ref()
                .map(|x| format!(" → {x}"))
                .unwrap_or_default()
        ));
    }
    BackupRow {
        site: src.id.clone(),
        kind: "Policy",
        key: ObjKey::new(p.meta.namespace.as_deref(), &p.meta.name),
        protects: if p.selector.is_empty() {
            "all applications".into()
        } else {
            p.selector.clone()
        },
        schedule: [p.frequency.clone().unwrap_or_default(), p.retention.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        last_run: last.map(|a| (a.state.clone().unwrap_or_else(|| "Pending".into()), a.at())),
        last_success,
        next_due,
        overdue,
        detail: detail.join("; "),
        verdict,
        stale_since: stale_since(src),
        broken: None,
    }
}

pub fn site_rows(src: &Source, now: Time, out: &mut Vec<BackupRow>) {
    for o in src.objects(&K10_POLICY) {
        if let LiveObject::K10Policy(p) = o {
            out.push(policy_row(src, now, p));
        }
    }
    for o in src.objects(&K10_PROFILE) {
        let LiveObject::K10Profile(p) = o else {
            continue;
        };
        let verdict = match p.validation.as_deref() {
            Some("Success") => Verdict::Healthy,
            Some("Failed") => Verdict::Failed,
            _ => Verdict::Unknown,
        };
        out.push(BackupRow {
            site: src.id.clone(),
            kind: "Profile",
            key: ObjKey::new(p.meta.namespace.as_deref(), &p.meta.name),
            protects: p.target.clone().unwrap_or_default(),
            schedule: [p.type_.clone(), p.location.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            last_run: None,
            last_success: None,
            next_due: None,
            overdue: false,
            detail: format!(
                "validation {}",
                p.validation.as_deref().unwrap_or("pending")
            ),
            verdict,
            stale_since: stale_since(src),
            broken: None,
        });
    }
    for kind in [K10_POLICY, K10_PROFILE] {
        for (key, error) in src.broken(&kind) {
            out.push(BackupRow {
                site: src.id.clone(),
                kind: if kind == K10_POLICY {
                    "Policy"
                } else {
                    "Profile"
                },
                key: key.clone(),
                protects: String::new(),
                schedule: String::new(),
                last_run: None,
                last_success: None,
                next_due: None,
                overdue: false,
                detail: error.to_string(),
                verdict: Verdict::Failed,
                stale_since: stale_since(src),
                broken: Some(error.to_string()),
            });
        }
    }
}

/// Recent actions, newest first: of one policy (its runs and their subordinate actions) or of
/// every policy of the site when `policy` is `None`; only failed ones with `failures`.
pub fn action_rows(
    live: &LiveState,
    site: Option<&str>,
    policy: Option<&str>,
    failures: bool,
    limit: usize,
) -> Vec<ActionRow> {
    let mut out = Vec::new();
    for src in live.sources.values() {
        if site.is_some_and(|s| s != src.id) {
            continue;
        }
        let runs_of_policy: Vec<&str> = match policy {
            Some(p) => actions(src)
                .filter(|a| a.policy.as_deref() == Some(p))
                .map(|a| a.meta.name.as_str())
                .collect(),
            None => vec![],
        };
        for a in actions(src) {
            if let Some(p) = policy {
                let mine = a.policy.as_deref() == Some(p)
                    || a.run_action
                        .as_deref()
                        .is_some_and(|r| runs_of_policy.contains(&r));
                if !mine {
                    continue;
                }
            }
            let verdict = action_verdict(a);
            if failures && verdict < Verdict::Degraded {
                continue;
            }
            out.push(ActionRow {
                site: src.id.clone(),
                key: ObjKey::new(a.meta.namespace.as_deref(), &a.meta.name),
                action: a.action.label(),
                policy: a.policy.clone(),
                subject: a.subject.clone(),
                state: a.state.clone().unwrap_or_else(|| "Pending".into()),
                started: a.at(),
                duration: match (a.started, a.ended) {
                    (Some(s), Some(e)) => Some(e - s),
                    _ => None,
                },
                progress: a.progress,
                error: a.error.clone(),
                verdict,
            });
        }
    }
    out.sort_by(|a, b| b.started.cmp(&a.started).then(a.key.cmp(&b.key)));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::live::{Entry, LiveMsg};
    use crate::model::kinds;

    fn obj(kind: &KindInfo, yaml: &str) -> (ObjKey, Entry) {
        let v: serde_json::Value = crate::repo::yaml_serde::from_str(yaml).unwrap();
        let o = crate::model::parse(kind, &v).unwrap().unwrap();
        (
            ObjKey::new(o.meta().namespace.as_deref(), &o.meta().name),
            Entry::Ok(o),
        )
    }

    fn live(now: Time, runs: &[(&str, &str, &str)]) -> LiveState {
        let mut live = LiveState::default();
        live.apply(LiveMsg::SourceAdded {
            source: "edge".into(),
            root: false,
        });
        let reset = |kind: &'static KindInfo, objects| LiveMsg::Reset {
            source: "edge".into(),
            kind,
            objects,
            at: now,
        };
        live.apply(reset(
            &kinds::K10_POLICY,
            vec![obj(
                &kinds::K10_POLICY,
                "metadata: {name: daily, namespace: kasten-io, creationTimestamp: '2026-09-01T00:00:00Z'}\nspec: {frequency: '@daily'}\n",
            )],
        ));
        live.apply(reset(
            &kinds::K10_RUN_ACTION,
            runs.iter()
                .map(|(name, state, start)| {
                    obj(
                        &kinds::K10_RUN_ACTION,
                        &format!("metadata: {{name: {name}, namespace: kasten-io, labels: {{k10.kasten.io/policyName: daily}}}}\nstatus: {{state: {state}, startTime: '{start}', endTime: '{start}'}}\n"),
                    )
                })
                .collect(),
        ));
        live
    }

    #[test]
    fn last_run_success_and_overdue() {
        let now = crate::model::parse_time("2026-09-21T12:00:00Z").unwrap();
        let l = live(
            now,
            &[
                ("r1", "Complete", "2026-09-21T01:00:00Z"),
                ("r2", "Failed", "2026-09-21T02:00:00Z"),
            ],
        );
        let got = rows(&l, "");
        let p = &got[0];
        assert_eq!(p.last_run.as_ref().unwrap().0, "Failed");
        assert!(!p.overdue, "the last success is 11 h old: {p:?}");
        assert_eq!(p.verdict, Verdict::Failed);
        // Two days without success: overdue.
        let later = now + 2 * 86_400;
        let l = live(later, &[("r1", "Complete", "2026-09-20T02:00:00Z")]);
        let got = rows(&l, "");
        assert!(got[0].overdue);
        assert_eq!(got[0].verdict, Verdict::Failed);
        let acts = action_rows(&l, None, Some("daily"), false, 10);
        assert_eq!(acts.len(), 1);
        assert!(action_rows(&l, None, Some("daily"), true, 10).is_empty());
    }
}
