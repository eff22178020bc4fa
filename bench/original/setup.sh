#!/usr/bin/env bash
# setup.sh -- makes the virtualenv in which the ORIGINAL metamorphosis 0.4.5
# runs for the comparison (bench/original/compare.sh): outside the repository,
# in ~/.cache/metamorphosis/original-venv (or $MM_ORIGINAL_VENV), with the
# pins of bench/original/requirements.txt. Idempotent: does nothing when the
# venv already holds exactly those pins.
#
#   bench/original/setup.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=${MM_ORIGINAL_VENV:-$HOME/.cache/metamorphosis/original-venv}
req=$here/requirements.txt
py=${PYTHON:-python3}
stamp=$venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/gunicorn" ]; then
    echo "setup.sh: $venv is up to date"
    exit 0
fi
"$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 10) else 1)' ||
    { echo "setup.sh: needs Python >= 3.10 (the pins are chosen for it)" >&2; exit 1; }
mkdir -p "$(dirname "$venv")"
"$py" -m venv "$venv"
# Every package is pinned, including the transitive ones, so pip resolves
# nothing newer behind our back; --no-deps would hide a missing pin instead.
"$venv/bin/pip" install --quiet -r "$req"
"$venv/bin/pip" check
# The original must import and build its schema (see orig_forms.py) without
# any server running: check the imports that do not connect.
"$venv/bin/python" -c 'import metamorphosis, flask_graphql, kafka, gunicorn, matplotlib'
echo "$want" >"$stamp"
echo "setup.sh: $venv ready"
