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
source "$src/scripts/lib/serve.sh"
subs_work_dir() {
    work=$(mktemp -d)
    pids=()
    trap stop_children_and_work EXIT
}

# subs_serve_forms: the forms example's create_form worker and a `gregor
# serve` with $work/config.yaml on a free port (stdout/stderr in
# $work/serve.out and $work/serve.err, the worker's in $work/worker.*), both
# stopped on exit; returns once /readyz answers 200 (30 s), or fails. Sets
# url, base and serve_pid.
subs_serve_forms() {
    "$gregor" worker --app "$app" --consumer create_form >"$work/worker.out" 2>"$work/worker.log" &
    pids+=($!)
    serve_start "$work/serve" "$gregor" serve --app "$app" --config "$work/config.yaml" \
        --listen 127.0.0.1:0 || fail "gregor serve did not start"
    serve_pid=$SERVE_PID url=$SERVE_URL base=$SERVE_BASE
    pids+=($serve_pid)
    for _ in $(seq 300); do
        curl -sf --max-time 5 "$base/readyz" >/dev/null && return 0
        sleep 0.1
    done
    fail "gregor serve not ready: $(curl -s "$base/readyz")"
}

# subs_serve_stop: SIGTERM to the server; it must exit 0 within 30 s.
subs_serve_stop() {
    kill -TERM "$serve_pid"
    for _ in $(seq 300); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$serve_pid" 2>/dev/null && fail "gregor serve did not stop within 30 s of SIGTERM"
    wait "$serve_pid" || fail "gregor serve exited with $?"
}
