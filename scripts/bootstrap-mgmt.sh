#!/usr/bin/env bash
# Bootstrap the Blast management cluster "mgmt" (imperative, run once per rebuild):
#   1. k3d cluster from clusters/mgmt/k3d.yaml
#   2. clusterctl init: Cluster API core + Talos bootstrap/control plane + Sidero
#   3. restore the Sealed Secrets sealing key (so the repo's SealedSecrets still open)
#   4. helm install sealed-secrets and argo-cd with the repo's own values files
#   5. kubectl apply the AppProjects, repo credentials and the two root Applications
# From then on Argo CD manages everything, itself included (infrastructure/argocd).
#
# Usage: scripts/bootstrap-mgmt.sh [--sealing-key FILE] [--skip-k3d]
#   --sealing-key FILE  backed-up sealing key Secret(s) (YAML), e.g. from
#                       kubectl -n kube-system get secret \
#                         -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml
#                       Without it a NEW key is generated: every SealedSecret that mgmt
#                       unseals must then be resealed against the new certificate.
#   --skip-k3d          use the current kubectl context instead of creating k3d.
# In the toolbox only the repo (/work) and ~/.kube (/home/blast/.kube) are visible: give FILE
# as seen inside, e.g. /home/blast/.kube/sealing-key.yaml (never under the repo: it would be
# one `git add` from a commit), or run with BLAST_NO_TOOLBOX=1.
# Needs: k3d (v5.9), clusterctl (v1.12), kubectl, helm (v3.14+), kubeseal: it runs in the
# bootstrap toolbox image (docker/toolbox, through scripts/toolbox.sh), which pins them, so the
# host needs only Docker. BLAST_NO_TOOLBOX=1 runs it with the host's own tools instead.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT

if [[ "${BLAST_IN_TOOLBOX:-0}" != 1 && "${BLAST_NO_TOOLBOX:-0}" != 1 ]]; then
  exec "${REPO_ROOT}/scripts/toolbox.sh" scripts/bootstrap-mgmt.sh "$@"
fi

# Version pins: keep in sync with clusters/mgmt/clusterctl.yaml and the appset.yaml files.
readonly CAPI_VERSION="v1.12.8"
readonly CABPT_VERSION="v0.6.12"
readonly CACPPT_VERSION="v0.5.13"
readonly SIDERO_VERSION="v0.6.13"
readonly SEALED_SECRETS_CHART_VERSION="2.18.5"
readonly ARGOCD_CHART_VERSION="10.1.1"

SEALING_KEY=""
SKIP_K3D=0

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --sealing-key)
      [[ $# -ge 2 ]] || die "--sealing-key needs a file"
      SEALING_KEY="$2"
      shift 2
      ;;
    --skip-k3d)
      SKIP_K3D=1
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      die "unknown argument: $1 (see --help)"
      ;;
  esac
done

for tool in kubectl helm clusterctl kubeseal; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} not found in PATH"
done
if [[ "${SKIP_K3D}" -eq 0 ]]; then
  command -v k3d >/dev/null 2>&1 || die "k3d not found in PATH"
fi
if [[ -n "${SEALING_KEY}" && ! -r "${SEALING_KEY}" ]]; then
  die "cannot read sealing key file ${SEALING_KEY}"
fi

cd "${REPO_ROOT}"

# 1. Management cluster -------------------------------------------------------
if [[ "${SKIP_K3D}" -eq 0 ]]; then
  if k3d cluster list mgmt >/dev/null 2>&1; then
    log "k3d cluster mgmt exists, reusing it"
  else
    log "creating k3d cluster mgmt"
    k3d cluster create --config clusters/mgmt/k3d.yaml
  fi
fi
kubectl wait --for=condition=Ready nodes --all --timeout=300s

# 2. Cluster API + Talos providers + Sidero -----------------------------------
if kubectl get namespace capi-system >/dev/null 2>&1; then
  log "Cluster API already initialised (capi-system exists), skipping clusterctl init"
else
  log "clusterctl init (core ${CAPI_VERSION}, talos ${CABPT_VERSION}/${CACPPT_VERSION}, sidero ${SIDERO_VERSION})"
  clusterctl init \
    --config clusters/mgmt/clusterctl.yaml \
    --core "cluster-api:${CAPI_VERSION}" \
    --bootstrap "talos:${CABPT_VERSION}" \
    --control-plane "talos:${CACPPT_VERSION}" \
    --infrastructure "sidero:${SIDERO_VERSION}" \
    --wait-providers
fi

# 3. Sealing key (before the controller starts, so it loads the old key) ------
if [[ -n "${SEALING_KEY}" ]]; then
  log "restoring the Sealed Secrets sealing key from ${SEALING_KEY}"
  kubectl apply --namespace kube-system --filename "${SEALING_KEY}"
else
  log "WARNING: no --sealing-key given; the controller will generate a new key"
fi

# 4. Sealed Secrets and Argo CD, with the values Argo CD will later own --------
log "installing sealed-secrets ${SEALED_SECRETS_CHART_VERSION}"
helm upgrade --install sealed-secrets sealed-secrets \
  --repo https://bitnami-labs.github.io/sealed-secrets \
  --version "${SEALED_SECRETS_CHART_VERSION}" \
  --namespace kube-system \
  --values infrastructure/sealed-secrets/values.yaml \
  --wait

log "installing argo-cd chart ${ARGOCD_CHART_VERSION}"
helm upgrade --install argocd argo-cd \
  --repo https://argoproj.github.io/argo-helm \
  --version "${ARGOCD_CHART_VERSION}" \
  --namespace argocd --create-namespace \
  --values infrastructure/argocd/values.yaml \
  --wait

if [[ -z "${SEALING_KEY}" ]]; then
  log "writing the new sealing certificate to clusters/mgmt/sealed-secrets.pem"
  kubeseal --fetch-cert \
    --controller-name sealed-secrets-controller \
    --controller-namespace kube-system >clusters/mgmt/sealed-secrets.pem
  log "reseal clusters/mgmt/argocd/*.sealed.yaml and infrastructure/crossplane/manifests/mgmt/*.sealed.yaml, then commit"
fi

# 5. Hand over to Argo CD -------------------------------------------------------
# Projects and repo credentials first: the root app needs both to fetch this repo.
log "applying AppProjects, repo credentials and the root Applications"
kubectl apply --server-side --filename clusters/mgmt/argocd/projects.yaml
kubectl apply --server-side --filename clusters/mgmt/argocd/repo.sealed.yaml
kubectl apply --server-side --filename clusters/mgmt/argocd/cluster-mgmt.yaml
kubectl apply --server-side --filename clusters/mgmt/argocd/root.yaml
kubectl apply --server-side --filename clusters/mgmt/argocd/infrastructure-root.yaml

log "done. Watch: kubectl -n argocd get applications -w"
