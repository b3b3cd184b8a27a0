#!/usr/bin/env bash
# make bench-synth: build the program once, then time its synthesis of 1, 25
# and 200 generated datasets (half push, half pull), warm, with the peak
# memory of the whole process tree (the Go program and jsii's node). Exits
# non-zero when a goal of issue 4 is missed. Pass synthbench flags through,
# e.g. scripts/bench-synth.sh -sizes 25 -runs 5.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
go build -o build/exports .
go build -o build/synthbench ./devtools/synthbench/cmd/synthbench
exec build/synthbench -bin build/exports "$@"
