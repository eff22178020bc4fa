#!/usr/bin/env python3
"""eos_check.py -- the downstream count of the exactly-once scenarios
(tests/e2e/faults/eos.sh). Standard library only.

  eos_check.py DOWNSTREAM LOG... [--zombie-pid PID --zombie-after UNIX_S]

DOWNSTREAM is what a read_committed consumer read from the service topic,
one record a line as `kcat -f '%T\\t%s\\n'` prints it (timestamp in ms, the
value). Every TickDone record (the consumer's emit; its data names the
source event in "id" and the emitting worker in "pid") is counted per source
event. LOGs are drive.py request logs; every event acknowledged there (outcome
ok) must have exactly one TickDone. Prints a JSON summary: acknowledged,
emitted (TickDone records), lost (acknowledged, none emitted), duplicates
(records beyond the first per event), and zombie_writes (records of
--zombie-pid created after --zombie-after)."""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("downstream")
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--zombie-pid", type=int, default=None)
    ap.add_argument("--zombie-after", type=float, default=None)
    a = ap.parse_args()
    counts, emitted, zombie = {}, 0, 0
    with open(a.downstream, errors="replace") as f:
        for line in f:
            ts, _, value = line.rstrip("\n").partition("\t")
            try:
                d = json.loads(value)
            except ValueError:
                continue
            if not isinstance(d, dict) or "handled" not in d:
                continue  # a TickEvent, not an emit
            emitted += 1
            counts[d.get("id")] = counts.get(d.get("id"), 0) + 1
            if (a.zombie_pid is not None and d.get("pid") == a.zombie_pid
                    and int(ts or 0) >= a.zombie_after * 1000):
                zombie += 1
    acked, sent, answered = set(), 0, 0
    for p in a.logs:
        with open(p) as f:
            for line in f:
                r = json.loads(line)
                sent += 1
                if r["outcome"] == "ok" and r["id"]:
                    answered += 1
                    acked.add(r["id"])
    lost = [i for i in acked if counts.get(i, 0) == 0]
    dups = sum(c - 1 for c in counts.values() if c > 1)
    print(json.dumps({"sent": sent, "answered_ok": answered, "acknowledged": len(acked),
                      "emitted": emitted, "distinct": len(counts), "lost": len(lost),
                      "lost_ids": lost[:3], "duplicates": dups,
                      "dup_ids": [i for i, c in counts.items() if c > 1][:3],
                      "zombie_writes": zombie}))


if __name__ == "__main__":
    sys.exit(main())
