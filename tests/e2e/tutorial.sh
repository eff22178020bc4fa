#!/usr/bin/env bash
# tutorial.sh -- runs docs/tutorial.md as written: every ```sh block in
# order, in one shell, in a scratch directory; the ```c file=notes.c block is
# written where the page writes it. The one change to the page's commands:
# the line `PREFIX=/usr/local ...` of step 1 becomes a scratch prefix. Step 1
# builds and installs from a copy of this checkout (so the developer's build/
# is not touched). Each `# => TEXT` line under a command is an output the
# block must print (a whole line; `...` matches any text). Afterwards: the
# installed GraphiQL assets are used (the page works offline), and every line
# of the processes' logs is in our format.
#
# Needs no server of the test run: the page starts its own Redis (Unix
# socket) and the development broker. Takes a Release build (~1-2 min).
set -euo pipefail
: "${MM_SOURCE_DIR:?run through ctest (MM_SOURCE_DIR)}"
page=$MM_SOURCE_DIR/docs/tutorial.md

work=$(mktemp -d "${TMPDIR:-/tmp}/mm-tutorial.XXXXXX")
cleanup() {
    # The page's own step 6 stops everything; this is for a failure midway.
    if [[ -s $work/pids ]]; then
        while read -r p; do [[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true; done <"$work/pids"
    fi
    [[ -S $work/notes/redis.sock ]] && redis-cli -s "$work/notes/redis.sock" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
source "$(dirname "$0")/lib/prologue.sh"

# A copy of the checkout, as a user has it (no build trees, no .git).
mkdir "$work/src"
tar -C "$MM_SOURCE_DIR" --exclude-vcs --exclude='./build*' --exclude=node_modules -cf - . |
    tar -C "$work/src" -xf -

# The page as one script: block N's output goes to $work/out.N.
prefix_lines=$(grep -c '^PREFIX=/usr/local ' "$page" || true)
[[ $prefix_lines == 1 ]] || fail "docs/tutorial.md must set PREFIX=/usr/local on exactly one line (found $prefix_lines)"
awk -v work="$work" '
    BEGIN { n = 0; print "set -euo pipefail"; print "cd \"" work "/src\"" }
    /^```c file=/ { split($2, a, "="); file = a[2]; inc = 1
                    print "cat >" file " <<'"'"'MM_TUTORIAL_EOF'"'"'"; next }
    /^```sh/      { inb = 1; n++; print "{"; next }
    /^```$/ && inc { inc = 0; print "MM_TUTORIAL_EOF"; next }
    /^```$/ && inb { inb = 0
                     print "} >\"" work "/out." n "\" 2>&1"
                     print "echo \"${broker:-} ${worker:-} ${serve:-}\" | tr \" \" \"\\n\" >\"" work "/pids\""
                     next }
    inc { print; next }
    inb { if ($0 ~ /^PREFIX=\/usr\/local /) print "PREFIX=\"$MM_TUTORIAL_PREFIX\""; else print; next }
' "$page" >"$work/page.sh"
echo "tutorial.sh: $(grep -c '^} >' "$work/page.sh") sh blocks from docs/tutorial.md"

export MM_TUTORIAL_PREFIX=$work/prefix
mkdir -p "$MM_TUTORIAL_PREFIX"
if ! (unset MM_KAFKA_BOOTSTRAP_SERVERS MM_REDIS_URL PKG_CONFIG_PATH; bash "$work/page.sh"); then
    last=$(ls "$work"/out.* 2>/dev/null | sort -t. -k2 -n | tail -n1)
    echo "---- output of the failing block ($last):" >&2
    tail -n 40 "$last" >&2 || true
    for log in "$work"/notes/*.log; do [[ -f $log ]] && { echo "---- $log" >&2; tail -n 20 "$log" >&2; }; done
    fail "a command of docs/tutorial.md failed"
fi

# Each block's `# => ` lines against its output.
python3 - "$page" "$work" <<'PY'
import re, sys
page, work = sys.argv[1], sys.argv[2]
blocks, cur, inb = [], None, False
for line in open(page):
    line = line.rstrip("\n")
    if line.startswith("```sh"):
        cur, inb = [], True
    elif line == "```" and inb:
        blocks.append(cur); inb = False
    elif inb and line.startswith("# => "):
        cur.append(line[5:])
bad = 0
for n, expected in enumerate(blocks, 1):
    if not expected:
        continue
    out = open(f"{work}/out.{n}").read().splitlines()
    for e in expected:
        rx = re.compile("^" + ".*".join(re.escape(p) for p in e.split("...")) + "$")
        if not any(rx.match(o) for o in out):
            print(f"tutorial.sh: block {n}: no output line matches: {e}\n  output:\n    " +
                  "\n    ".join(out[-15:]), file=sys.stderr)
            bad = 1
print(f"tutorial.sh: {sum(len(b) for b in blocks)} expected outputs checked")
sys.exit(bad)
PY

# The installed gregor served GraphiQL from the installed assets.
[[ -s $MM_TUTORIAL_PREFIX/share/metamorphosis/graphiql/graphiql.min.js ]] ||
    fail "cmake --install did not install GraphiQL's assets"
grep -q 'graphiql=local' "$work/notes/serve.log" || fail "the installed gregor serve did not find GraphiQL's assets: $(cat "$work/notes/serve.log")"

# One log format in every process's log.
for log in "$work"/notes/{serve,worker,broker}.log; do
    while IFS= read -r line; do
        [[ $line =~ ^time=[0-9T:.-]+Z\ level=(error|warn|info|debug)\  ]] && continue
        [[ $line == "gregor "*": "* ]] && continue
        [[ $(basename "$log") == broker.log && $line == "*"* ]] && continue
        fail "$(basename "$log"): a line not in our format: $line"
    done <"$log"
done
echo "tutorial.sh: the tutorial works as written"
