#!/usr/bin/env bash
# faults_kafka_restart.sh -- fault scenario (short form): the broker (its own) SIGKILLed and restarted under load: no hang, no crash, recovery.
# The scenario is tests/e2e/faults/lib.sh; the long form is scripts/faults.sh kafka_restart.
exec bash "$(dirname "${BASH_SOURCE[0]}")/faults/quick.sh" kafka_restart
