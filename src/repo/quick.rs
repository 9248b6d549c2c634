//! Which quick actions a repo resource offers, with the values it holds now: the menu behind
//! `a`. Pure over the file's text; the edits themselves are `edit::apply`.

use super::edit::{self, Action};

/// One entry of the quick-action menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickOption {
    /// `Scale (replicas now 3)`.
    pub label: String,
    pub ask: Ask,
}

/// What choosing the option asks before it edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// A replica count; `current` is what the file says.
    Replicas { current: u32 },
    /// A Kubernetes version (`v1.36.3`).
    KubernetesVersion { current: String },
    /// A Talos version (`v1.13.10`), the installer image's tag.
    TalosVersion { current: String },
    /// Nothing: the action is complete (suspend, resume, pause).
    Nothing(Action),
}

impl Ask {
    /// The action for what the operator typed.
    pub fn action(&self, input: &str) -> Result<Action, String> {
        let input = input.trim();
        match self {
            Ask::Replicas { .. } => input
                .parse::<u32>()
                .map(Action::Scale)
                .map_err(|_| format!("\"{input}\" is not a replica count")),
            Ask::KubernetesVersion { .. } | Ask::TalosVersion { .. } => {
                let v = if input.starts_with('v') {
                    input.to_string()
                } else {
                    format!("v{input}")
                };
                // Checked before anything is written: Cluster API takes `v` + semver only.
                edit::kubernetes_version(&v)?;
                Ok(match self {
                    Ask::TalosVersion { .. } => Action::TalosVersion(v),
                    _ => Action::KubernetesVersion(v),
                })
            }
            Ask::Nothing(a) => Ok(a.clone()),
        }
    }

    /// `+`/`-`/`>`/`<` in the text field: the value stepped, or why it cannot be (a version
    /// field only; a replica count steps by one in the dialog).
    pub fn step(&self, text: &str, key: char) -> Option<Result<String, String>> {
        match self {
            Ask::KubernetesVersion { .. } | Ask::TalosVersion { .. } => {
                let dir = match key {
                    '+' => Step::NextPatch,
                    '-' => Step::PrevPatch,
                    '>' => Step::NextMinor,
                    '<' => Step::PrevMinor,
                    _ => return None,
                };
                Some(step_version(text.trim(), dir))
            }
            _ => None,
        }
    }

    /// The text field's starting value.
    pub fn initial(&self) -> Option<String> {
        match self {
            Ask::Replicas { current } => Some(current.to_string()),
            Ask::KubernetesVersion { current } | Ask::TalosVersion { current } => {
                Some(current.clone())
            }
            Ask::Nothing(_) => None,
        }
    }
}

/// A step of a version with a key of the version dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    NextPatch,
    PrevPatch,
    NextMinor,
    PrevMinor,
}

/// `v1.36.3` stepped: `+` v1.36.4, `-` v1.36.2, `>` v1.37.0, `<` v1.35.0 (a pre-release or
/// build suffix is dropped).
///
/// Where the versions come from: the console holds no list of releases and does not reach the
/// network, so a step is semver arithmetic on the version the file holds (itself validated as
/// `v` + semver, what Cluster API requires). Kubernetes and Talos number patches and minors
/// consecutively, so every version a step *down* gives was released (a lower patch of a
/// released minor, the `.0` of an earlier minor); a step *up* names the next one by number,
/// which may not be out yet: the dialog says to check, and `blast check` and Cluster API
/// judge the value, not the console.
pub fn step_version(current: &str, step: Step) -> Result<String, String> {
    let v = if current.starts_with('v') {
        current.to_string()
    } else {
        format!("v{current}")
    };
    let (major, minor, patch) = edit::kubernetes_version(&v)?;
    let (minor, patch) = match step {
        Step::NextPatch => (minor, patch + 1),
        Step::PrevPatch if patch > 0 => (minor, patch - 1),
        Step::PrevPatch => {
            return Err(format!(
                "v{major}.{minor}.0 is the first patch of {major}.{minor}: < steps the minor"
            ));
        }
        Step::NextMinor => (minor + 1, 0),
        Step::PrevMinor if minor > 0 => (minor - 1, 0),
        Step::PrevMinor => return Err(format!("no minor below v{major}.0")),
    };
    Ok(format!("v{major}.{minor}.{patch}"))
}

