#!/usr/bin/env bash
# Builds the real upstream kube-apiserver (with an embedded etcd) for the tests, from the Go module
# in tests/kube-apiserver/, into target/kube-apiserver/kube-apiserver. Rebuilds only when that
# module (go.mod, go.sum, main.go) or the Go toolchain changed: a stamp file holds their hash.
#
# Needs Go (the version in tests/kube-apiserver/go.mod or newer) and the module proxy, or a module
# cache that already holds the modules. GOMODCACHE, GOCACHE, GOPROXY, GOFLAGS are honoured.
# Cost, measured on 2 shared cores: see the README ("The real kube-apiserver").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SRC="$ROOT/tests/kube-apiserver"
OUT_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/kube-apiserver"
BIN="$OUT_DIR/kube-apiserver"
STAMP="$OUT_DIR/stamp"

if ! command -v go >/dev/null 2>&1; then
  echo "build-kube-apiserver.sh: ERROR: go not found on PATH; the real kube-apiserver cannot be built" >&2
  exit 1
fi

hash_inputs() {
  { go version; cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go"; } | sha256sum | cut -d' ' -f1
}
want="$(hash_inputs)"
if [ -x "$BIN" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "build-kube-apiserver.sh: $BIN is up to date"
  exit 0
fi

kube_version="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v1\./ { print $2; exit }' "$SRC/go.mod")"
if [[ ! "$kube_version" =~ ^v1\.([0-9]+)\.[0-9]+$ ]]; then
  echo "build-kube-apiserver.sh: no k8s.io/kubernetes v1.X.Y requirement in $SRC/go.mod" >&2
  exit 1
fi
minor="${BASH_REMATCH[1]}"
# What `make` stamps into an upstream build, so that /version tells the truth.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean"
done

mkdir -p "$OUT_DIR"
echo "build-kube-apiserver.sh: building kube-apiserver $kube_version (CGO_ENABLED=0) into $BIN"
start=$(date +%s)
(
  cd "$SRC"
  # -mod=readonly: go.mod/go.sum are generated (gen-gomod.sh) and committed; never rewrite them here.
  CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags="$ldflags" -o "$BIN.tmp" .
)
mv -f "$BIN.tmp" "$BIN"
echo "$want" >"$STAMP"
echo "build-kube-apiserver.sh: built in $(( $(date +%s) - start ))s: $("$BIN" --version 2>&1 | head -1)"
