#!/usr/bin/env bash
# graphql_difftest.sh -- ctest entry for the GraphQL differential test against
# graphql-js (tests/difftest). Builds nothing: ctest runs after the build, so
# the driver is taken from $MM_BINARY_DIR; a missing driver, node or npm is a
# failure, never a skip.
set -euo pipefail
: "${MM_SOURCE_DIR:?MM_SOURCE_DIR must be set (ctest sets it)}"
: "${MM_BINARY_DIR:?MM_BINARY_DIR must be set (ctest sets it)}"
exec bash "$MM_SOURCE_DIR/tests/difftest/run.sh" "$MM_BINARY_DIR"
