//! `blast standards`: per site, whether the datacenter meets its standards: policy findings of
//! the repo (the built-in rules through the `PolicySource` seam), the
//! CIS benchmark reports (ConfigMaps `blast.io/report` in `blast-system` of every `--context`)
//! with the repo's waivers, and image vulnerabilities (Clair). Exit 0 when no site is degraded,
//! 1 when one is (policy errors, unwaived FAILs, Critical images), 3 when it could not run.

use std::process::ExitCode;

use serde_json::json;

use super::boot::{self, Boot};
use crate::clair::client::Client;
use crate::clair::images;
use crate::cli::{Cli, Format, StandardsArgs};
use crate::standards::{self, ImageVulns, Inputs, PolicySource, Rules, bench, waivers};

pub fn run(cli: &Cli, args: &StandardsArgs) -> ExitCode {
    match report(cli, args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("blast: {e}");
            ExitCode::from(3)
        }
    }
}

fn report(cli: &Cli, args: &StandardsArgs) -> Result<u8, String> {
    let boot = Boot::with_log(cli).map_err(|e| format!("{e:?}"))?;
    let root = boot.find_repo(cli).map_err(|e| format!("{e:?}"))?;
    let waivers = waivers::load(&root)?;
    let policy = Rules.findings(&root);
    let rt = boot::runtime().map_err(|e| e.to_string())?;
    let mut notes = Vec::new();
    if policy.is_none() {
        notes.push("policy: not checked (the repo could not be read)".to_string());
    }

    let (mut reports, report_notes) = rt.block_on(report_configmaps(cli));
    notes.extend(report_notes);
    for r in &mut reports {
        waivers::apply(r, &waivers);
    }

    let mut seen = images::repo_images(&root);
    let (live, live_notes) = rt.block_on(super::images::live_pods(cli));
    seen.extend(live);
    notes.extend(live_notes);
    let mut list = images::dedupe(seen);
    let mut clair = boot.config.clair.clone();
    if let Some(url) = &args.clair {
        clair.url = Some(url.clone());
    }
    match clair.endpoint(cli.kube.contexts.first().map(String::as_str))? {
        Some(ep) => {
            let client = Client::new(&ep)?;
            rt.block_on(super::images::fill_reports(&client, &mut list));
        }
        None => notes.push("images: no Clair configured ([clair] url or --clair)".into()),
    }
    list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let vulns: Vec<ImageVulns> = list.iter().map(ImageVulns::of).collect();
    let reports: Vec<(String, bench::Report)> =
        reports.into_iter().map(|r| (r.target.clone(), r)).collect();
    let sites = standards::per_site(&Inputs {
        policy: policy.as_deref(),
        reports: &reports,
        images: &vulns,
        ..Default::default()
    });
    if args.output.format() == Format::Json {
        let lines: Vec<_> = standards::bench_lines(&reports)
            .into_iter()
            .map(|(r, i)| {
                json!({"tool": r.tool, "target": r.target, "id": i.id, "section": i.section,
                       "section_desc": i.section_desc, "desc": i.desc, "outcome": i.outcome.label(),
                       "details": i.details, "remediation": i.remediation, "waiver": i.waiver})
            })
            .collect();
        let out = json!({
            "sites": sites,
            "benchmarks": lines,
            "images": list.iter().map(super::images::image_json).collect::<Vec<_>>(),
            "notes": notes,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", text(&sites, &reports, &list));
        for n in &notes {
            eprintln!("blast: {n}");
        }
    }
    Ok(u8::from(sites.iter().any(|s| s.degraded())))
}

/// Every report ConfigMap of every context; an unreadable one is a note naming it.
async fn report_configmaps(cli: &Cli) -> (Vec<bench::Report>, Vec<String>) {
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::{Api, ListParams};
    let mut reports = Vec::new();
    let mut notes = Vec::new();
    let clients = match super::boot::user_clients(cli).await {
        Ok(c) => c,
        Err(e) => {
            notes.push(format!("benchmarks not read: {e}"));
            return (reports, notes);
        }
    };
    for (name, client) in clients {
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                notes.push(format!("benchmarks not read: {e}"));
                continue;
            }
        };
        let api: Api<ConfigMap> = Api::namespaced(client, standards::NAMESPACE);
        let lp = ListParams::default()
            .labels(standards::REPORT_LABEL)
            .limit(100);
        let list = match api.list(&lp).await {
            Ok(l) => l,
            Err(e) => {
                notes.push(format!("benchmarks of {name} not read: {e}"));
                continue;
            }
        };
        for cm in list.items {
            let cm_name = cm.metadata.name.clone().unwrap_or_default();
            let labels = cm.metadata.labels.clone().unwrap_or_default();
            let Some(tool) = labels
                .get(standards::REPORT_LABEL)
                .and_then(|t| bench::Tool::from_label(t))
            else {
                notes.push(format!("{name}: ConfigMap {cm_name}: unknown report tool"));
                continue;
            };
            let target = labels
                .get(standards::TARGET_LABEL)
                .cloned()
                .unwrap_or_else(|| name.clone());
            let Some(text) = cm.data.as_ref().and_then(|d| d.get(standards::DATA_KEY)) else {
                notes.push(format!(
                    "{name}: ConfigMap {cm_name}: no {}",
                    standards::DATA_KEY
                ));
                continue;
            };
            match bench::parse(tool, text, &target) {
                Ok(r) => reports.push(r),
                Err(e) => notes.push(format!("{name}: ConfigMap {cm_name}: {e}")),
            }
        }
    }
    (reports, notes)
}

fn text(
    sites: &[standards::SiteStandards],
    reports: &[(String, bench::Report)],
    images: &[images::Image],
) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for site in sites {
        let state = if site.degraded() { "DEGRADED" } else { "ok" };
        let policy = match site.policy_errors {
            None => "policy not checked".to_string(),
            Some(n) => format!("{n} policy errors"),
        };
        let _ = writeln!(
            s,
            "{:<12} {:<8} {policy}; {} Critical image(s), {} unscanned",
            site.site, state, site.critical_images, site.unscanned_images
        );
        for b in &site.benches {
            let score = b
                .score_percent
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                s,
                "  {} {}: score {score}, {} FAIL, {} WARN, {} waived, {} pass",
                b.tool.label(),
                b.target,
                b.counts.fail,
                b.counts.warn,
                b.counts.waived,
                b.counts.pass
            );
        }
        for p in site.problems() {
            let _ = writeln!(s, "  ! {p}");
        }
    }
    let _ = writeln!(s, "\nBENCHMARK ITEMS (worst first)");
    for (r, i) in standards::bench_lines(reports) {
        let _ = writeln!(
            s,
            "{:<6} {} {} {} [{} {}] {}",
            i.outcome.label(),
            r.tool.label(),
            r.target,
            i.id,
            i.section,
            i.section_desc,
            i.desc
        );
        if let Some(w) = &i.waiver {
            let _ = writeln!(s, "       waived: {w}");
        } else if !i.remediation.is_empty() {
            let rem: String = i.remediation.chars().take(160).collect();
            let _ = writeln!(s, "       fix: {}", rem.replace('\n', " "));
        }
    }
    let critical: Vec<_> = images
        .iter()
        .filter(|i| i.at_or_above(crate::clair::Severity::Critical))
        .collect();
    if !critical.is_empty() {
        let _ = writeln!(s, "\nIMAGES WITH CRITICAL VULNERABILITIES");
        for i in critical {
            let _ = writeln!(s, "{} ({})", i.name(), i.digest.as_deref().unwrap_or("-"));
        }
    }
    s
}
