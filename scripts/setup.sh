#!/usr/bin/env bash
# setup.sh -- install the Debian 12 packages a task needs. Asks dpkg first
# and runs apt-get only when something is missing, so a prepared machine pays
# nothing and needs neither root nor network.
#
#   scripts/setup.sh demo    what `make demo` and `make build` need: the
#                            compiler, the libraries, Redis, curl
#   scripts/setup.sh check   + cmocka and Node (`make check`: the unit tier,
#                            whose GraphQL differential test runs graphql-js)
#   scripts/setup.sh [test]  + everything `make test` needs: clang (fuzzers),
#                            kcat, a JVM and Maven (the real Kafka broker),
#                            chromium (headless GraphiQL/dashboard checks)
set -euo pipefail
set_name=${1:-test}

# demo: build gregor and the example, run a throw-away Redis (redis-server
# pulls in redis-tools, whose redis-cli the fixture pings), curl the demo.
packages=(build-essential cmake ninja-build pkg-config librdkafka-dev libhiredis-dev
          libuv1-dev libjansson-dev libyaml-dev redis-server redis-tools curl
          libssl-dev) # libssl-dev: libcrypto's SHA-256 for persisted queries
case $set_name in
demo) ;;
check|test)
    packages+=(libcmocka-dev clang-format) # clang-format: make format / format-check
    # The differential GraphQL tests use Node. Take Debian's only when the
    # machine has none of its own.
    command -v node >/dev/null 2>&1 || packages+=(nodejs)
    command -v npm >/dev/null 2>&1 || packages+=(npm)
    if [[ $set_name == test ]]; then
        packages+=(clang libclang-rt-14-dev kcat
                   chromium) # chromium: the headless browser checks of GraphiQL and the dashboard
        # The Kafka broker of the integration tier runs on a JVM and is
        # fetched with Maven.
        command -v java >/dev/null 2>&1 || packages+=(openjdk-17-jre-headless)
        command -v mvn >/dev/null 2>&1 || packages+=(maven)
        command -v python3 >/dev/null 2>&1 || packages+=(python3) # the fault tests' load driver
        # The CloudEvents conformance test puts the Python SDKs in virtualenvs.
        python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3-venv)
        # The tracing test builds Jaeger all-in-one with Go (scripts/fetch-jaeger.sh;
        # Debian's 1.19 fetches the newer toolchain it needs from the Go proxy).
        command -v go >/dev/null 2>&1 || packages+=(golang-go)
    fi
    ;;
*)
    echo "setup: ERROR: unknown package set '$set_name' (demo, check or test)" >&2
    exit 2
    ;;
esac

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    echo "setup: all Debian packages for '$set_name' present"
    exit 0
fi

echo "setup: installing missing Debian packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "setup: ERROR: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get update -q || ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    echo "setup: ERROR: apt-get could not install: ${missing[*]} (is this Debian 12 with network access to its mirrors?)" >&2
    exit 1
fi
# Debian starts redis-server as a system service on install; the tests start
# their own on a free port, so the system one is not needed (and is left as is).
