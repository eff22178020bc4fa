#!/usr/bin/env bash
# kafka-cluster.sh -- a three-node Apache Kafka KRaft cluster on loopback, for
# the fault scenarios that kill a broker (scripts/faults.sh, scenario 4).
# Same jars as kafka-fixture.sh (scripts/fetch-kafka.sh). Each node is broker
# and controller in one JVM (-Xmx256m); the three controllers form the
# quorum. Topics default to replication factor 3 and min.insync.replicas 2,
# so an acks=all write survives the loss of any one broker.
#
#   kafka-cluster.sh start          prints MM_CLUSTER_BOOTSTRAP=h:p,h:p,h:p
#                                   and MM_CLUSTER_DIR=DIR on stdout
#   kafka-cluster.sh kill DIR N     SIGKILLs node N (1..3)
#   kafka-cluster.sh restart DIR N  starts node N again on its data and ports
#   kafka-cluster.sh stop DIR       stops every node, removes DIR
#
# MM_KAFKA_START_TIMEOUT (seconds, default 120) bounds the start.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib/fixture.sh"

node_props() { # DIR N
    local dir=$1 n=$2
    cat >"$dir/node$n/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=1@127.0.0.1:$(cat "$dir/cport1"),2@127.0.0.1:$(cat "$dir/cport2"),3@127.0.0.1:$(cat "$dir/cport3")
listeners=PLAINTEXT://127.0.0.1:$(cat "$dir/bport$n"),CONTROLLER://127.0.0.1:$(cat "$dir/cport$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(cat "$dir/bport$n")
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/node$n/data
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
auto.create.topics.enable=true
offsets.topic.replication.factor=3
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
# Notice a dead broker within seconds, not the default 9 s + 18 s.
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
replica.lag.time.max.ms=5000
PROPS
    cat >"$dir/node$n/log4j2.properties" <<LOG
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $dir/node$n/broker.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.state.name = state.change.logger
logger.state.level = WARN
LOG
}

java_opts() { # DIR N
    echo -Xmx256m -Xms64m -XX:+UseSerialGC -Djava.awt.headless=true \
        "-Dlog4j2.configurationFile=$1/node$2/log4j2.properties" "-Dkafka.logs.dir=$1/node$2"
}

run_node() { # DIR N
    local dir=$1 n=$2 libs
    libs=$(cat "$dir/libs")
    # shellcheck disable=SC2046
    setsid java $(java_opts "$dir" "$n") -cp "$libs/*" kafka.Kafka "$dir/node$n/server.properties" \
        </dev/null >>"$dir/node$n/stdout.log" 2>&1 &
    echo $! >"$dir/node$n/pid"
}

bootstrap() { echo "127.0.0.1:$(cat "$1/bport1"),127.0.0.1:$(cat "$1/bport2"),127.0.0.1:$(cat "$1/bport3")"; }

start() {
    command -v java >/dev/null || { echo "kafka-cluster: ERROR: java is not installed" >&2; exit 1; }
    local dir libs n used="" p cluster_id i timeout=${MM_KAFKA_START_TIMEOUT:-120}
    libs=$("$here/fetch-kafka.sh") || { echo "kafka-cluster: ERROR: cannot fetch the jars" >&2; exit 1; }
    dir=$(mktemp -d "${TMPDIR:-/tmp}/mm-kcluster.XXXXXX")
    [[ -n ${MM_FIXTURE_RECORD:-} ]] && echo "$dir" >"$MM_FIXTURE_RECORD"
    trap 'stop "$dir"; exit 130' INT TERM
    echo "$libs" >"$dir/libs"
    for n in 1 2 3; do
        p=$(free_port $used); used+=" $p"; echo "$p" >"$dir/bport$n"
        p=$(free_port $used); used+=" $p"; echo "$p" >"$dir/cport$n"
    done
    # A cluster id is 16 random bytes in URL-safe base64; one starting with
    # '-' would read as an option, so draw again.
    cluster_id=-
    while [[ $cluster_id == -* ]]; do
        cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    for n in 1 2 3; do
        mkdir -p "$dir/node$n"
        node_props "$dir" "$n"
        # shellcheck disable=SC2046
        if ! java $(java_opts "$dir" "$n") -cp "$libs/*" kafka.tools.StorageTool format \
                -t "$cluster_id" -c "$dir/node$n/server.properties" >"$dir/node$n/format.log" 2>&1; then
            fail_with_log "Kafka cluster node $n (storage format)" "$dir/node$n/format.log" "format failed"
            stop "$dir"
            exit 1
        fi
    done
    for n in 1 2 3; do run_node "$dir" "$n"; done
    # Ready when every broker is registered (metadata lists three brokers).
    for ((i = 0; i < timeout * 2; i++)); do
        if [[ $(kcat -b "$(bootstrap "$dir")" -L -m 2 2>/dev/null | grep -c '^  broker [0-9]* at') == 3 ]]; then
            echo "kafka-cluster: three KRaft brokers on $(bootstrap "$dir") (dir $dir)" >&2
            echo "MM_CLUSTER_BOOTSTRAP=$(bootstrap "$dir")"
            echo "MM_CLUSTER_DIR=$dir"
            return 0
        fi
        for n in 1 2 3; do
            if ! kill -0 "$(cat "$dir/node$n/pid")" 2>/dev/null; then
                fail_with_log "Kafka cluster node $n" "$dir/node$n/broker.log" "exited during start-up"
                stop "$dir"
                exit 1
            fi
        done
        sleep 0.5
    done
    fail_with_log "Kafka cluster" "$dir/node1/broker.log" "not three brokers within $timeout s"
    stop "$dir"
    exit 1
}

kill_node() { # DIR N
    local pid
    pid=$(cat "$1/node$2/pid")
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# The data is thrown away, so no controlled shutdown (which, node after
# node, ends with the last one waiting for a quorum that is gone): SIGKILL.
stop() {
    local dir=${1:?usage: kafka-cluster.sh stop DIR} n pid cmdline
    [[ -d $dir ]] || return 0
    for n in 1 2 3; do
        pid=$(cat "$dir/node$n/pid" 2>/dev/null || true)
        [[ -n $pid ]] || continue
        cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)
        [[ $cmdline == *kafka.Kafka* ]] || continue
        kill_node "$dir" "$n"
    done
    rm -rf "$dir"
}

case ${1:-} in
    start) start ;;
    kill) kill_node "${2:?DIR}" "${3:?N}" ;;
    restart) run_node "${2:?DIR}" "${3:?N}" ;;
    stop) stop "${2:-}" ;;
    *) echo "usage: kafka-cluster.sh start | kill DIR N | restart DIR N | stop DIR" >&2; exit 2 ;;
esac
