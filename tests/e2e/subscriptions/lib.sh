# lib.sh -- what the subscription e2e scripts share (sourced; not a test):
# the pinned npm clients installed once into the build directory, and a
# work directory whose background processes are stopped on exit.
# The sourcing script sources ../lib/prologue.sh first (src, bin_dir, gregor,
# fail, the serve helpers); this sets app (the forms example) and here (this
# directory), and subs_setup does the rest of the scripts' common set-up.

app=$bin_dir/examples/forms.so
here=$src/tests/e2e/subscriptions

# subs_require: the test servers, gregor, the forms example, node and npm are
# there, or the script fails loudly (a tier never skips).
subs_require() {
    e2e_require redis kafka gregor "$app" cmd:node cmd:npm
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

# subs_work_dir: e2e_work_dir (a fresh $work; every pid added to the pids
# array is sent SIGTERM on exit, SIGKILL after 10 s, and $work is removed).
subs_work_dir() { e2e_work_dir; }

# subs_setup: subs_require, subs_install_clients, subs_work_dir, and the
# environment of every gregor process the scripts start: the run's Kafka and
# Redis, MM_LOG_LEVEL=warn, FORMS_WS_TOKEN=tok$$ (a script exports its own
# values after this).
subs_setup() {
    subs_require
    subs_install_clients
    subs_work_dir
    export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL MM_LOG_LEVEL=warn
    export FORMS_WS_TOKEN=tok$$
}

# subs_serve_forms: the forms example's create_form worker and a `gregor
# serve` with $work/config.yaml on a free port (stdout/stderr in
# $work/serve.out and $work/serve.err, the worker's in $work/worker.*), both
# stopped on exit; returns once /readyz answers 200 (30 s), or fails. Sets
# url, base and serve_pid.
subs_serve_forms() {
    "$gregor" worker --app "$app" --consumer create_form >"$work/worker.out" 2>"$work/worker.log" &
    pids+=($!)
    e2e_serve_start "$work/serve" "$gregor" serve --app "$app" --config "$work/config.yaml" \
        --listen 127.0.0.1:0
    e2e_wait_ready "$base"
}

# subs_serve_stop: SIGTERM to the server; it must exit 0 within 30 s.
subs_serve_stop() {
    local st=0
    e2e_stop "$serve_pid" 30 || st=$?
    ((st == 0)) || fail "gregor serve exited with $st on SIGTERM (137: it did not stop within 30 s)"
}
