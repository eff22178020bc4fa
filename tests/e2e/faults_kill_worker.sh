#!/usr/bin/env bash
# faults_kill_worker.sh -- fault scenario (short form): a worker SIGKILLed in the middle of 1,000 events: every result stored, none lost.
# The scenario is tests/e2e/faults/lib.sh; the long form is scripts/faults.sh kill_worker.
exec bash "$(dirname "${BASH_SOURCE[0]}")/faults/quick.sh" kill_worker
