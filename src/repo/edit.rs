//! The quick actions' edits on one document of a file (scale, Kubernetes and Talos versions,
//! Argo CD sync and K10 backup switches), made with the byte-preserving scalar editor of
//! `yaml_edit.rs`: nothing but the named scalars changes.

use saphyr_parser::ScalarStyle;

pub use super::yaml_edit::{
    EditError, Quote, ScalarAt, find_scalar, insert_scalar, set_or_insert, set_scalar,
};
use super::yaml_edit::{Found, Kind, RawScalar, Splice, find_node, plain_kind, render, splice};

// --- Quick actions on one document of a file.

/// A quick action: which kinds it applies to and the scalar(s) it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `spec.replicas` of a MachineDeployment or TalosControlPlane.
    Scale(u32),
    /// The Kubernetes version: TalosControlPlane `spec.version`, MachineDeployment
    /// `spec.template.spec.version`.
    KubernetesVersion(String),
    /// The Talos version (`vMAJOR.MINOR.PATCH`) of a TalosControlPlane, TalosConfigTemplate or
    /// TalosConfig: the tag of the installer image (`machine.install.image`) written in its
    /// `strategicPatches` (block scalars holding Talos machine-config patches), edited in place
    /// inside the block scalar's text; when the minor version changes, also the `talosVersion`
    /// contract scalar beside them (`vMAJOR.MINOR`; left alone when not set). In this repo the
    /// installer lives in the TalosControlPlane and TalosConfigTemplate; MachineDeployments hold
    /// none. Refused: no installer image, several that disagree, one set by a JSON6902
    /// `configPatches` entry, one in a patch that is not a literal block scalar (`|`).
    TalosVersion(String),
    /// Argo CD Application (`spec.syncPolicy.automated.enabled`) or ApplicationSet
    /// (`spec.template.spec.syncPolicy.automated.enabled`, Argo CD 3.x): `enabled: false`,
    /// inserted after the `automated:` line when absent. Refused when `automated` is not set
    /// (automated sync is already off) or is a flow mapping without `enabled`.
    SuspendSync,
    /// The inverse of [`Action::SuspendSync`]: `enabled: true`. Refused when `automated` is not
    /// set (that would invent a sync policy) or `enabled` is absent or true (already on).
    ResumeSync,
    /// K10 Policy (`config.kio.kasten.io`): `spec.paused: true`, inserted after the `spec:` line
    /// when absent. `paused` is the Policy's own pause switch (K10 docs, "Policy API Type";
    /// summarised in `/work/shared/reference/status-fields.md` §11 — K10 publishes no CRD files).
    PauseBackup,
    /// The inverse of [`Action::PauseBackup`]: `spec.paused: false`. Refused when `paused` is
    /// absent or false (not paused).
    ResumeBackup,
}

impl Action {
    /// The path it sets in an object of `kind`, or `None` when it does not apply. For the sync
    /// and backup switches it is the flag, whether written or about to be inserted. For
    /// [`Action::TalosVersion`] it is the `talosVersion` contract scalar; the installer tags it
    /// also sets live inside block scalars and have no path of their own.
    pub fn path(&self, kind: &str) -> Option<&'static [&'static str]> {
        match (self, kind) {
            (Action::Scale(_), "MachineDeployment" | "TalosControlPlane" | "MachineSet") => {
                Some(&["spec", "replicas"])
            }
            (Action::KubernetesVersion(_), "TalosControlPlane") => Some(&["spec", "version"]),
            (Action::KubernetesVersion(_), "MachineDeployment" | "MachineSet") => {
                Some(&["spec", "template", "spec", "version"])
            }
            (Action::TalosVersion(_), "TalosControlPlane") => {
                Some(&["spec", "controlPlaneConfig", "controlplane", "talosVersion"])
            }
            (Action::TalosVersion(_), "TalosConfigTemplate") => {
                Some(&["spec", "template", "spec", "talosVersion"])
            }
            (Action::TalosVersion(_), "TalosConfig") => Some(&["spec", "talosVersion"]),
            (Action::SuspendSync | Action::ResumeSync, "Application") => {
                Some(&["spec", "syncPolicy", "automated", "enabled"])
            }
            (Action::SuspendSync | Action::ResumeSync, "ApplicationSet") => Some(&[
                "spec",
                "template",
                "spec",
                "syncPolicy",
                "automated",
                "enabled",
            ]),
            (Action::PauseBackup | Action::ResumeBackup, "Policy") => Some(&["spec", "paused"]),
            _ => None,
        }
    }

    /// Whether it applies to an object of `kind` (the API group is checked by [`apply`]).
    pub fn applies_to(&self, kind: &str) -> bool {
        self.path(kind).is_some()
    }

    /// The value it writes (for the switches: the flag's new value).
    pub fn value(&self) -> String {
        match self {
            Action::Scale(n) => n.to_string(),
            Action::KubernetesVersion(v) | Action::TalosVersion(v) => v.clone(),
            Action::SuspendSync | Action::ResumeBackup => "false".into(),
            Action::ResumeSync | Action::PauseBackup => "true".into(),
        }
    }

    /// The commit message line for it: `scale workers 3 -> 4`.
    pub fn describe(&self, kind: &str, name: &str, old: &str) -> String {
        match self {
            Action::Scale(n) => format!("scale {kind} {name} {old} -> {n}"),
            Action::KubernetesVersion(v) => format!("{kind} {name}: Kubernetes {old} -> {v}"),
            Action::TalosVersion(v) => format!("{kind} {name}: Talos {old} -> {v}"),
            Action::SuspendSync => format!("{kind} {name}: suspend automated sync"),
            Action::ResumeSync => format!("{kind} {name}: resume automated sync"),
            Action::PauseBackup => format!("{kind} {name}: pause backups"),
            Action::ResumeBackup => format!("{kind} {name}: resume backups"),
        }
    }
}

/// Applies `action` to document `doc` (of kind `kind`) of `text`: the new text and the old
/// value. The old value is the scalar's text; for the switches the flag's effective value
/// before (`true` for an absent `enabled`, `false` for an absent `paused`); for
/// [`Action::TalosVersion`] the installer tag.
pub fn apply(
    text: &str,
    doc: usize,
    kind: &str,
    action: &Action,
) -> Result<(String, String), EditError> {
    let path = action
        .path(kind)
        .ok_or_else(|| EditError(format!("{action:?} does not apply to a {kind}")))?;
    match action {
        Action::Scale(_) | Action::KubernetesVersion(_) => {
            let at = find_scalar(text, doc, path)?;
            if let Action::KubernetesVersion(v) = action {
                kubernetes_version(v).map_err(EditError)?;
            }
            let new = set_scalar(text, doc, path, &action.value())?;
            Ok((new, at.value))
        }
        Action::TalosVersion(v) => talos_version(text, doc, kind, v),
        Action::SuspendSync | Action::ResumeSync => {
            check_group(text, doc, kind, "argoproj.io")?;
            let (map, key) = path.split_at(path.len() - 1);
            let suspend = *action == Action::SuspendSync;
            match find_node(text, doc, map) {
                Ok(Found::Map(_)) => {}
                Ok(Found::Scalar(s)) if plain_kind(&s.value) == Kind::Null => {
                    return Err(off_already(suspend));
                }
                Ok(_) => {
                    return Err(EditError(format!(
                        "{} is not a mapping: edit it by hand",
                        map.join(".")
                    )));
                }
                Err(e) if e.0.contains("is not set") => return Err(off_already(suspend)),
                Err(e) => return Err(e),
            }
            let already = if suspend {
                "automated sync is already suspended (enabled: false)"
            } else {
                "automated sync is already on"
            };
            switch(text, doc, map, key[0], !suspend, true, already)
        }
        Action::PauseBackup | Action::ResumeBackup => {
            check_group(text, doc, kind, "config.kio.kasten.io")?;
            let (map, key) = path.split_at(path.len() - 1);
            let pause = *action == Action::PauseBackup;
            let already = if pause {
                "the policy is already paused"
            } else {
                "the policy is not paused"
            };
            switch(text, doc, map, key[0], pause, false, already)
        }
    }
}