/// The quick actions for document `doc` (of kind `kind`) of `text`, in menu order. Only what
/// the document can take: a MachineDeployment without `spec.replicas` offers no scaling.
pub fn options(text: &str, doc: usize, kind: &str) -> Vec<QuickOption> {
    let mut out = Vec::new();
    let scalar = |action: &Action| {
        action
            .path(kind)
            .and_then(|p| edit::find_scalar(text, doc, p).ok())
    };
    if let Some(at) = scalar(&Action::Scale(0))
        && let Ok(current) = at.value.parse::<u32>()
    {
        out.push(QuickOption {
            label: format!("Scale (replicas now {current})"),
            ask: Ask::Replicas { current },
        });
    }
    if let Some(at) = scalar(&Action::KubernetesVersion(String::new())) {
        out.push(QuickOption {
            label: format!("Kubernetes version (now {})", at.value),
            ask: Ask::KubernetesVersion { current: at.value },
        });
    }
    // The Talos version is the installer tag inside the patches: applying an edit (to a version
    // nobody runs) is how it is found, and tells whether the document can take one at all.
    if Action::TalosVersion(String::new()).applies_to(kind)
        && let Ok((_, current)) =
            edit::apply(text, doc, kind, &Action::TalosVersion("v0.0.1".into()))
    {
        out.push(QuickOption {
            label: format!("Talos version (now {current})"),
            ask: Ask::TalosVersion { current },
        });
    }
    // The switches: whichever of the pair applies (the other is refused as a no-op).
    for (action, label) in [
        (Action::SuspendSync, "Suspend automated sync"),
        (Action::ResumeSync, "Resume automated sync"),
        (Action::PauseBackup, "Pause backups"),
        (Action::ResumeBackup, "Resume backups"),
    ] {
        if action.applies_to(kind) && edit::apply(text, doc, kind, &action).is_ok() {
            out.push(QuickOption {
                label: label.into(),
                ask: Ask::Nothing(action),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_deployment_offers_scale_and_version_with_its_values() {
        let text = "# workers\napiVersion: cluster.x-k8s.io/v1beta1\nkind: MachineDeployment\nmetadata:\n  name: w\nspec:\n  replicas: 3\n  template:\n    spec:\n      version: v1.36.3\n";
        let o = options(text, 0, "MachineDeployment");
        assert_eq!(
            o.iter().map(|o| o.label.as_str()).collect::<Vec<_>>(),
            ["Scale (replicas now 3)", "Kubernetes version (now v1.36.3)"]
        );
        assert_eq!(o[0].ask.action("4"), Ok(Action::Scale(4)));
        assert!(o[0].ask.action("four").is_err());
        assert_eq!(
            o[1].ask.action("1.36.4"),
            Ok(Action::KubernetesVersion("v1.36.4".into()))
        );
        assert_eq!(o[0].ask.initial().as_deref(), Some("3"));
    }

    #[test]
    fn talos_and_the_switches_are_offered_from_what_the_file_says() {
        let tcp = "apiVersion: controlplane.cluster.x-k8s.io/v1alpha3\nkind: TalosControlPlane\nmetadata:\n  name: cp\nspec:\n  replicas: 3\n  version: v1.36.3\n  controlPlaneConfig:\n    controlplane:\n      generateType: controlplane\n      talosVersion: v1.13\n      strategicPatches:\n        - |\n          machine:\n            install:\n              image: factory.talos.dev/installer/abc:v1.13.10\n";
        let labels: Vec<String> = options(tcp, 0, "TalosControlPlane")
            .into_iter()
            .map(|o| o.label)
            .collect();
        assert_eq!(
            labels,
            [
                "Scale (replicas now 3)",
                "Kubernetes version (now v1.36.3)",
                "Talos version (now v1.13.10)"
            ]
        );
        let app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n  syncPolicy:\n    automated:\n      prune: true\n";
        let o = options(app, 0, "Application");
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].label, "Suspend automated sync");
        let suspended = app.replace("      prune: true", "      enabled: false");
        assert_eq!(
            options(&suspended, 0, "Application")[0].label,
            "Resume automated sync"
        );
        let policy = "apiVersion: config.kio.kasten.io/v1alpha1\nkind: Policy\nmetadata:\n  name: p\nspec:\n  frequency: '@daily'\n";
        assert_eq!(options(policy, 0, "Policy")[0].label, "Pause backups");
    }

    #[test]
    fn versions_step_by_semver_arithmetic_and_bad_ones_are_refused() {
        assert_eq!(step_version("v1.36.3", Step::NextPatch).unwrap(), "v1.36.4");
        assert_eq!(step_version("v1.36.3", Step::PrevPatch).unwrap(), "v1.36.2");
        assert_eq!(step_version("1.36.3", Step::NextMinor).unwrap(), "v1.37.0");
        assert_eq!(step_version("v1.36.3", Step::PrevMinor).unwrap(), "v1.35.0");
        assert_eq!(
            step_version("v1.35.5+k3s1", Step::NextPatch).unwrap(),
            "v1.35.6"
        );
        assert!(
            step_version("v1.36.0", Step::PrevPatch)
                .unwrap_err()
                .contains("first patch")
        );
        assert!(step_version("v1.36.3+", Step::NextPatch).is_err());
        let ask = Ask::KubernetesVersion {
            current: "v1.36.3".into(),
        };
        assert!(ask.action("v1.36.3+").unwrap_err().contains("v1.36.3+"));
        assert!(ask.action("v1.36").is_err());
        assert_eq!(ask.step("v1.36.3", '+'), Some(Ok("v1.36.4".into())));
        assert_eq!(ask.step("v1.36.3", 'x'), None);
        assert_eq!(Ask::Replicas { current: 1 }.step("1", '+'), None);
    }

    #[test]
    fn kinds_without_the_fields_offer_nothing() {
        assert!(options("kind: ConfigMap\nmetadata:\n  name: x\n", 0, "ConfigMap").is_empty());
        // A MachineDeployment left to an autoscaler has no replicas to set.
        let text =
            "kind: MachineDeployment\nspec:\n  template:\n    spec:\n      version: v1.36.3\n";
        let o = options(text, 0, "MachineDeployment");
        assert_eq!(o.len(), 1);
        assert!(matches!(o[0].ask, Ask::KubernetesVersion { .. }));
    }
}
