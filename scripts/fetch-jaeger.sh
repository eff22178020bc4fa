#!/usr/bin/env bash
# fetch-jaeger.sh -- build Jaeger all-in-one v1.75.0 (the Go module
# github.com/jaegertracing/jaeger, package cmd/all-in-one) from the Go module
# proxy into a cache outside the git tree, for the tracing end-to-end test
# (tests/e2e/tracing_jaeger.sh, docs/tracing.md). Idempotent: does nothing
# when the binary is there. Prints the binary's path on stdout.
#
# Cache: $MM_JAEGER_HOME, default ${XDG_CACHE_HOME:-$HOME/.cache}/metamorphosis/jaeger-1.75.0
#
# Why not `go install github.com/jaegertracing/jaeger/cmd/all-in-one@v1.75.0`:
# the module's go.mod has a replace directive (Shopify/sarama), and `go
# install pkg@version` refuses such modules. So the module is downloaded
# with `go mod download` (GOPROXY, default proxy.golang.org) and built in
# place with its own go.mod and go.sum (GOFLAGS=-mod=mod), which is exactly
# the build its maintainers test. Its go.mod asks for Go >= 1.24; a go
# command >= 1.21 fetches that toolchain from the proxy by itself
# (GOTOOLCHAIN=auto). Debian 12's golang-go is 1.19, which cannot: then the
# toolchain module (golang.org/toolchain) is downloaded from the proxy with
# it and used instead.
set -euo pipefail

JAEGER_VERSION=1.75.0
TOOLCHAIN=go1.25.3 # the module's own `toolchain` line

home=${MM_JAEGER_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/metamorphosis/jaeger-$JAEGER_VERSION}
bin=$home/all-in-one
if [[ -x $bin ]]; then
    echo "$bin"
    exit 0
fi
if ! command -v go >/dev/null 2>&1; then
    echo "fetch-jaeger: ERROR: no go command; run scripts/setup.sh (Debian's golang-go)" >&2
    exit 1
fi
mkdir -p "$home"
export GOFLAGS=-mod=mod
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
work=$(mktemp -d "$home/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

gocmd=go
minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [[ -n $minor && $minor -lt 21 ]]; then
    arch=$(go env GOARCH)
    os=$(go env GOOS)
    tc=golang.org/toolchain@v0.0.1-$TOOLCHAIN.$os-$arch
    echo "fetch-jaeger: go $(go env GOVERSION) is older than 1.21: fetching $tc from the module proxy" >&2
    dir=$(go mod download -json "$tc" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    gocmd=$dir/bin/go
    [[ -x $gocmd ]] || { echo "fetch-jaeger: ERROR: no go binary in $tc" >&2; exit 1; }
    chmod +x "$dir/pkg/tool/"*/* 2>/dev/null || true
    export GOTOOLCHAIN=local
fi

echo "fetch-jaeger: downloading github.com/jaegertracing/jaeger@v$JAEGER_VERSION from ${GOPROXY:-$("$gocmd" env GOPROXY)}" >&2
src=$("$gocmd" mod download -json "github.com/jaegertracing/jaeger@v$JAEGER_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -d $src/cmd/all-in-one ]] || { echo "fetch-jaeger: ERROR: module not downloaded ($src)" >&2; exit 1; }
echo "fetch-jaeger: building cmd/all-in-one (a few minutes the first time)" >&2
(cd "$src" && nice "$gocmd" build -trimpath -o "$work/all-in-one" ./cmd/all-in-one)
mv "$work/all-in-one" "$bin"
echo "$bin"
