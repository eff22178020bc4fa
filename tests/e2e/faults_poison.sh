#!/usr/bin/env bash
# faults_poison.sh -- fault scenario (short form): poison messages among good ones: good ones handled, bad ones dead-lettered.
# The scenario is tests/e2e/faults/lib.sh; the long form is scripts/faults.sh poison.
exec bash "$(dirname "${BASH_SOURCE[0]}")/faults/quick.sh" poison
