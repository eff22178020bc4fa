#!/usr/bin/env bash
# fetch-graphiql.sh -- fetch GraphiQL's browser assets for offline serving.
#
# Puts graphiql.min.js, graphiql.min.css (graphiql@3.9.0, the last release
# with UMD bundles) and React 18's UMD production builds into DEST (default:
# $MM_BINARY_DIR/graphiql, else ./build/graphiql), where the HTTP server looks
# for them next to its binary. The assets are never committed. Tarballs come
# from the npm registry with `npm pack` and are cached, so a second run needs
# no network. Usage: scripts/fetch-graphiql.sh [DEST]
set -euo pipefail

GRAPHIQL_VERSION=3.9.0
REACT_VERSION=18.3.1

dest=${1:-${MM_BINARY_DIR:-$(pwd)/build}/graphiql}
cache=${MM_NPM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/metamorphosis/npm}
mkdir -p "$dest" "$cache"

files=(graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js)
have_all=1
for f in "${files[@]}"; do [[ -s $dest/$f ]] || have_all=0; done
if ((have_all)); then
    echo "fetch-graphiql: assets already in $dest"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "fetch-graphiql: ERROR: npm is not installed (Debian: apt-get install npm)" >&2
    exit 1
fi

# pack NAME VERSION: makes sure $cache/NAME-VERSION.tgz exists.
pack() {
    local tgz=$cache/$1-$2.tgz
    [[ -s $tgz ]] && return 0
    echo "fetch-graphiql: npm pack $1@$2"
    (cd "$cache" && npm pack --silent "$1@$2" >/dev/null) || {
        echo "fetch-graphiql: ERROR: npm pack $1@$2 failed" >&2
        exit 1
    }
}

# extract TARBALL MEMBER OUTPUT
extract() {
    local tmp
    tmp=$(mktemp -d)
    tar -xzf "$1" -C "$tmp" "$2"
    mv "$tmp/$2" "$3"
    rm -rf "$tmp"
}

pack graphiql "$GRAPHIQL_VERSION"
pack react "$REACT_VERSION"
pack react-dom "$REACT_VERSION"

extract "$cache/graphiql-$GRAPHIQL_VERSION.tgz" package/graphiql.min.js "$dest/graphiql.min.js"
extract "$cache/graphiql-$GRAPHIQL_VERSION.tgz" package/graphiql.min.css "$dest/graphiql.min.css"
extract "$cache/react-$REACT_VERSION.tgz" package/umd/react.production.min.js "$dest/react.production.min.js"
extract "$cache/react-dom-$REACT_VERSION.tgz" package/umd/react-dom.production.min.js "$dest/react-dom.production.min.js"
echo "fetch-graphiql: assets in $dest"
