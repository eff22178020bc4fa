#!/usr/bin/env bash
# setup.sh -- install the Debian 12 packages the build, the tests and the demo
# need. Asks dpkg first and runs apt-get only when something is missing, so a
# prepared machine pays nothing and needs neither root nor network.
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config librdkafka-dev libhiredis-dev
          libmicrohttpd-dev libuv1-dev libjansson-dev libyaml-dev libcmocka-dev redis-server
          clang libclang-rt-14-dev kcat curl redis-tools
          chromium) # chromium: the headless browser checks of GraphiQL and the dashboard
# The Kafka broker of the integration tier runs on a JVM and is fetched with
# Maven; the differential GraphQL tests use Node. Take Debian's only when the
# machine has none of its own.
command -v java >/dev/null 2>&1 || packages+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || packages+=(maven)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
command -v python3 >/dev/null 2>&1 || packages+=(python3) # the fault tests' load driver

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    echo "setup: all Debian packages present"
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
