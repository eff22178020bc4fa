#!/usr/bin/env bash
# faults_eos_zombie.sh -- a SIGSTOPped exactly-once worker replaced and SIGCONTed is fenced and writes nothing.
# The scenario is tests/e2e/faults/eos.sh (docs/exactly-once.md).
exec bash "$(dirname "${BASH_SOURCE[0]}")/faults/eos.sh" zombie