fn off_already(suspend: bool) -> EditError {
    EditError(if suspend {
        "automated sync is already off (no syncPolicy.automated)".into()
    } else {
        "automated sync is off (no syncPolicy.automated): resuming would invent a sync policy; \
         set one by hand"
            .into()
    })
}

/// Refuses a document whose `apiVersion` is not in `group` (a `Policy` may be Kyverno's, an
/// `Application` K10's).
fn check_group(text: &str, doc: usize, kind: &str, group: &str) -> Result<(), EditError> {
    let api = find_scalar(text, doc, &["apiVersion"])?.value;
    if api.split('/').next() == Some(group) && api.contains('/') {
        Ok(())
    } else {
        Err(EditError(format!("this {kind} is {api}, not {group}")))
    }
}

/// Sets the boolean `key` of the mapping at `map` to `to`, inserting it when absent (`absent`
/// is what an absent key means). `already`: the refusal when it is `to` already.
fn switch(
    text: &str,
    doc: usize,
    map: &[&str],
    key: &str,
    to: bool,
    absent: bool,
    already: &str,
) -> Result<(String, String), EditError> {
    let mut path = map.to_vec();
    path.push(key);
    let now = match find_scalar(text, doc, &path) {
        Ok(at) => {
            let b = match (at.quote, at.value.as_str()) {
                (Quote::Plain, "true" | "True" | "TRUE") => true,
                (Quote::Plain, "false" | "False" | "FALSE") => false,
                _ => {
                    return Err(EditError(format!(
                        "{} is {:?}, not a boolean: edit it by hand",
                        path.join("."),
                        at.value
                    )));
                }
            };
            Some(b)
        }
        Err(e) if e.0.contains("is not set") => None,
        Err(e) => return Err(e),
    };
    if now.unwrap_or(absent) == to {
        return Err(EditError(already.into()));
    }
    let new = match now {
        Some(_) => set_scalar(text, doc, &path, &to.to_string())?,
        None => insert_scalar(text, doc, map, key, &to.to_string())?,
    };
    Ok((new, now.unwrap_or(absent).to_string()))
}

/// A Kubernetes version as Cluster API takes it: `v` and a semantic version (semver.org 2.0:
/// `MAJOR.MINOR.PATCH` without leading zeros, then an optional `-pre.release` and `+build`
/// whose dot-separated identifiers are non-empty `[0-9A-Za-z-]`), as
/// `v1.36.3`, `v1.35.5+k3s1`, `v1.37.0-rc.1`. Cluster API parses versions with blang/semver,
/// which refuses anything else (its `KubeSemver` webhook regex and the CRD patterns are looser:
/// they admit `v1.36.3+`), so the console refuses it before writing and `blast check` reports
/// it (`schema::kubernetes_versions`). The numbers are returned.
pub fn kubernetes_version(v: &str) -> Result<(u64, u64, u64), String> {
    let bad =
        |why: &str| format!("{v:?} is not a Kubernetes version (v + semver, as v1.36.3): {why}");
    let rest = v
        .strip_prefix('v')
        .ok_or_else(|| bad("it must start with v"))?;
    let (core, build) = match rest.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (rest, None),
    };
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core, None),
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(b) = build
        && !b.split('.').all(ident)
    {
        return Err(bad("the build after + is empty or not [0-9A-Za-z-.]"));
    }
    if let Some(p) = pre
        && !p
            .split('.')
            .all(|x| ident(x) && !(numeric(x) && x.len() > 1 && x.starts_with('0')))
    {
        return Err(bad("the pre-release after - is empty or not [0-9A-Za-z-.]"));
    }
    let nums: Vec<&str> = core.split('.').collect();
    if nums.len() != 3
        || !nums
            .iter()
            .all(|n| numeric(n) && !(n.len() > 1 && n.starts_with('0')))
    {
        return Err(bad(
            "MAJOR.MINOR.PATCH must be three numbers without leading zeros",
        ));
    }
    let n = |i: usize| {
        nums[i]
            .parse::<u64>()
            .map_err(|_| bad("a number is too large"))
    };
    Ok((n(0)?, n(1)?, n(2)?))
}

/// `vMAJOR.MINOR.PATCH` as numbers.
fn semver(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.strip_prefix('v')?.split('.');
    let mut num = || {
        let p = it.next()?;
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse::<u64>().ok()
    };
    let v = (num()?, num()?, num()?);
    it.next().is_none().then_some(v)
}

/// Where the Talos machine config of an object of `kind` lives (TalosConfigSpecs).
fn talos_configs(kind: &str) -> &'static [&'static [&'static str]] {
    match kind {
        "TalosControlPlane" => &[
            &["spec", "controlPlaneConfig", "controlplane"],
            &["spec", "controlPlaneConfig", "init"],
        ],
        "TalosConfigTemplate" => &[&["spec", "template", "spec"]],
        "TalosConfig" => &[&["spec"]],
        _ => &[],
    }
}

/// An installer image written in a block scalar: the byte range of its tag in the file.
#[derive(Debug)]
struct InstallerAt {
    tag_start: usize,
    tag_end: usize,
    image: String,
}

/// The installer images (`machine.install.image`) of the strategic patches at `patches` in
/// document `doc`: located by parsing each patch's text, then placed in the file.
fn installer_images(
    text: &str,
    doc: usize,
    patches: &[&str],
) -> Result<Vec<InstallerAt>, EditError> {
    let parsed = crate::repo::yaml::parse(text);
    let Some(root) = parsed.docs.get(doc).and_then(|d| d.root.as_ref()) else {
        return Ok(vec![]);
    };
    let mut node = root;
    for p in patches {
        match node.get(p) {
            Some(n) => node = n,
            None => return Ok(vec![]),
        }
    }
    let crate::repo::yaml::Value::Seq(items) = &node.value else {
        return Ok(vec![]);
    };
    let mut out = vec![];
    for i in 0..items.len() {
        let index = i.to_string();
        let mut path = patches.to_vec();
        path.push(&index);
        let name = format!("{}[{i}]", patches.join("."));
        let raw = match find_node(text, doc, &path)? {
            Found::Scalar(raw) => raw,
            _ => continue,
        };
        let inner = crate::repo::yaml::parse(&raw.value);
        if let Some(e) = &inner.error {
            return Err(EditError(format!(
                "{name} is not YAML (line {}: {}): edit it by hand",
                e.pos.line, e.message
            )));
        }
        for (j, d) in inner.docs.iter().enumerate() {
            let has = d.root.as_ref().is_some_and(|r| {
                r.get("machine")
                    .and_then(|m| m.get("install"))
                    .and_then(|m| m.get("image"))
                    .is_some()
            });
            if !has {
                continue;
            }
            if raw.style != ScalarStyle::Literal || raw.anchored {
                return Err(EditError(format!(
                    "{name} holds machine.install.image but is not a literal block scalar (|): \
                     edit it by hand"
                )));
            }
            let at = find_scalar(&raw.value, j, &["machine", "install", "image"])
                .map_err(|e| EditError(format!("{name}: {e}")))?;
            let start = place_in_block(text, &raw, &at).ok_or_else(|| {
                EditError(format!(
                    "{name}: cannot place machine.install.image in the file: edit it by hand"
                ))
            })?;
            let written = &text[start..start + (at.end - at.start)];
            let off = if at.quote == Quote::Plain { 0 } else { 1 };
            let image = &at.value;
            if written.get(off..off + image.len()) != Some(image.as_str()) {
                return Err(EditError(format!(
                    "{name}: the installer image is escaped: edit it by hand"
                )));
            }
            if image.contains('@') {
                return Err(EditError(format!(
                    "{name}: the installer image {image} is pinned by digest: edit it by hand"
                )));
            }
            let slash = image.rfind('/').map_or(0, |i| i + 1);
            let Some(colon) = image[slash..].rfind(':').map(|c| slash + c) else {
                return Err(EditError(format!(
                    "{name}: the installer image {image} has no tag"
                )));
            };
            out.push(InstallerAt {
                tag_start: start + off + colon + 1,
                tag_end: start + off + image.len(),
                image: image.clone(),
            });
        }
    }
    Ok(out)
}

