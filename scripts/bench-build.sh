#!/usr/bin/env bash
# make bench-build: how long the two programs take to build from an empty Go
# build cache (the module cache stays), measured one after the other in one
# run: the analysts' and operators' tool (cmd/exports) and the CDKTF app (.).
# Prints wall time, CPU time (user + system, which moves less with the
# machine's load than wall time) and peak memory of each build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v /usr/bin/time >/dev/null || { echo "bench-build needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }
printf '%-14s %8s %8s %10s\n' program wall cpu "peak mem"
for target in ./cmd/exports .; do
	cache=$(mktemp -d)
	report=$(mktemp)
	/usr/bin/time -o "$report" -f '%e %U %S %M' env GOCACHE="$cache" go build -o /dev/null "$target"
	read -r wall user sys rss <"$report"
	printf '%-14s %7.0fs %7.0fs %7.0f MB\n' "$target" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc)"
	rm -rf "$cache" "$report"
done
