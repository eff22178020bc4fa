#!/usr/bin/env bash
# faults_eos_coordinator.sh -- exactly-once under synchronous load on a 3-broker cluster whose transaction coordinator's broker is SIGKILLed.
# The scenario is tests/e2e/faults/eos.sh (docs/exactly-once.md).
exec bash "$(dirname "${BASH_SOURCE[0]}")/faults/eos.sh" coordinator
