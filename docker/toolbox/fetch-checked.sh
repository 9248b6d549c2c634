#!/bin/bash
# fetch-checked URL SUMS_URL NAME OUT: download URL to OUT, look NAME's SHA-256 up in SUMS_URL
# (a checksums file of "<sum>  <name>" lines, or a bare .sha256), and fail unless they match.
set -euo pipefail
url="$1" sums_url="$2" name="$3" out="$4"
curl -fsSL --proto '=https' --tlsv1.2 -o "$out" "$url"
sums="$(curl -fsSL --proto '=https' --tlsv1.2 "$sums_url")"
if [[ "$sums" =~ ^[0-9a-f]{64}[[:space:]]*$ ]]; then
  want="${sums//[[:space:]]/}"
else
  want="$(awk -v n="$name" '$2 == n || $2 == "*"n || $2 == "./"n { print $1 }' <<<"$sums" | head -n1)"
fi
[[ "$want" =~ ^[0-9a-f]{64}$ ]] || { echo "no published SHA-256 for $name in $sums_url" >&2; exit 1; }
echo "$want  $out" | sha256sum -c -