/// The byte in `text` where the scalar `at` (found in the block scalar `raw`'s value) is
/// written, checked byte for byte; `None` when it cannot be placed.
fn place_in_block(text: &str, raw: &RawScalar, at: &ScalarAt) -> Option<usize> {
    // The parser starts a block scalar's span at its content. The header (`|`, indicators,
    // comment) is the last line before it that is not blank; the value's first line is the
    // line after the header.
    let line_of = |b: usize| text[..b].rfind('\n').map_or(0, |i| i + 1);
    let mut header = line_of(raw.start);
    loop {
        header = line_of(header.checked_sub(1)?);
        let line = &text[header..header + text[header..].find('\n')?];
        if !line.trim().is_empty() {
            break;
        }
    }
    let header_line = &text[header..];
    if !header_line[..header_line.find('\n')?].contains('|') {
        return None;
    }
    let value = &raw.value;
    let vline_start = value[..at.start].rfind('\n').map_or(0, |i| i + 1);
    let vline_end = value[at.start..]
        .find('\n')
        .map_or(value.len(), |i| at.start + i);
    let vline = &value[vline_start..vline_end];
    let mut line_start = header + text[header..].find('\n')? + 1;
    for _ in 0..value[..vline_start].matches('\n').count() {
        line_start += text[line_start..].find('\n')? + 1;
    }
    let line_end = line_start
        + text[line_start..]
            .find('\n')
            .unwrap_or(text.len() - line_start);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let indent = line.len().checked_sub(vline.len())?;
    if line_end > raw.end || &line[indent..] != vline || !line[..indent].bytes().all(|b| b == b' ')
    {
        return None;
    }
    let start = line_start + indent + (at.start - vline_start);
    (text.get(start..start + (at.end - at.start)) == Some(&value[at.start..at.end]))
        .then_some(start)
}

