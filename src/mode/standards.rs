//! `blast standards`: per site, whether the datacenter meets its standards: policy findings of
//! the repo (the built-in rules) and live drift, the CIS benchmark reports (ConfigMaps
//! `blast.io/report` in `blast-system` of every site) with the repo's waivers, and image
//! vulnerabilities (the image store: Clair, Trivy Operator). The sites are read by the
//! Standards view's own watches and its lines derived by its own functions
//! (`app::live::standards`), so the two agree line by line. Exit 0 when no site is degraded,
//! 1 when one is (policy errors, unwaived FAILs, Critical images) or a manifest could not be
//! checked (it does not parse, is over the size cap or unreadable), 3 when it could not run.

use std::process::ExitCode;

use serde_json::json;

use super::boot::{self, Boot};
use crate::app::live::images as images_view;
use crate::app::live::standards::{self as std_view, StdRow};
use crate::app::nav::Route;
use crate::clair::images;
use crate::cli::{Cli, Format, StandardsArgs};
use crate::standards::{self, ImageVulns, bench};

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
    let client = super::images::clair_client(&boot, cli, args.clair.as_deref())?;
    let rt = boot::runtime().map_err(|e| e.to_string())?;
    // The repo's side as the console's indexer reads it: findings, what manifests pass
    // (drift), waivers.
    let repo = standards::scan_repo(&root);
    if let Err(e) = &repo.waivers {
        return Err(e.clone());
    }
    let mut notes = Vec::new();
    if repo.policy.is_none() {
        notes.push("policy: not checked (the repo could not be read)".to_string());
    }
    // The sites as the Standards view watches them (its own wants: report ConfigMaps,
    // workloads for drift, Clusters, Pods and Trivy's reports for the image store).
    let (live, live_notes) = rt.block_on(super::images::collect_live(
        &boot,
        cli,
        Route::Standards.wants(),
        args.timeout,
    ));
    notes.extend(live_notes);
    let rows = rt.block_on(super::images::store(&live, Some(&root), client.as_ref()));
    let vulns = images_view::vulns(&rows);
    if vulns.is_none() {
        notes.push(
            "images: no source (no Clair configured, [clair] url or --clair, and no Trivy report)"
                .into(),
        );
    }
    let View {
        sites,
        lines,
        reports,
    } = view(&live, &repo, vulns.as_deref());
    if args.output.format() == Format::Json {
        let benchmarks: Vec<_> = standards::bench_lines(&reports)
            .into_iter()
            .map(|(r, i)| {
                json!({"tool": r.tool, "target": r.target, "id": i.id, "section": i.section,
                       "section_desc": i.section_desc, "desc": i.desc, "outcome": i.outcome.label(),
                       "details": i.details, "remediation": i.remediation, "waiver": i.waiver})
            })
            .collect();
        let out = json!({
            "sites": sites,
            "lines": lines.iter().map(line_json).collect::<Vec<_>>(),
            "benchmarks": benchmarks,
            "images": rows.iter().map(super::images::row_json).collect::<Vec<_>>(),
            "notes": notes,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        let list: Vec<images::Image> = rows.iter().map(|r| r.image.clone()).collect();
        print!("{}", text(&sites, &reports, &list));
        for n in &notes {
            eprintln!("blast: {n}");
        }
    }
    // A manifest nobody could check is no pass either.
    Ok(u8::from(
        sites.iter().any(|s| s.degraded() || s.unchecked_files > 0),
    ))
}

/// What the Standards view shows of these inputs, by its own functions: the per-site roll-up,
/// its lines and the reports (waivers applied).
pub struct View {
    pub sites: Vec<standards::SiteStandards>,
    pub lines: Vec<StdRow>,
    pub reports: Vec<(String, bench::Report)>,
}

pub fn view(
    live: &crate::app::live::LiveState,
    repo: &standards::RepoSide,
    images: Option<&[ImageVulns]>,
) -> View {
    let g = std_view::gather(live, Some(repo));
    View {
        sites: std_view::per_site(&g, Some(repo), images),
        lines: std_view::rows(live, Some(repo), images, ""),
        reports: g.reports,
    }
}

/// A line of the Standards view as JSON: `blast standards --json`'s `lines`, in the view's
/// order.
pub fn line_json(r: &StdRow) -> serde_json::Value {
    json!({
        "site": r.site,
        "header": r.header,
        "level": r.level.label(),
        "area": r.area,
        "id": r.id,
        "subject": r.subject,
        "detail": r.detail,
    })
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
            Some(n) if site.unchecked_files > 0 => {
                format!(
                    "{n} policy errors, {} file(s) not checked",
                    site.unchecked_files
                )
            }
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
        for u in &site.unchecked {
            let _ = writeln!(s, "  ? not checked: {}: {}", u.source(), u.reason);
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
