#!/usr/bin/env bash
# run_original.sh -- runs the ORIGINAL metamorphosis 0.4.5 forms example
# (from PyPI, in the virtualenv bench/original/setup.sh makes) against a given
# Kafka broker and Redis: its GraphQL server (the Flask app under gunicorn,
# which the original's README names next to `flask run`) and one consumer node
# (`gregor.py run-node`, the original's CLI; click 7 names it with a dash) with a generated limits YAML.
# Runs in the foreground until SIGTERM/SIGINT, then stops both.
#
#   run_original.sh KAFKA_BOOTSTRAP REDIS_URL OUTDIR
#
# Writes OUTDIR/url (the GraphQL endpoint, once it answers), OUTDIR/limits.yml,
# OUTDIR/server.log, OUTDIR/node.log, OUTDIR/server.pid (gunicorn master),
# OUTDIR/node.pid (the ConsumerNode supervisor; its children are the workers).
#
# Environment: ORIG_WORKERS (gunicorn workers, default 2*cores+1 as gunicorn's
# docs advise), ORIG_THREADS (threads per worker, default 4), ORIG_PROCS
# (processes per consumer, default 1), ORIG_CONSUMERS (default
# "create_form legacy_create_form"), ORIG_RESULTS_DB / ORIG_SVC_WEB_DB
# (Redis dbs, default 1 and 10, the original's own).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 3 ]; then
    echo "usage: run_original.sh KAFKA_BOOTSTRAP REDIS_URL OUTDIR" >&2
    exit 2
fi
bootstrap=$1 redis_url=$2 out=$3
venv=${MM_ORIGINAL_VENV:-$HOME/.cache/metamorphosis/original-venv}
if [ ! -x "$venv/bin/gunicorn" ]; then
    echo "run_original.sh: no virtualenv at $venv; run bench/original/setup.sh first" >&2
    exit 1
fi
mkdir -p "$out"
rm -f "$out/url"

# redis://HOST:PORT[/DB] -> host and port (the dbs are the original's own).
hp=${redis_url#redis://}
hp=${hp%%/*}
export ORIG_KAFKA_BOOTSTRAP=$bootstrap ORIG_REDIS_HOST=${hp%%:*} ORIG_REDIS_PORT=${hp##*:}
export PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1

cores=$(nproc)
workers=${ORIG_WORKERS:-$((2 * cores + 1))}
threads=${ORIG_THREADS:-4}
procs=${ORIG_PROCS:-1}
consumers=${ORIG_CONSUMERS:-create_form legacy_create_form}

# The limits YAML gregor.py run_node wants: the original's default config
# (gregor.py default-config) for the chosen consumers plus service_web_topic.
"$venv/bin/python" - "$out/limits.yml" "$procs" $consumers <<'PY' 2>"$out/config.log"
import sys, yaml
import orig_forms
path, procs, wanted = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cfg = orig_forms.forms_service.default_consumer_config()
svc = orig_forms.forms_service.name
cfg[svc] = {k: dict(v, procs=procs) for k, v in cfg[svc].items() if k in wanted}
cfg['service_web_topic'] = orig_forms.forms_service.service_web_topic
with open(path, 'w') as f:
    yaml.safe_dump(cfg, f)
orig_forms.forms_service.producer.close()
PY

port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

server_pid="" node_pid=""
stop() {
    # The node (gregor.py, its ConsumerNode child and that one's consumer
    # processes, all multiprocessing) has no SIGTERM handler that stops its
    # children, so it runs in a process group of its own and we stop the group.
    [ -n "$node_pid" ] && kill -TERM -- "-$node_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 0' TERM INT

"$venv/bin/gunicorn" --bind "127.0.0.1:$port" --workers "$workers" \
    --worker-class gthread --threads "$threads" --log-level warning \
    orig_forms:app >"$out/server.log" 2>&1 &
server_pid=$!
echo "$server_pid" >"$out/server.pid"

setsid "$venv/bin/python" -m metamorphosis.gregor run-node --app orig_forms.forms_service \
    --node-name bench --limits "$out/limits.yml" >"$out/node.log" 2>&1 &
node_pid=$!
echo "$node_pid" >"$out/node.pid"

url="http://127.0.0.1:$port/graphql"
for _ in $(seq 300); do
    if curl -s -o /dev/null -m 2 "$url" -H 'content-type: application/json' -d '{"query":"{ __typename }"}'; then
        echo "$url" >"$out/url"
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "run_original.sh: gunicorn exited, see $out/server.log" >&2; exit 1; }
    sleep 0.2
done
[ -s "$out/url" ] || { echo "run_original.sh: server did not answer, see $out/server.log" >&2; exit 1; }
wait "$server_pid" "$node_pid"