/// [`Action::TalosVersion`]: the installer tags, and `talosVersion` when the minor changes.
fn talos_version(
    text: &str,
    doc: usize,
    kind: &str,
    v: &str,
) -> Result<(String, String), EditError> {
    let Some(new) = semver(v) else {
        return Err(EditError(format!(
            "{v:?} is not a Talos version (vMAJOR.MINOR.PATCH)"
        )));
    };
    let parsed = crate::repo::yaml::parse(text);
    let root = parsed.docs.get(doc).and_then(|d| d.root.as_ref());
    let mut images = vec![];
    let mut configs = vec![];
    for base in talos_configs(kind) {
        let mut node = root;
        for p in *base {
            node = node.and_then(|n| n.get(p));
        }
        let Some(config) = node else { continue };
        configs.push(*base);
        // A JSON6902 patch of the install section would win over (or fight) the edited one.
        if let Some(crate::repo::yaml::Value::Seq(ps)) =
            config.get("configPatches").map(|n| &n.value)
            && ps.iter().any(|p| {
                p.get("path")
                    .and_then(|p| p.as_text())
                    .is_some_and(|p| p.starts_with("/machine/install"))
            })
        {
            return Err(EditError(format!(
                "{}.configPatches patches /machine/install: edit it by hand",
                base.join(".")
            )));
        }
        let mut patches = base.to_vec();
        patches.push("strategicPatches");
        images.extend(installer_images(text, doc, &patches)?);
    }
    let Some(first) = images.first() else {
        return Err(EditError(format!(
            "this {kind} has no installer image (machine.install.image in its strategicPatches)"
        )));
    };
    if let Some(other) = images.iter().find(|i| i.image != first.image) {
        return Err(EditError(format!(
            "its installer images disagree ({} and {}): edit them by hand",
            first.image, other.image
        )));
    }
    let old = text[first.tag_start..first.tag_end].to_string();
    let Some(was) = semver(&old) else {
        return Err(EditError(format!(
            "the installer tag {old:?} is not a Talos version (vMAJOR.MINOR.PATCH)"
        )));
    };
    if was == new {
        return Err(EditError(format!("Talos is already {v}")));
    }
    let mut splices: Vec<Splice> = images
        .iter()
        .map(|i| Splice {
            start: i.tag_start,
            end: i.tag_end,
            new: v.to_string(),
        })
        .collect();
    if (was.0, was.1) != (new.0, new.1) {
        let contract = format!("v{}.{}", new.0, new.1);
        for base in configs {
            let mut path = base.to_vec();
            path.push("talosVersion");
            match find_scalar(text, doc, &path) {
                Ok(at) => splices.push(Splice {
                    start: at.start,
                    end: at.end,
                    new: render(&contract, at.quote, &at.value),
                }),
                // Not set: the provider's default contract stays.
                Err(e) if e.0.contains("is not set") => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok((splice(text, splices)?, old))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_scalar_in_its_style() {
        let text =
            "# head\r\nspec:   # keep\r\n  replicas: 3 # three\r\n  name: 'a'\r\n  v: \"v1\"\r\n";
        let out = set_scalar(text, 0, &["spec", "replicas"], "4").unwrap();
        assert_eq!(
            out,
            "# head\r\nspec:   # keep\r\n  replicas: 4 # three\r\n  name: 'a'\r\n  v: \"v1\"\r\n"
        );
        let out = set_scalar(text, 0, &["spec", "name"], "it's").unwrap();
        assert!(out.contains("name: 'it''s'\r\n"), "{out}");
        let out = set_scalar(text, 0, &["spec", "v"], "v2").unwrap();
        assert!(out.contains("v: \"v2\"\r\n"), "{out}");
    }

    #[test]
    fn plain_values_keep_their_type_or_get_quoted() {
        let text = "a: v1.36.3\nb: 3\nc: x\n";
        // A string that would read as a number is quoted.
        assert_eq!(
            set_scalar(text, 0, &["c"], "10").unwrap(),
            "a: v1.36.3\nb: 3\nc: \"10\"\n"
        );
        assert_eq!(
            set_scalar(text, 0, &["c"], "a: b").unwrap(),
            "a: v1.36.3\nb: 3\nc: \"a: b\"\n"
        );
        assert_eq!(
            set_scalar(text, 0, &["a"], "v1.36.4").unwrap(),
            "a: v1.36.4\nb: 3\nc: x\n"
        );
    }

    #[test]
    fn documents_sequences_and_unicode() {
        let text = "\u{feff}a: é\n---\nlist:\n  - x: 1\n  - x: 2 # two\n...\n---\nb: 1\n";
        let out = set_scalar(text, 1, &["list", "1", "x"], "5").unwrap();
        assert_eq!(
            out,
            "\u{feff}a: é\n---\nlist:\n  - x: 1\n  - x: 5 # two\n...\n---\nb: 1\n"
        );
        assert!(
            set_scalar(text, 2, &["b"], "2")
                .unwrap()
                .ends_with("b: 2\n")
        );
        let e = set_scalar(text, 0, &["nope"], "1").unwrap_err();
        assert!(e.0.contains("not set"), "{e}");
    }

    #[test]
    fn refuses_what_it_cannot_change_alone() {
        let text = "base: &r 3\nspec:\n  replicas: *r\n  script: |\n    echo\n";
        assert!(
            set_scalar(text, 0, &["spec", "replicas"], "4")
                .unwrap_err()
                .0
                .contains("alias")
        );
        assert!(
            set_scalar(text, 0, &["base"], "4")
                .unwrap_err()
                .0
                .contains("anchor")
        );
        assert!(
            set_scalar(text, 0, &["spec", "script"], "x")
                .unwrap_err()
                .0
                .contains("block")
        );
        // Inside an anchored mapping: the aliases would change too.
        let text = "base: &b\n  replicas: 3\nother: *b\n";
        assert!(
            set_scalar(text, 0, &["base", "replicas"], "4")
                .unwrap_err()
                .0
                .contains("anchored")
        );
        assert!(
            insert_scalar(text, 0, &["base"], "paused", "true")
                .unwrap_err()
                .0
                .contains("anchor")
        );
        // Broken YAML is an error with its line, not a guess.
        let e = set_scalar("a: [1,\n", 0, &["a"], "1").unwrap_err();
        assert!(e.0.starts_with("line "), "{e}");
    }

    #[test]
    fn quick_actions_name_what_they_change() {
        let text = "kind: MachineDeployment\nspec:\n  replicas: 3\n  template:\n    spec:\n      version: v1.36.3\n";
        let (out, old) = apply(text, 0, "MachineDeployment", &Action::Scale(4)).unwrap();
        assert_eq!(old, "3");
        assert!(out.contains("replicas: 4"));
        let (out, _) = apply(
            text,
            0,
            "MachineDeployment",
            &Action::KubernetesVersion("v1.36.4".into()),
        )
        .unwrap();
        assert!(out.contains("version: v1.36.4"));
        assert!(apply(text, 0, "Cluster", &Action::Scale(1)).is_err());
        assert!(
            apply(
                text,
                0,
                "MachineDeployment",
                &Action::KubernetesVersion("1.2".into())
            )
            .is_err()
        );
        assert_eq!(
            Action::Scale(4).describe("MachineDeployment", "edge-berlin-workers", "3"),
            "scale MachineDeployment edge-berlin-workers 3 -> 4"
        );
    }

    const APP: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: infrastructure\nspec:\n  syncPolicy:\n    automated: # on\n      # keep\n      prune: true\n";

    #[test]
    fn suspend_inserts_enabled_after_the_automated_line() {
        let (out, old) = apply(APP, 0, "Application", &Action::SuspendSync).unwrap();
        assert_eq!(old, "true");
        assert_eq!(
            out,
            APP.replace("# on\n", "# on\n      enabled: false\n"),
            "one line, at the map's indentation"
        );
        // CRLF stays CRLF.
        let crlf = APP.replace('\n', "\r\n");
        let (out, _) = apply(&crlf, 0, "Application", &Action::SuspendSync).unwrap();
        assert_eq!(
            out,
            crlf.replace("# on\r\n", "# on\r\n      enabled: false\r\n")
        );
        // Resuming sets the inserted flag; resuming again is refused.
        let (back, old) = apply(&out, 0, "Application", &Action::ResumeSync).unwrap();
        assert_eq!(old, "false");
        assert!(back.contains("      enabled: true\r\n"), "{back}");
        let e = apply(&back, 0, "Application", &Action::ResumeSync).unwrap_err();
        assert!(e.0.contains("already on"), "{e}");
        let e = apply(APP, 0, "Application", &Action::ResumeSync).unwrap_err();
        assert!(e.0.contains("already on"), "{e}");
        assert_eq!(
            Action::SuspendSync.describe("Application", "infrastructure", &old),
            "Application infrastructure: suspend automated sync"
        );
    }

    #[test]
    fn suspend_and_resume_set_an_existing_flag_in_any_style() {
        let set = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nspec:\n  template:\n    spec:\n      syncPolicy:\n        automated:\n          prune: true\n          enabled: true # on\n";
        let (out, old) = apply(set, 0, "ApplicationSet", &Action::SuspendSync).unwrap();
        assert_eq!(old, "true");
        assert_eq!(out, set.replace("enabled: true", "enabled: false"));
        let e = apply(&out, 0, "ApplicationSet", &Action::SuspendSync).unwrap_err();
        assert!(e.0.contains("already suspended"), "{e}");
        // A flow mapping: the flag is edited in place, never inserted.
        let flow = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  syncPolicy:\n    automated: {prune: true, enabled: false}\n";
        let (out, _) = apply(flow, 0, "Application", &Action::ResumeSync).unwrap();
        assert!(out.contains("{prune: true, enabled: true}"), "{out}");
        let flow = flow.replace(", enabled: false", "");
        let e = apply(&flow, 0, "Application", &Action::SuspendSync).unwrap_err();
        assert!(e.0.contains("flow mapping"), "{e}");
        let e = apply(
            &flow.replace("{prune: true}", "{}"),
            0,
            "Application",
            &Action::SuspendSync,
        )
        .unwrap_err();
        assert!(e.0.contains("flow mapping"), "{e}");
        // A quoted flag is a string, not a boolean.
        let quoted = APP.replace("prune: true", "enabled: \"true\"");
        let e = apply(&quoted, 0, "Application", &Action::SuspendSync).unwrap_err();
        assert!(e.0.contains("not a boolean"), "{e}");
    }

    #[test]
    fn no_automated_policy_means_nothing_to_suspend_or_invent() {
        for text in [
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  syncPolicy:\n    syncOptions: [A]\n",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  syncPolicy:\n    automated:\n",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec: {}\n",
        ] {
            let e = apply(text, 0, "Application", &Action::SuspendSync).unwrap_err();
            assert!(e.0.contains("already off"), "{text}: {e}");
            let e = apply(text, 0, "Application", &Action::ResumeSync).unwrap_err();
            assert!(e.0.contains("invent"), "{text}: {e}");
        }
        // K10's own Application kind is not Argo CD's.
        let k10 = APP.replace("argoproj.io/v1alpha1", "apps.kio.kasten.io/v1alpha1");
        let e = apply(&k10, 0, "Application", &Action::SuspendSync).unwrap_err();
        assert!(e.0.contains("not argoproj.io"), "{e}");
    }

    const POLICY: &str = "apiVersion: config.kio.kasten.io/v1alpha1\r\nkind: Policy\r\nmetadata:\r\n  name: apps-daily\r\nspec:\r\n  comment: Daily\r\n  frequency: \"@daily\"\r\n";

    #[test]
    fn pause_backup_inserts_or_sets_spec_paused() {
        let (out, old) = apply(POLICY, 0, "Policy", &Action::PauseBackup).unwrap();
        assert_eq!(old, "false");
        assert_eq!(
            out,
            POLICY.replace("spec:\r\n", "spec:\r\n  paused: true\r\n")
        );
        let e = apply(&out, 0, "Policy", &Action::PauseBackup).unwrap_err();
        assert!(e.0.contains("already paused"), "{e}");
        let (back, old) = apply(&out, 0, "Policy", &Action::ResumeBackup).unwrap();
        assert_eq!(old, "true");
        assert_eq!(
            back,
            POLICY.replace("spec:\r\n", "spec:\r\n  paused: false\r\n")
        );
        let e = apply(POLICY, 0, "Policy", &Action::ResumeBackup).unwrap_err();
        assert!(e.0.contains("not paused"), "{e}");
        let kyverno = POLICY.replace("config.kio.kasten.io", "kyverno.io");
        assert!(apply(&kyverno, 0, "Policy", &Action::PauseBackup).is_err());
        assert_eq!(
            Action::PauseBackup.describe("Policy", "apps-daily", "false"),
            "Policy apps-daily: pause backups"
        );
    }

    const TCP: &str = "kind: TalosControlPlane\nspec:\n  version: v1.36.3\n  controlPlaneConfig:\n    controlplane:\n      talosVersion: v1.13 # contract\n      strategicPatches:\n        - | # patch\n          # image: commented/out:v1.0.0\n          cluster:\n            image: decoy:v1.13.10\n          machine:\n            kubelet:\n              image: ghcr.io/siderolabs/kubelet:v1.13.10\n\n            install:\n              # Talos v1.13.10\n              image: factory.talos.dev/metal-installer/abc:v1.13.10  # pinned\n          ---\n          kind: Layer2VIPConfig\n          image: decoy:v1.13.10\n        - |\n          machine:\n            install:\n              image: \"factory.talos.dev/metal-installer/abc:v1.13.10\"\n";

    #[test]
    fn talos_version_edits_the_installer_tags_inside_block_scalars() {
        let (out, old) = apply(
            TCP,
            0,
            "TalosControlPlane",
            &Action::TalosVersion("v1.13.11".into()),
        )
        .unwrap();
        assert_eq!(old, "v1.13.10");
        assert_eq!(
            out,
            TCP.replace("abc:v1.13.10", "abc:v1.13.11"),
            "only the installer tags: not the decoys, the comments or talosVersion"
        );
        // A new minor version moves the contract too.
        let (out, _) = apply(
            TCP,
            0,
            "TalosControlPlane",
            &Action::TalosVersion("v1.14.0".into()),
        )
        .unwrap();
        assert_eq!(
            out,
            TCP.replace("abc:v1.13.10", "abc:v1.14.0")
                .replace("talosVersion: v1.13", "talosVersion: v1.14")
        );
        let crlf = TCP.replace('\n', "\r\n");
        let (out, _) = apply(
            &crlf,
            0,
            "TalosControlPlane",
            &Action::TalosVersion("v1.14.0".into()),
        )
        .unwrap();
        assert_eq!(
            out,
            crlf.replace("abc:v1.13.10", "abc:v1.14.0")
                .replace("talosVersion: v1.13", "talosVersion: v1.14")
        );
        // A patch that starts with a blank line.
        let lead = TCP.replace(
            "        - |\n          machine:",
            "        - |\n\n          machine:",
        );
        let (out, _) = apply(
            &lead,
            0,
            "TalosControlPlane",
            &Action::TalosVersion("v1.13.11".into()),
        )
        .unwrap();
        assert_eq!(out, lead.replace("abc:v1.13.10", "abc:v1.13.11"));
        assert_eq!(
            Action::TalosVersion("v1.13.11".into()).describe(
                "TalosControlPlane",
                "edge-berlin-cp",
                "v1.13.10"
            ),
            "TalosControlPlane edge-berlin-cp: Talos v1.13.10 -> v1.13.11"
        );
    }

    #[test]
    fn talos_version_refuses_what_it_cannot_do_alone() {
        let act = |text: &str, v: &str| {
            apply(
                text,
                0,
                "TalosControlPlane",
                &Action::TalosVersion(v.into()),
            )
            .unwrap_err()
            .0
        };
        for bad in [
            "1.13.11",
            "v1.13",
            "v1.13.11.1",
            "v1.x.0",
            "v1.13.11-beta.0",
        ] {
            assert!(act(TCP, bad).contains("not a Talos version"), "{bad}");
        }
        assert!(act(TCP, "v1.13.10").contains("already"));
        let disagree = TCP.replace(
            "\"factory.talos.dev/metal-installer/abc:v1.13.10\"",
            "other/installer:v1.12.0",
        );
        assert!(act(&disagree, "v1.13.11").contains("disagree"));
        let none = TCP
            .replace("            install:\n", "            installx:\n")
            .replace(
                "              image: \"factory",
                "              imagex: \"factory",
            );
        assert!(
            act(&none, "v1.13.11").contains("no installer image"),
            "{}",
            act(&none, "v1.13.11")
        );
        let digest = TCP.replace("abc:v1.13.10", "abc:v1.13.10@sha256:00");
        assert!(act(&digest, "v1.13.11").contains("digest"));
        let folded = TCP.replace(
            "        - |\n          machine:",
            "        - >\n          machine:",
        );
        assert!(act(&folded, "v1.13.11").contains("literal block"));
        let json6902 = TCP.replace(
            "      strategicPatches:\n",
            "      configPatches:\n        - op: add\n          path: /machine/install/image\n          value: x:v1\n      strategicPatches:\n",
        );
        assert!(act(&json6902, "v1.13.11").contains("configPatches"));
        // No talosVersion: the installer moves, the provider's default contract stays.
        let bare = TCP.replace("      talosVersion: v1.13 # contract\n", "");
        let (out, _) = apply(
            &bare,
            0,
            "TalosControlPlane",
            &Action::TalosVersion("v1.14.0".into()),
        )
        .unwrap();
        assert_eq!(out, bare.replace("abc:v1.13.10", "abc:v1.14.0"));
        // Not a Talos object.
        assert!(
            apply(
                TCP,
                0,
                "MachineDeployment",
                &Action::TalosVersion("v1.13.11".into())
            )
            .is_err()
        );
    }

    fn json_docs(text: &str) -> Vec<serde_json::Value> {
        let parsed = crate::repo::yaml::parse(text);
        assert!(parsed.error.is_none(), "{:?}", parsed.error);
        parsed
            .docs
            .iter()
            .map(|d| d.root.as_ref().map(|r| r.to_json()).unwrap_or_default())
            .collect()
    }

    fn set_path(v: &mut serde_json::Value, path: &[&str], to: serde_json::Value) {
        let mut cur = v;
        for p in path {
            cur = match cur {
                serde_json::Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
                other => &mut other[*p],
            };
        }
        *cur = to;
    }

    /// Asserts that `new` is `old` with bytes `at.start..at.end` replaced, and that it reads as
    /// `old` with only `path` of document `doc` changed to `expect`.
    fn check_edit(old: &str, new: &str, doc: usize, path: &[&str], expect: serde_json::Value) {
        let at = find_scalar(old, doc, path).unwrap();
        let tail = old.len() - at.end;
        assert_eq!(&new[..at.start], &old[..at.start], "bytes before the edit");
        assert_eq!(
            &new[new.len() - tail..],
            &old[at.end..],
            "bytes after the edit"
        );
        let mut want = json_docs(old);
        set_path(&mut want[doc], path, expect);
        assert_eq!(json_docs(new), want, "only {} changes", path.join("."));
    }

    /// Asserts that `new` is `old` with exactly one line inserted (every byte of every other
    /// line, line endings included, the same), that the line is `key: value` ending like the
    /// line before it, and that `new` reads as `old` with only `path` of document `doc` set to
    /// `expect`.
    fn check_insert(old: &str, new: &str, doc: usize, path: &[&str], expect: serde_json::Value) {
        let a: Vec<&str> = old.split_inclusive('\n').collect();
        let b: Vec<&str> = new.split_inclusive('\n').collect();
        assert_eq!(b.len(), a.len() + 1, "one line more");
        let k = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        assert!(k > 0, "inserted after a line");
        assert_eq!(&b[k + 1..], &a[k..], "the lines after the insertion");
        let line = b[k];
        let nl = if a[k - 1].ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        assert!(line.ends_with(nl) && !line[..line.len() - nl.len()].contains(['\r', '\n']));
        let key = path.last().unwrap();
        assert!(
            line.trim_start().starts_with(&format!("{key}: ")),
            "{line:?} sets {key}"
        );
        let mut want = json_docs(old);
        set_path(&mut want[doc], path, expect);
        assert_eq!(json_docs(new), want, "only {} changes", path.join("."));
    }

    /// `doc` with each string of the strategic patches of a Talos object replaced by the JSON of
    /// its documents, so patches compare by content.
    fn expand_patches(doc: &mut serde_json::Value, kind: &str) {
        for base in talos_configs(kind) {
            let mut cur = &mut *doc;
            for p in *base {
                cur = &mut cur[*p];
            }
            if let serde_json::Value::Array(items) = &mut cur["strategicPatches"] {
                for item in items {
                    if let Some(s) = item.as_str() {
                        *item = serde_json::Value::Array(json_docs(s));
                    }
                }
            }
        }
    }

    /// Asserts that `new` is `old` with the installer tag `from` turned into `to` (the same
    /// lines, each changed line an `image:` line ending in that tag, or `talosVersion:` when the
    /// minor moved), and that, patches parsed, only `machine.install.image` (and `talosVersion`)
    /// changed.
    fn check_talos(old: &str, new: &str, doc: usize, kind: &str, from: &str, to: &str) {
        let a: Vec<&str> = old.split_inclusive('\n').collect();
        let b: Vec<&str> = new.split_inclusive('\n').collect();
        assert_eq!(a.len(), b.len(), "same lines");
        let minor = |v: &str| semver(v).map(|(a, b, _)| format!("v{a}.{b}")).unwrap();
        let moved = minor(from) != minor(to);
        let mut tags = 0;
        for (x, y) in a.iter().zip(&b) {
            if x == y {
                continue;
            }
            if x.contains("image:") {
                let i = x.rfind(&format!(":{from}")).unwrap();
                let want = format!("{}:{to}{}", &x[..i], &x[i + 1 + from.len()..]);
                assert_eq!(*y, want, "only the tag of {x:?}");
                tags += 1;
            } else {
                assert!(
                    moved && x.contains("talosVersion:"),
                    "unexpected change {x:?}"
                );
                assert_eq!(*y, x.replacen(&minor(from), &minor(to), 1));
            }
        }
        assert!(tags > 0, "an installer tag changed");
        let mut want = json_docs(old);
        let mut got = json_docs(new);
        expand_patches(&mut want[doc], kind);
        expand_patches(&mut got[doc], kind);
        for base in talos_configs(kind) {
            let mut cur = &mut want[doc];
            for p in *base {
                cur = &mut cur[*p];
            }
            if moved && cur.get("talosVersion").is_some() {
                cur["talosVersion"] = serde_json::json!(minor(to));
            }
            if let serde_json::Value::Array(items) = &mut cur["strategicPatches"] {
                for inner in items.iter_mut().filter_map(|i| i.as_array_mut()).flatten() {
                    if let Some(img) = inner
                        .pointer_mut("/machine/install/image")
                        .filter(|i| i.is_string())
                    {
                        let s = img.as_str().unwrap();
                        *img = serde_json::json!(format!("{}{to}", &s[..s.len() - from.len()]));
                    }
                }
            }
        }
        assert_eq!(
            got, want,
            "only the installer image and the contract change"
        );
    }

    fn repo_files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![];
        let mut dirs: Vec<std::path::PathBuf> = ["clusters", "infrastructure", "apps"]
            .iter()
            .map(|d| root.join(d))
            .collect();
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    files.push(p);
                }
            }
        }
        files
    }

    /// Every quick action on every matching object of this repo changes its scalar(s) — or
    /// inserts its one line — and not one byte more; the inverse switches undo them.
    #[test]
    fn every_action_on_every_matching_file_of_the_repo() {
        let actions = [
            Action::Scale(7),
            Action::KubernetesVersion("v1.99.0".into()),
            Action::TalosVersion("v1.99.0".into()),
            Action::TalosVersion("v1.13.11".into()),
            Action::SuspendSync,
            Action::PauseBackup,
        ];
        let mut applied = std::collections::BTreeMap::<String, usize>::new();
        for f in &repo_files() {
            let text = std::fs::read_to_string(f).unwrap();
            let parsed = crate::repo::yaml::parse(&text);
            for (i, d) in parsed.docs.iter().enumerate() {
                let Some(kind) = d.root.as_ref().and_then(|r| r.get("kind")?.as_text()) else {
                    continue;
                };
                let json = d.root.as_ref().unwrap().to_json();
                for a in &actions {
                    let Some(path) = a.path(kind) else { continue };
                    let at = |p: &[&str]| {
                        p.iter()
                            .try_fold(&json, |j, k| j.get(k))
                            .filter(|v| !v.is_null())
                            .cloned()
                    };
                    // Argo CD's Application/ApplicationSet, K10's Policy: other groups' kinds
                    // of the same name are refused.
                    let api = json["apiVersion"].as_str().unwrap_or_default();
                    let own = match a {
                        Action::SuspendSync => api.starts_with("argoproj.io/"),
                        Action::PauseBackup => api.starts_with("config.kio.kasten.io/"),
                        _ => true,
                    };
                    let result = apply(&text, i, kind, a);
                    if !own {
                        assert!(result.is_err(), "{}: {a:?} on {api}", f.display());
                        continue;
                    }
                    if *a == Action::SuspendSync && at(&path[..path.len() - 1]).is_none() {
                        let e = result.unwrap_err();
                        assert!(e.0.contains("already off"), "{}: {e}", f.display());
                        continue;
                    }
                    let (new, old) =
                        result.unwrap_or_else(|e| panic!("{}: {a:?}: {e}", f.display()));
                    let ctx = || format!("{}: {a:?}", f.display());
                    match a {
                        Action::Scale(n) => check_edit(&text, &new, i, path, serde_json::json!(n)),
                        Action::KubernetesVersion(v) => {
                            check_edit(&text, &new, i, path, serde_json::json!(v))
                        }
                        Action::TalosVersion(v) => check_talos(&text, &new, i, kind, &old, v),
                        Action::SuspendSync | Action::PauseBackup => {
                            let to = a == &Action::PauseBackup;
                            let (inverse, back) = if to {
                                (Action::ResumeBackup, false)
                            } else {
                                (Action::ResumeSync, true)
                            };
                            // The inverse is refused on the file as it is (not paused /
                            // already on) unless the flag was explicitly set the other way.
                            if at(path) == Some(serde_json::json!(to)) {
                                panic!("{}: already {to}", ctx());
                            }
                            let before = apply(&text, i, kind, &inverse);
                            assert!(
                                before.is_err(),
                                "{}: inverse on the file: {before:?}",
                                ctx()
                            );
                            if at(path).is_some() {
                                check_edit(&text, &new, i, path, serde_json::json!(to));
                            } else {
                                check_insert(&text, &new, i, path, serde_json::json!(to));
                            }
                            let (undone, was) = apply(&new, i, kind, &inverse)
                                .unwrap_or_else(|e| panic!("{}: inverse: {e}", ctx()));
                            assert_eq!(was, to.to_string());
                            check_edit(&new, &undone, i, path, serde_json::json!(back));
                            if at(path).is_some() {
                                assert_eq!(undone, text, "{}: undone byte for byte", ctx());
                            }
                        }
                        Action::ResumeSync | Action::ResumeBackup => unreachable!(),
                    }
                    *applied.entry(format!("{a:?} {kind}")).or_default() += 1;
                }
            }
        }
        // edge-berlin and edge-lab: a TalosControlPlane, a MachineDeployment and a
        // TalosConfigTemplate each; Argo CD's root Applications and ApplicationSets in
        // clusters/mgmt/argocd and infrastructure/*; a K10 Policy per edge site.
        for (what, least) in [
            ("Scale(7) TalosControlPlane", 2),
            ("Scale(7) MachineDeployment", 2),
            ("KubernetesVersion(\"v1.99.0\") TalosControlPlane", 2),
            ("KubernetesVersion(\"v1.99.0\") MachineDeployment", 2),
            ("TalosVersion(\"v1.99.0\") TalosControlPlane", 2),
            ("TalosVersion(\"v1.99.0\") TalosConfigTemplate", 2),
            ("TalosVersion(\"v1.13.11\") TalosControlPlane", 2),
            ("TalosVersion(\"v1.13.11\") TalosConfigTemplate", 2),
            ("SuspendSync Application", 2),
            ("SuspendSync ApplicationSet", 3),
            ("PauseBackup Policy", 2),
        ] {
            let n = applied.get(what).copied().unwrap_or(0);
            assert!(
                n >= least,
                "{what}: only {n} edits ({applied:?}): are the repo's files still there?"
            );
        }
    }

    /// Found by `fuzz/` (edit target, input `-`): the parser places a value written as nothing
    /// before the key's `:` (`a:` gave `a3:`), after a `-` with no space (`-""`), or over a
    /// `}`; and a tagged scalar's span starts at its tag (`!!str 3` became the number 4).
    #[test]
    fn values_written_as_nothing_or_with_a_tag_are_refused() {
        for (text, path, why) in [
            ("-\n", &["0"][..], "no value written"),
            ("a:\nb: 1\n", &["a"][..], "no value written"),
            ("a:  # c\n", &["a"][..], "no value written"),
            ("{a}\n", &["a"][..], "no value written"),
            ("{a: }\n", &["a"][..], "no value written"),
            ("a: !!str 3\n", &["a"][..], "carries a tag"),
            ("- !t \"q\"\n", &["0"][..], "carries a tag"),
        ] {
            let e = set_scalar(text, 0, path, "3").unwrap_err();
            assert!(e.0.contains(why), "{text:?}: {e}");
        }
    }

    /// Found by `fuzz/` (edit target): saphyr-parser reads `key: [ a` + `]` at column 0 but
    /// not `key: [ "{a}"` + `]`; the edit is checked by reading its result, and refused.
    #[test]
    fn an_edit_that_the_parser_would_read_differently_is_refused() {
        let text = "key: [ word1\n#  x..---\n]\n";
        let e = set_scalar(text, 0, &["key", "0"], "{a}").unwrap_err();
        assert!(
            e.0.contains("would make the file unreadable (line 3"),
            "{e}"
        );
        // The same value where the parser has no such quirk is written.
        let text = "key: [ word1 ]\n";
        let new = set_scalar(text, 0, &["key", "0"], "{a}").unwrap();
        check_edit(text, &new, 0, &["key", "0"], serde_json::json!("{a}"));
    }

    /// Found by `fuzz/` (edit target): a panic. saphyr-parser's character index runs one past
    /// the text after a NEL in a directive; the editor refuses instead of indexing out of it.
    #[test]
    fn a_parser_position_past_the_text_is_refused_not_a_panic() {
        let text = "%Y\u{85}AML 1 #t\n---\nwarning.4r ba Suffix!";
        assert!(set_scalar(text, 0, &[], "x").is_err());
        // Shifted within the text, the span fell on a comment: the tree read back is the same,
        // but the scalar is not the value, so the edit is refused.
        let text = "%Y\u{85}AML&&&&&&&&&&&&&&&\u{85}AM&&&&&&& 1.Y\u{85}AML&&&&&&&&&&&&&&&\u{85}AM&&&&&&& 1.2\n---\nD # Su-f&2\n---\nD # Su2\n---\nD # Su-f&2\n---\nD # Suffix!";
        match set_scalar(text, 0, &[], "\\") {
            Err(e) => assert!(e.0.contains("more than its scalar"), "{e}"),
            Ok(new) => check_edit(text, &new, 0, &[], serde_json::json!("\\")),
        }
    }

    /// Found by `fuzz/` (edit target): `--- |` written plain as a root scalar became a
    /// document marker and an empty block scalar.
    #[test]
    fn values_that_look_like_document_markers_are_quoted() {
        for (text, path) in [
            ("0}+\n", &[][..]),
            ("a: b\n", &["a"][..]),
            ("- b\n", &["0"][..]),
        ] {
            for v in ["--- |", "---", "...", "... x"] {
                let new = set_scalar(text, 0, path, v).unwrap();
                check_edit(text, &new, 0, path, serde_json::json!(v));
            }
        }
    }

    /// Control characters, YAML 1.1's extra line breaks and the BOM are written escaped
    /// whatever the scalar's style: raw, they made the file unreadable (a NUL, a bell) or were
    /// read back as something else (a CR folded into a space; NEL, U+2028 and U+2029 are line
    /// breaks to go-yaml, so to kubectl).
    #[test]
    fn control_characters_are_escaped_in_every_style() {
        let values = [
            "a\u{0}b",
            "bell\u{7}",
            "esc\u{1b}[0m",
            "cr\rlf",
            "crlf\r\n",
            "del\u{7f}",
            "nel\u{85}",
            "c1\u{9b}",
            "ls\u{2028}ps\u{2029}",
            "bom\u{feff}",
            "x\u{ffff}",
            "tab\tand\nbreak",
            "\u{1}",
        ];
        for old in ["k: plain\n", "k: 'single'\n", "k: \"double\"\n"] {
            for v in values {
                let new = set_scalar(old, 0, &["k"], v).unwrap();
                let raw = new
                    .chars()
                    .filter(|&c| {
                        c != '\n'
                            && (c < ' '
                                || ('\u{7f}'..='\u{9f}').contains(&c)
                                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{ffff}'))
                    })
                    .collect::<Vec<_>>();
                assert!(raw.is_empty(), "{old:?} <- {v:?}: {new:?} holds {raw:?}");
                check_edit(old, &new, 0, &["k"], serde_json::json!(v));
            }
        }
    }

    use proptest::prelude::*;

    /// A leaf: a plain int, a plain word, or a quoted string (single or double).
    #[derive(Debug, Clone)]
    enum Leaf {
        Int(i64),
        Word(String),
        Quoted(String, bool),
    }

    fn leaf() -> impl Strategy<Value = Leaf> {
        prop_oneof![
            any::<i32>().prop_map(|n| Leaf::Int(n as i64)),
            // Words that read as strings (not `true`, `null`, …): their edits stay strings.
            "[a-z][a-z0-9.-]{0,8}"
                .prop_filter("reads as a string", |w| plain_kind(w) == Kind::Str)
                .prop_map(Leaf::Word),
            ("[ -~]{0,12}", any::<bool>()).prop_map(|(s, d)| Leaf::Quoted(s, d)),
        ]
    }

    fn leaf_text(l: &Leaf) -> String {
        match l {
            Leaf::Int(n) => n.to_string(),
            Leaf::Word(w) => w.clone(),
            Leaf::Quoted(s, true) => render(s, Quote::Double, ""),
            Leaf::Quoted(s, false) => render(s, Quote::Single, ""),
        }
    }

    prop_compose! {
        /// A document of nested mappings with comments, blank lines and a list, as text, with
        /// the paths of its leaves.
        fn document()(
            leaves in proptest::collection::vec((leaf(), 0usize..3, any::<bool>(), any::<bool>()), 1..12),
            crlf in any::<bool>(),
        ) -> (String, Vec<(Vec<String>, Leaf)>) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("# generated{nl}");
            let mut paths = vec![];
            for (i, (l, depth, comment, blank)) in leaves.iter().enumerate() {
                let mut path = vec![];
                let mut indent = String::new();
                for d in 0..*depth {
                    let k = format!("g{i}_{d}");
                    text.push_str(&format!("{indent}{k}:{nl}"));
                    path.push(k);
                    indent.push_str("  ");
                }
                let k = format!("k{i}");
                let c = if *comment { "  # note: keep" } else { "" };
                text.push_str(&format!("{indent}{k}: {}{c}{nl}", leaf_text(l)));
                if *blank {
                    text.push_str(nl);
                }
                path.push(k);
                paths.push((path, l.clone()));
            }
            text.push_str(&format!("list:{nl}  - a{nl}  - 'b' # x{nl}"));
            (text, paths)
        }
    }

    proptest! {
        #[test]
        fn an_edit_changes_only_its_scalar(
            (text, leaves) in document(),
            pick in any::<prop::sample::Index>(),
            new_int in any::<i32>(),
            new_str in "[ -~\\x00-\\x1f\\x7f-\\u{9f}\\u{2028}\\u{feff}é]{0,12}",
        ) {
            let (path, l) = &leaves[pick.index(leaves.len())];
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let (value, expect) = match l {
                Leaf::Int(_) => (new_int.to_string(), serde_json::json!(new_int)),
                _ => (new_str.clone(), serde_json::json!(new_str)),
            };
            let new = set_scalar(&text, 0, &path, &value).unwrap();
            check_edit(&text, &new, 0, &path, expect);
        }
    }

    prop_compose! {
        /// A document of block mappings (some nested), keys with trailing comments, comment
        /// lines at any indentation and blank lines between a key and its mapping, as text, with
        /// each mapping's path and keys.
        fn maps_document()(
            groups in proptest::collection::vec(
                (1usize..4, 1usize..5, any::<bool>(), 0usize..3, any::<bool>(), any::<bool>()),
                1..6,
            ),
            words in proptest::collection::vec(
                "[a-z][a-z0-9.-]{0,8}".prop_filter("reads as a string", |w| plain_kind(w) == Kind::Str),
                16,
            ),
            crlf in any::<bool>(),
        ) -> (String, Vec<(Vec<String>, Vec<String>)>) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("# generated{nl}top: 1{nl}");
            let mut maps = vec![];
            let mut w = words.iter().cycle();
            for (i, (leaves, indent, comment, comments, blank, nested)) in groups.iter().enumerate() {
                let ind = " ".repeat(*indent);
                let c = if *comment { " # note: keep" } else { "" };
                text.push_str(&format!("g{i}:{c}{nl}"));
                if *blank {
                    text.push_str(nl);
                }
                for j in 0..*comments {
                    text.push_str(&format!("{}# c{j}{nl}", " ".repeat((j * 3) % 7)));
                }
                let mut keys = vec![];
                for j in 0..*leaves {
                    text.push_str(&format!("{ind}k{i}_{j}: {}{nl}", w.next().unwrap()));
                    keys.push(format!("k{i}_{j}"));
                }
                maps.push((vec![format!("g{i}")], keys));
                if *nested {
                    text.push_str(&format!("{ind}n{i}: {c}{nl}{ind}{ind}m{i}: {}{nl}", w.next().unwrap()));
                    maps.push((vec![format!("g{i}"), format!("n{i}")], vec![format!("m{i}")]));
                }
                if *blank {
                    text.push_str(nl);
                }
            }
            text.push_str(&format!("list:{nl}  - a{nl}"));
            (text, maps)
        }
    }

    prop_compose! {
        /// A TalosConfig whose strategic patches (literal block scalars at varied indentation,
        /// with header comments, comments, blank lines, decoy `image:` keys, several documents,
        /// quoted or plain images) name one installer tag; CRLF or LF.
        fn talos_document()(
            crlf in any::<bool>(),
            seq_indent in 2usize..5,
            extra in 0usize..3,
            contract in any::<bool>(),
            decoys in any::<(bool, bool, bool, bool)>(),
            blank in any::<bool>(),
            quote in 0usize..3,
            comments in any::<(bool, bool, bool)>(),
            second in any::<bool>(),
            (maj, min, pat) in (0u64..3, 0u64..20, 0u64..20),
        ) -> (String, String) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let tag = format!("v{maj}.{min}.{pat}");
            let si = " ".repeat(seq_indent);
            let bi = " ".repeat(seq_indent + 2 + extra);
            let q = ["", "\"", "'"][quote];
            let mut text = format!(
                "# generated{nl}apiVersion: bootstrap.cluster.x-k8s.io/v1alpha3{nl}kind: TalosConfig{nl}spec:{nl}  generateType: worker{nl}"
            );
            if contract {
                text.push_str(&format!("  talosVersion: v{maj}.{min}  # contract{nl}"));
            }
            let h = if comments.0 { " # patch" } else { "" };
            text.push_str(&format!("  strategicPatches:{nl}{si}- |{h}{nl}"));
            let mut inner: Vec<String> = vec![];
            if decoys.0 {
                inner.push("# image: commented/out:v0.0.1".into());
            }
            if decoys.1 {
                inner.push("cluster:".into());
                inner.push(format!("  image: decoy:{tag}"));
            }
            inner.push("machine:".into());
            if decoys.2 {
                inner.push("  kubelet:".into());
                inner.push(format!("    image: ghcr.io/siderolabs/kubelet:{tag}"));
            }
            if blank {
                inner.push(String::new());
            }
            inner.push("  install:".into());
            if comments.1 {
                inner.push(format!("    # Talos {tag}"));
            }
            let c = if comments.2 { "  # pinned" } else { "" };
            inner.push(format!("    image: {q}factory.talos.dev/metal-installer/abc:{tag}{q}{c}"));
            if decoys.3 {
                inner.push("---".into());
                inner.push("kind: Layer2VIPConfig".into());
                inner.push(format!("image: decoy:{tag}"));
            }
            for l in &inner {
                if l.is_empty() {
                    text.push_str(nl);
                } else {
                    text.push_str(&format!("{bi}{l}{nl}"));
                }
            }
            if second {
                text.push_str(&format!(
                    "{si}- |{nl}{bi}machine:{nl}{bi}  install:{nl}{bi}    image: factory.talos.dev/metal-installer/abc:{tag}{nl}"
                ));
            }
            text.push_str(&format!("  hostname: x{nl}"));
            (text, tag)
        }
    }

    proptest! {
        #[test]
        fn a_switch_sets_or_inserts_only_its_line(
            (text, maps) in maps_document(),
            pick in any::<prop::sample::Index>(),
            key in any::<prop::sample::Index>(),
            fresh in any::<bool>(),
            new_str in "[ -~\\x00-\\x1f\\x7f-\\u{9f}\\u{2028}\\u{feff}é]{0,12}",
            flag in any::<bool>(),
        ) {
            let (map, keys) = &maps[pick.index(maps.len())];
            let map: Vec<&str> = map.iter().map(String::as_str).collect();
            if fresh {
                let mut path = map.clone();
                path.push("fresh");
                let new = set_or_insert(&text, 0, &map, "fresh", &new_str).unwrap();
                check_insert(&text, &new, 0, &path, serde_json::json!(new_str));
                let new = insert_scalar(&text, 0, &map, "fresh", &flag.to_string()).unwrap();
                check_insert(&text, &new, 0, &path, serde_json::json!(flag));
            } else {
                let k = keys[key.index(keys.len())].as_str();
                let mut path = map.clone();
                path.push(k);
                let new = set_or_insert(&text, 0, &map, k, &new_str).unwrap();
                check_edit(&text, &new, 0, &path, serde_json::json!(new_str));
                prop_assert!(insert_scalar(&text, 0, &map, k, "x").is_err());
            }
        }

        #[test]
        fn a_talos_version_changes_only_the_installer_tags(
            (text, from) in talos_document(),
            (maj, min, pat) in (0u64..3, 0u64..20, 0u64..20),
        ) {
            let to = format!("v{maj}.{min}.{pat}");
            let result = apply(&text, 0, "TalosConfig", &Action::TalosVersion(to.clone()));
            if to == from {
                prop_assert!(result.unwrap_err().0.contains("already"));
            } else {
                let (new, old) = result.unwrap();
                prop_assert_eq!(&old, &from);
                check_talos(&text, &new, 0, "TalosConfig", &from, &to);
            }
        }
    }

    // Issue 15, bug 2: `v1.36.3+` passed the check (three dot-separated parts) and was written.
    #[test]
    fn a_kubernetes_version_must_be_v_and_semver() {
        let text =
            "kind: MachineDeployment\nspec:\n  template:\n    spec:\n      version: v1.36.3\n";
        for bad in [
            "v1.36.3+",
            "v1.36.3-",
            "1.36.3",
            "v1.36",
            "v1.36.3.1",
            "v01.36.3",
            "v1.36.x",
            "v1.36.3+k3s..1",
            "v1.36.3-rc.01",
            "v1.36.3 ",
            "v",
        ] {
            let e = apply(
                text,
                0,
                "MachineDeployment",
                &Action::KubernetesVersion(bad.into()),
            )
            .unwrap_err();
            assert!(e.0.contains("not a Kubernetes version"), "{bad}: {e:?}");
        }
        for good in [
            "v1.36.4",
            "v1.35.5+k3s1",
            "v1.37.0-rc.1",
            "v1.37.0-alpha.0+abc.1",
            "v0.0.0",
        ] {
            assert!(kubernetes_version(good).is_ok(), "{good}");
            let (out, _) = apply(
                text,
                0,
                "MachineDeployment",
                &Action::KubernetesVersion(good.into()),
            )
            .unwrap();
            assert!(out.contains(&format!("version: {good}")), "{out}");
        }
    }
}
