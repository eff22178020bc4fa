#!/usr/bin/env bash
# faults_eos_kill_worker.sh -- an exactly-once consumer's worker SIGKILLed 3 times under synchronous load: every emit seen once by a read_committed reader, every caller answered.
# The scenario is tests/e2e/faults/eos.sh (docs/exactly-once.md).
exec bash "$(dirname "${BASH_SOURCE[0]}")/faults/eos.sh" kill_worker
