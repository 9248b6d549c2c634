#!/usr/bin/env bash
# CIS Docker Benchmark of the bootstrap host (the one running k3d, i.e. the management
# cluster's nodes): runs docker-bench-security at a pinned release on this host and publishes
# its JSON log, unchanged, as the ConfigMap docker-bench-<TARGET> in namespace blast-system of
# the management cluster, labelled blast.io/report=docker-bench and blast.io/target=<TARGET>
# (data key report.json). The console reads it (Standards view); waivers live in
# standards/waivers.yaml.
#
# docker-bench exits 0 whatever it finds: only its log's results count.
#
# Usage: scripts/audit-host.sh [--target NAME] [--context KUBECONTEXT] [--dry-run]
#   --target NAME       what the report is of (default: mgmt, the k3d host)
#   --context NAME      kube context of the management cluster (default: k3d-mgmt)
#   --dry-run           run the benchmark and print the ConfigMap instead of applying it
# Needs: git, docker, root (docker-bench reads the host's Docker configuration, /etc and
# audit rules); kubectl comes from the toolbox (scripts/toolbox.sh).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT

# docker-bench-security v1.6.1 (its log says 1.6.0: the release did not bump the version string).
readonly DBS_REPO="https://github.com/docker/docker-bench-security.git"
readonly DBS_TAG="v1.6.1"
readonly DBS_COMMIT="ba0b402ea56aafbb9a56f09cc13ee629160c58b6"
readonly NAMESPACE="blast-system"
readonly MAX_BYTES=$((900 * 1024))   # a ConfigMap holds at most 1 MiB

TARGET="mgmt"
CONTEXT="k3d-mgmt"
DRY_RUN=0

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) [[ $# -ge 2 ]] || die "--target needs a name"; TARGET="$2"; shift 2 ;;
    --context) [[ $# -ge 2 ]] || die "--context needs a name"; CONTEXT="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ "${TARGET}" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "--target must be a DNS label: ${TARGET}"
[[ "$(id -u)" -eq 0 ]] || die "docker-bench must run as root on the Docker host (try sudo)"
for tool in git docker; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} not found in PATH"
done

work="$(mktemp -d "${REPO_ROOT}/.audit-host.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

log "docker-bench-security ${DBS_TAG}"
git -c advice.detachedHead=false clone --quiet --depth 1 --branch "${DBS_TAG}" "${DBS_REPO}" "${work}/dbs"
got="$(git -C "${work}/dbs" rev-parse HEAD)"
[[ "${got}" == "${DBS_COMMIT}" ]] || die "${DBS_TAG} is ${got}, not the pinned ${DBS_COMMIT}"

# -p: remediations in the JSON; -b: no colours; -l: the log (the JSON goes to LOG.json).
(cd "${work}/dbs" && sh docker-bench-security.sh -b -p -l "${work}/docker-bench.log" >/dev/null)
report="${work}/docker-bench.log.json"
[[ -s "${report}" ]] || die "docker-bench wrote no JSON log"
size="$(wc -c <"${report}")"
[[ "${size}" -le "${MAX_BYTES}" ]] || die "the log is ${size} bytes, too large for a ConfigMap"
if command -v jq >/dev/null 2>&1; then
  jq -e '.tests | length > 0' "${report}" >/dev/null || die "the log is not docker-bench JSON"
fi
mkdir -p "${work}/out" && cp "${report}" "${work}/out/report.json" && chmod -R a+rX "${work}"

rel="${work#"${REPO_ROOT}"/}"
kube() { "${REPO_ROOT}/scripts/toolbox.sh" kubectl --context "${CONTEXT}" "$@"; }
manifest="$(
  kube create configmap "docker-bench-${TARGET}" --namespace "${NAMESPACE}" \
    --from-file="report.json=/work/${rel}/out/report.json" --dry-run=client -o yaml \
    | kube label --local -f - -o yaml \
        blast.io/report=docker-bench "blast.io/target=${TARGET}" app.kubernetes.io/managed-by=audit-host
)"
if [[ "${DRY_RUN}" -eq 1 ]]; then
  printf '%s\n' "${manifest}"
  exit 0
fi
kube create namespace "${NAMESPACE}" --dry-run=client -o yaml | kube apply --server-side -f - >/dev/null
# Server-side apply: no last-applied annotation (it would double the size past the limit).
printf '%s\n' "${manifest}" | kube apply --server-side --force-conflicts --field-manager=audit-host -f -
log "published ConfigMap ${NAMESPACE}/docker-bench-${TARGET}"
