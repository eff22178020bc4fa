#!/usr/bin/env bash
# run_original.sh -- runs the ORIGINAL metamorphosis 0.4.5 forms example
# (from PyPI, in the virtualenv bench/original/setup.sh makes) against a given
# Kafka broker and Redis: its GraphQL server (the Flask app under gunicorn,
# which the original's README names next to `flask run`) and/or a consumer
# node (`gregor.py run-node`, the original's CLI; click 7 spells it with a
# dash) with a generated limits YAML. Runs in the foreground until
# SIGTERM/SIGINT, then stops what it started.
#
#   run_original.sh all    KAFKA_BOOTSTRAP REDIS_URL OUTDIR   server + node
#   run_original.sh server KAFKA_BOOTSTRAP REDIS_URL OUTDIR
#   run_original.sh node   KAFKA_BOOTSTRAP REDIS_URL OUTDIR [CONSUMER...]
#
# Writes OUTDIR/url (the GraphQL endpoint, once it answers), server.log,
# server.pid (gunicorn master); for a node: node-NAME.yml (limits),
# node-NAME.log, node-NAME.pid (gregor.py; its child is the ConsumerNode, whose
# children are the consumer processes), NAME being the consumers joined by "+".
#
# Environment: ORIG_WORKERS (gunicorn workers, default 2*cores+1 as gunicorn's
# docs advise), ORIG_THREADS (threads per worker, default 4), ORIG_PROCS
# (processes per consumer, default 1), ORIG_RESULTS_DB / ORIG_SVC_WEB_DB
# (Redis dbs, default 1 and 10, the original's own), MM_ORIGINAL_VENV.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -lt 4 ] || [[ ! $1 =~ ^(all|server|node)$ ]]; then
    echo "usage: run_original.sh all|server|node KAFKA_BOOTSTRAP REDIS_URL OUTDIR [CONSUMER...]" >&2
    exit 2
fi
what=$1 bootstrap=$2 redis_url=$3 out=$4
shift 4
consumers=${*:-create_form legacy_create_form}
venv=${MM_ORIGINAL_VENV:-$HOME/.cache/metamorphosis/original-venv}
if [ ! -x "$venv/bin/gunicorn" ]; then
    echo "run_original.sh: no virtualenv at $venv; run bench/original/setup.sh first" >&2
    exit 1
fi
mkdir -p "$out"

# redis://HOST:PORT[/DB] -> host and port (the dbs are the original's own).
hp=${redis_url#redis://}
hp=${hp%%/*}
export ORIG_KAFKA_BOOTSTRAP=$bootstrap ORIG_REDIS_HOST=${hp%%:*} ORIG_REDIS_PORT=${hp##*:}
export PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1

cores=$(nproc)
workers=${ORIG_WORKERS:-$((2 * cores + 1))}
threads=${ORIG_THREADS:-4}
procs=${ORIG_PROCS:-1}
name=$(echo $consumers | tr ' ' '+')

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

start_node() {
    # The limits YAML gregor.py run-node wants: the original's default config
    # (gregor.py default-config) for the chosen consumers plus service_web_topic.
    "$venv/bin/python" - "$out/node-$name.yml" "$procs" $consumers <<'PY' 2>"$out/node-$name.config.log"
import sys, yaml
import orig_forms
path, procs, wanted = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cfg = orig_forms.forms_service.default_consumer_config()
svc = orig_forms.forms_service.name
unknown = set(wanted) - set(cfg[svc])
if unknown:
    sys.exit('run_original.sh: no such consumer: %s' % ' '.join(sorted(unknown)))
cfg[svc] = {k: dict(v, procs=procs) for k, v in cfg[svc].items() if k in wanted}
cfg['service_web_topic'] = orig_forms.forms_service.service_web_topic
with open(path, 'w') as f:
    yaml.safe_dump(cfg, f)
# The consumer processes inherit (fork) the KafkaProducer that init_app made
# at import, but not its I/O thread: they can only enqueue to topics whose
# metadata it fetched at bootstrap. On a topic it does not know, send() waits
# 60 s for metadata and raises, and the consumer process dies. So the topics
# must exist before the node starts, as an operator would have created them:
# asking for their partitions makes the broker auto-create them.
p = orig_forms.forms_service.producer
for topic in (svc, cfg['service_web_topic']):
    p.partitions_for(topic)
p.close()
PY
    setsid "$venv/bin/python" -m metamorphosis.gregor run-node --app orig_forms.forms_service \
        --node-name "bench-$name" --limits "$out/node-$name.yml" >"$out/node-$name.log" 2>&1 &
    node_pid=$!
    echo "$node_pid" >"$out/node-$name.pid"
}

start_server() {
    rm -f "$out/url"
    local port
    port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$venv/bin/gunicorn" --bind "127.0.0.1:$port" --workers "$workers" \
        --worker-class gthread --threads "$threads" --log-level warning \
        orig_forms:app >"$out/server.log" 2>&1 &
    server_pid=$!
    echo "$server_pid" >"$out/server.pid"
    local url="http://127.0.0.1:$port/graphql"
    for _ in $(seq 300); do
        if curl -s -o /dev/null -m 2 "$url" -H 'content-type: application/json' -d '{"query":"{ __typename }"}'; then
            echo "$url" >"$out/url"
            return 0
        fi
        kill -0 "$server_pid" 2>/dev/null || { echo "run_original.sh: gunicorn exited, see $out/server.log" >&2; exit 1; }
        sleep 0.2
    done
    echo "run_original.sh: server did not answer, see $out/server.log" >&2
    exit 1
}

case $what in
    all) start_node; start_server ;;
    server) start_server ;;
    node) start_node ;;
esac
wait
