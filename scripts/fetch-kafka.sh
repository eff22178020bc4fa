#!/usr/bin/env bash
# fetch-kafka.sh -- fetch the Apache Kafka 4.1.1 broker (the jars of
# org.apache.kafka:kafka_2.13 and its runtime dependencies, plus an SLF4J ->
# Log4j2 binding so the broker's log goes where our log4j2 config says) from
# Maven Central into a cache outside the git tree. Idempotent: does nothing
# when the cache is complete. Prints the libs directory on stdout.
#
# Cache: $MM_KAFKA_HOME/libs, default ${XDG_CACHE_HOME:-$HOME/.cache}/metamorphosis/kafka-4.1.1
set -euo pipefail

KAFKA_VERSION=4.1.1
SCALA_VERSION=2.13
LOG4J_VERSION=2.24.3   # the Log4j2 that kafka 4.1.1 depends on; the binding must match it

home=${MM_KAFKA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/metamorphosis/kafka-$KAFKA_VERSION}
libs=$home/libs
stamp=$libs/.complete

if [[ -f $stamp && -f $libs/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar ]]; then
    echo "$libs"
    exit 0
fi

if ! command -v mvn >/dev/null 2>&1; then
    echo "fetch-kafka: ERROR: Maven (mvn) is not installed; run scripts/setup.sh" >&2
    exit 1
fi

mkdir -p "$home"
work=$(mktemp -d "$home/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.metamorphosis</groupId>
  <artifactId>kafka-broker-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_VERSION</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM

echo "fetch-kafka: fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $libs" >&2
rm -rf "$work/libs"
# The plugin version is pinned so every machine resolves the same thing.
if ! mvn -q -B -f "$work/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:2.8:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
    {
        echo "fetch-kafka: ERROR: Maven could not fetch org.apache.kafka:kafka_$SCALA_VERSION:$KAFKA_VERSION."
        echo "fetch-kafka: the integration tier needs network access to Maven Central (https://repo.maven.apache.org)."
        echo "fetch-kafka: last lines of the Maven log:"
        tail -n 30 "$work/mvn.log"
    } >&2
    exit 1
fi
if [[ ! -f $work/libs/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar ]]; then
    echo "fetch-kafka: ERROR: Maven finished but kafka_$SCALA_VERSION-$KAFKA_VERSION.jar is missing" >&2
    exit 1
fi

# Replace the cache in one rename so an interrupted fetch never looks complete.
rm -rf "$libs"
mv "$work/libs" "$libs"
touch "$stamp"
echo "fetch-kafka: $(ls "$libs" | wc -l) jars in $libs" >&2
echo "$libs"
