#!/usr/bin/env bash
# Run a command in the bootstrap toolbox image (docker/toolbox): the pinned kubectl,
# clusterctl, talosctl, k3d, kubeseal, argocd and helm, with this repo at /work, the caller's
# kubeconfig and the host's Docker socket (k3d drives the host's daemon).
#
# Usage: scripts/toolbox.sh [COMMAND [ARG...]]   (no command: an interactive shell)
# The image is built on first use and whenever docker/toolbox changes (its tag is the hash of
# that folder). Needs: docker.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
command -v docker >/dev/null 2>&1 || die "docker not found in PATH"

tag="$(cd "${REPO_ROOT}/docker/toolbox" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
image="blast-toolbox:${tag}"
if ! docker image inspect "${image}" >/dev/null 2>&1; then
  printf '==> building %s from docker/toolbox\n' "${image}" >&2
  docker build --tag "${image}" "${REPO_ROOT}/docker/toolbox"
fi

kubedir="${HOME}/.kube"
mkdir -p "${kubedir}"
sock=/var/run/docker.sock
docker_gid="$(stat -c %g "${sock}" 2>/dev/null || echo 0)"
cmd=()
[[ $# -gt 0 ]] && cmd=(-c "$(printf '%q ' "$@")")
tty_flags=(-i)
[[ -t 0 && -t 1 ]] && tty_flags=(-it)

exec docker run --rm "${tty_flags[@]}" \
  --network host \
  --user "10001:10001" --group-add "${docker_gid}" \
  --security-opt no-new-privileges \
  -e BLAST_IN_TOOLBOX=1 -e KUBECONFIG=/home/blast/.kube/config \
  -v "${REPO_ROOT}:/work" \
  -v "${kubedir}:/home/blast/.kube" \
  -v "${sock}:${sock}" \
  "${image}" "${cmd[@]}"
