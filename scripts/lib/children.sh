# children.sh -- the EXIT trap of a test script that keeps its background
# children's pids in pids[] and its scratch files in $work (sourced).

# stop_children_and_work: each child gets SIGTERM, then up to 10 s, then
# SIGKILL, and is reaped; then $work is removed.
stop_children_and_work() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$work"
}
