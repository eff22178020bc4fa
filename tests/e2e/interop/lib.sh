# lib.sh -- shared by tests/e2e/interop_*.sh: installs the ecosystem's
# clients into the build directory (never the source tree), pinned, once per
# build directory and one install at a time:
#   node: npm ci from tests/e2e/interop/node/package-lock.json
#   python: one virtualenv per CloudEvents API (python-ce1/, python-ce2/
#   requirements.txt, every package pinned)
# Sourced after ../lib/prologue.sh (src, bin_dir, gregor, fail, serve_start).

interop_here=$src/tests/e2e/interop

# start_serve NAME [VAR=VALUE...]: starts gregor serve (--app "$mod") with
# the variables given, its stdout in $work/NAME.out and its log (stderr) in
# $work/NAME.err, its pid in pids[]; sets url_NAME.
start_serve() {
    local name=$1
    shift
    serve_start "$work/$name" env "$@" "$gregor" serve --app "$mod" --listen 127.0.0.1:0 ||
        fail "gregor serve ($name) did not listen"
    pids+=("$SERVE_PID")
    printf -v "url_$name" '%s' "$SERVE_URL"
}

# interop_stop_servers: every process in pids[] gets SIGTERM and must exit 0
# within 30 s (under ASan: no leak either), or the test fails.
interop_stop_servers() {
    local i status
    for i in "${!pids[@]}"; do
        status=0
        e2e_stop "${pids[$i]}" 30 || status=$?
        [[ $status -eq 0 ]] || fail "gregor serve #$i exited with status $status on SIGTERM: $(tail -20 "$work"/*.log)"
        unset "pids[$i]"
    done
}

# interop_node_dir: prints the directory holding node_modules.
interop_node_dir() {
    local dir=$bin_dir/interop-node
    e2e_require cmd:node cmd:npm
    mkdir -p "$dir"
    (
        flock 9
        if [[ ! -f $dir/node_modules/.package-lock.json ]] ||
           ! cmp -s "$interop_here/node/package-lock.json" "$dir/package-lock.json"; then
            cp "$interop_here/node/package.json" "$interop_here/node/package-lock.json" "$dir/"
            (cd "$dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error) >&2 ||
                { echo "npm ci failed in $dir" >&2; exit 1; }
        fi
        # The scripts next to node_modules (so that imports resolve), copied
        # only when they changed: another test may be running them.
        local f rel
        while IFS= read -r -d '' f; do
            rel=${f#"$interop_here/node/"}
            if ! cmp -s "$f" "$dir/$rel"; then
                mkdir -p "$(dirname "$dir/$rel")"
                cp "$f" "$dir/$rel.tmp.$$" && mv -f "$dir/$rel.tmp.$$" "$dir/$rel"
            fi
        done < <(find "$interop_here/node" -type f \( -name '*.mjs' -o -name '*.js' -o -name '*.config.json' \) -print0)
    ) 9>"$dir.lock" || fail "cannot install the node clients (npm ci in $dir)"
    echo "$dir"
}

# interop_python VERSION (1 or 2): prints the virtualenv's python.
interop_python() {
    local req=$interop_here/python-ce$1/requirements.txt venv=$bin_dir/interop-py$1
    e2e_require cmd:python3
    (
        flock 9
        if [[ ! -x $venv/bin/python ]] || ! cmp -s "$req" "$venv/requirements.txt"; then
            rm -rf "$venv"
            python3 -m venv "$venv" >&2 || { echo "python3 -m venv failed (Debian: python3-venv)" >&2; exit 1; }
            timeout 600 "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$req" >&2 ||
                { rm -rf "$venv"; echo "pip install -r $req failed" >&2; exit 1; }
            cp "$req" "$venv/requirements.txt"
        fi
    ) 9>"$venv.lock" || fail "cannot install the Python CloudEvents SDK $1.x ($venv)"
    echo "$venv/bin/python"
}

# interop_java_classpath: fetches the Java CloudEvents SDK and kafka-clients
# (tests/e2e/interop/java/pom.xml, every version pinned, the dependency
# plugin too) from Maven Central into the build directory once; prints the
# class path for `java -cp CP CeSdk.java`.
interop_java_classpath() {
    local dir=$bin_dir/interop-java pom=$interop_here/java/pom.xml
    e2e_require cmd:java cmd:mvn
    mkdir -p "$dir"
    (
        flock 9
        if [[ ! -f $dir/libs/.complete ]] || ! cmp -s "$pom" "$dir/pom.xml"; then
            rm -rf "$dir/libs"
            cp "$pom" "$dir/pom.xml"
            timeout 600 mvn -q -B -f "$dir/pom.xml" \
                org.apache.maven.plugins:maven-dependency-plugin:2.8:copy-dependencies \
                -DincludeScope=runtime -DoutputDirectory="$dir/libs" >"$dir/mvn.log" 2>&1 ||
                { tail -20 "$dir/mvn.log" >&2; rm -rf "$dir/libs"; exit 1; }
            touch "$dir/libs/.complete"
        fi
    ) 9>"$dir.lock" || fail "cannot fetch the Java CloudEvents SDK from Maven Central ($dir)"
    echo "$dir/libs/*"
}
