# lib.sh -- what the subscription e2e scripts share (sourced; not a test):
# the pinned npm clients installed once into the build directory, and a
# work directory whose background processes are stopped on exit.
# The sourcing script defines: src, here (this directory), bin_dir, gregor,
# app (the forms example), fail.

# subs_require: the test servers, gregor, the forms example, node and npm are
# there, or the script fails loudly (a tier never skips).
subs_require() {
    [[ -n ${MM_TEST_REDIS_URL:-} ]] || fail "MM_TEST_REDIS_URL is not set (run through scripts/test.sh)"
    [[ -n ${MM_TEST_KAFKA_BOOTSTRAP:-} ]] || fail "MM_TEST_KAFKA_BOOTSTRAP is not set (run through scripts/test.sh)"
    [[ -x $gregor ]] || fail "gregor not built: $gregor"
    [[ -f $app ]] || fail "the forms example is not built: $app"
    command -v node >/dev/null || fail "node is not installed"
    command -v npm >/dev/null || fail "npm is not installed"
}

# subs_install_clients: `npm ci` of node/package-lock.json into
# $bin_dir/subscriptions-node (one install at a time across scripts, again
# only when the lock file changed), then the scripts (node/*.mjs) beside it. Sets nodedir.
subs_install_clients() {
    nodedir=$bin_dir/subscriptions-node
    mkdir -p "$nodedir"
    (
        flock 9
        if [[ ! -f $nodedir/node_modules/.package-lock.json ]] || ! cmp -s "$here/node/package-lock.json" "$nodedir/package-lock.json"; then
            cp "$here/node/package.json" "$here/node/package-lock.json" "$nodedir/"
            (cd "$nodedir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error) >&2 || exit 1
        fi
        for f in "$here"/node/*.mjs; do
            b=$(basename "$f")
            cp "$f" "$nodedir/$b.tmp.$$" && mv -f "$nodedir/$b.tmp.$$" "$nodedir/$b" || exit 1
        done
    ) 9>"$nodedir.lock" || fail "cannot install the node clients (npm ci in $nodedir)"
}

# subs_work_dir: a fresh $work; every pid added to the pids array is sent
# SIGTERM on exit, SIGKILL after 10 s, and $work is removed.
source "$src/scripts/lib/children.sh"
subs_work_dir() {
    work=$(mktemp -d)
    pids=()
    trap stop_children_and_work EXIT
}
