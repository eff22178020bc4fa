#!/usr/bin/env bash
# fetch-promtool.sh -- build Prometheus' promtool from the Go module proxy
# into a cache outside the repo, once; print its path on stdout.
#
# The node metrics e2e test runs `promtool check metrics` on the node's
# /metrics output: the reference linter of the Prometheus text format, not a
# re-implementation of ours. promtool is a Go program; Debian 12's packaged
# prometheus is years older than the text format rules we check against, so
# it is built with `go install` from the Go module proxy at a pinned version
# (falling back to older pinned versions if the newest does not build with the
# local Go; GOTOOLCHAIN=auto lets a Go >= 1.21 fetch the toolchain a version
# asks for, also from the module proxy). The binary lands in $MM_TOOL_CACHE_DIR/promtool-<version>/ (default
# ~/.cache/metamorphosis/tools); a second run finds it and needs no network.
# Usage: scripts/fetch-promtool.sh   (prints the binary's path)
set -euo pipefail

VERSIONS=(v0.316.0 v0.315.1 v0.314.0)
cache=${MM_TOOL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/metamorphosis/tools}
mkdir -p "$cache"

for v in "${VERSIONS[@]}"; do
    if [[ -x $cache/promtool-$v/promtool ]]; then
        echo "$cache/promtool-$v/promtool"
        exit 0
    fi
done

# Go: the one on PATH, else the usual install location. promtool v0.316.0's
# go.mod asks for Go 1.26.7; Debian 12's golang-go is 1.19 (too old, and too
# old to fetch a newer toolchain itself), so it is not installed by setup.sh.
command -v go >/dev/null 2>&1 || PATH=$PATH:/usr/local/go/bin
if ! command -v go >/dev/null 2>&1; then
    echo "fetch-promtool: ERROR: no Go toolchain (>= 1.26) on PATH or in /usr/local/go (needed to build promtool)" >&2
    exit 1
fi

log=$cache/promtool-build.log
: >"$log"
for v in "${VERSIONS[@]}"; do
    dir=$cache/promtool-$v
    tmp=$(mktemp -d "$cache/promtool-build.XXXXXX")
    echo "fetch-promtool: go install github.com/prometheus/prometheus/cmd/promtool@$v (minutes, once)" >&2
    # CGO off: a static tool, no C toolchain assumptions. -tags
    # remove_all_sd: without Prometheus' service-discovery plugins (cloud
    # SDKs: most of the build), which `check metrics` does not use.
    # nice: the machine is shared.
    if GOBIN=$tmp CGO_ENABLED=0 GOFLAGS=-buildvcs=false nice go install -tags remove_all_sd \
        "github.com/prometheus/prometheus/cmd/promtool@$v" >>"$log" 2>&1 &&
        [[ -x $tmp/promtool ]]; then
        rm -rf "$dir"
        mv "$tmp" "$dir"
        echo "$dir/promtool"
        exit 0
    fi
    rm -rf "$tmp"
    echo "fetch-promtool: $v did not build (see $log), trying the next version" >&2
done
echo "fetch-promtool: ERROR: could not build promtool (log: $log)" >&2
exit 1
