#!/usr/bin/env bash
# kafka-fixture.sh -- start or stop the Kafka broker of the integration tier:
# Apache Kafka 4.1.1 as a single-node KRaft cluster (one JVM is broker and
# controller) on free 127.0.0.1 ports, its storage freshly formatted in a
# temporary directory, its log in a file there.
#
#   kafka-fixture.sh start        fetches the jars if needed, starts the broker,
#                                 waits until it answers metadata requests, prints
#                                 MM_TEST_KAFKA_BOOTSTRAP=..., MM_TEST_KAFKA_VERSION=...,
#                                 MM_KAFKA_FIXTURE_DIR=... on stdout
#   kafka-fixture.sh stop DIR     stops the broker started in DIR, removes DIR
#
# MM_KAFKA_START_TIMEOUT (seconds, default 90) bounds the wait.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib/fixture.sh"

write_config() { # DIR BROKER_PORT CONTROLLER_PORT
    local dir=$1 bport=$2 cport=$3
    cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$bport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$bport
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=true
# One node: internal topics cannot be replicated, and few partitions make the
# first consumer group and the first transaction start quickly.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests start groups all the time; do not wait 3 s for more members.
group.initial.rebalance.delay.ms=0
PROPS
    cat >"$dir/log4j2.properties" <<LOG
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $dir/broker.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
LOG
}

start() {
    command -v java >/dev/null || { echo "kafka-fixture: ERROR: java is not installed (scripts/setup.sh)" >&2; exit 1; }
    command -v kcat >/dev/null || { echo "kafka-fixture: ERROR: kcat is not installed (scripts/setup.sh)" >&2; exit 1; }
    local libs dir bport cport pid cluster_id attempt i timeout
    if ! libs=$("$here/fetch-kafka.sh"); then
        fail_with_log "Apache Kafka" /dev/null "could not fetch the broker jars (see above)"
        exit 1
    fi
    timeout=${MM_KAFKA_START_TIMEOUT:-90}
    dir=$(mktemp -d "${TMPDIR:-/tmp}/mm-kafka.XXXXXX")
    # Tell the caller where the state is at once, so it can stop the server
    # even if it is interrupted before reading our output.
    [[ -n ${MM_FIXTURE_RECORD:-} ]] && echo "$dir" >"$MM_FIXTURE_RECORD"
    # Interrupted while starting: take down what was started.
    trap 'stop_group "${pid:-}" kafka.Kafka; rm -rf "$dir"; exit 130' INT TERM
    local java_opts=(-Xmx512m -Xms128m -XX:+UseSerialGC -Djava.awt.headless=true
                     "-Dlog4j2.configurationFile=$dir/log4j2.properties"
                     "-Dkafka.logs.dir=$dir")
    for attempt in 1 2 3; do
        bport=$(free_port)
        cport=$(free_port "$bport")
        rm -rf "$dir/data"
        : >"$dir/broker.log"
        write_config "$dir" "$bport" "$cport"
        # A cluster id is 16 random bytes in URL-safe base64 without padding;
        # one starting with '-' (1 in 64) would read as an option: draw again.
        cluster_id=-
        while [[ $cluster_id == -* ]]; do
            cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        done
        if ! java "${java_opts[@]}" -cp "$libs/*" kafka.tools.StorageTool format \
                -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1; then
            fail_with_log "Apache Kafka (storage format)" "$dir/format.log" "kafka-storage format failed"
            rm -rf "$dir"
            exit 1
        fi
        setsid java "${java_opts[@]}" -cp "$libs/*" kafka.Kafka "$dir/server.properties" \
            </dev/null >"$dir/stdout.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/pid"
        for ((i = 0; i < timeout * 2; i++)); do
            if kcat -b "127.0.0.1:$bport" -L -m 2 >/dev/null 2>&1; then
                local version
                version=$(sed -n 's/.*Kafka version: \([^ ]*\).*/\1/p' "$dir/broker.log" "$dir/stdout.log" | head -n 1)
                version=${version:-unknown}
                echo "kafka-fixture: Apache Kafka $version on 127.0.0.1:$bport (controller $cport, pid $pid, dir $dir)" >&2
                echo "MM_TEST_KAFKA_BOOTSTRAP=127.0.0.1:$bport"
                echo "MM_TEST_KAFKA_VERSION=$version"
                echo "MM_KAFKA_FIXTURE_DIR=$dir"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            fail_with_log "Apache Kafka on 127.0.0.1:$bport" "$dir/broker.log" "no metadata answer within $timeout s"
            stop_group "$pid" kafka.Kafka
            rm -rf "$dir"
            exit 1
        fi
        wait "$pid" 2>/dev/null || true
        if grep -qs "Address already in use" "$dir/broker.log" "$dir/stdout.log"; then
            echo "kafka-fixture: port $bport or $cport was taken meanwhile; retrying" >&2
            continue
        fi
        break
    done
    cat "$dir/stdout.log" >>"$dir/broker.log" 2>/dev/null || true
    fail_with_log "Apache Kafka on 127.0.0.1:$bport" "$dir/broker.log" "the broker exited during start-up"
    rm -rf "$dir"
    exit 1
}

stop() {
    local dir=${1:?usage: kafka-fixture.sh stop DIR}
    [[ -d $dir ]] || return 0
    stop_group "$(cat "$dir/pid" 2>/dev/null || true)" kafka.Kafka
    rm -rf "$dir"
}

case ${1:-} in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) echo "usage: kafka-fixture.sh start | stop DIR" >&2; exit 2 ;;
esac
