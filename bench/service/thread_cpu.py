#!/usr/bin/env python3
# thread_cpu.py -- per-thread CPU and context switches of processes, for
# bench/service/tracing.sh: which thread of gregor serve / gregor worker
# spends tracing's extra CPU.
#
#   thread_cpu.py snap ROLE=PID...        JSON snapshot of every thread on stdout
#   thread_cpu.py diff BEFORE AFTER N     per-thread deltas per request (N requests), JSON:
#                                         [CPU µs, voluntary cs, involuntary cs, kernel µs]
#   thread_cpu.py table RUNS              median per mode/role/thread, markdown
#
# A thread is named by its role (serve, worker), its comm (librdkafka's
# "rdk:broker1", ...; our threads are "gregor") and its rank among the
# process's threads of that comm by thread id (creation order), since our
# threads are unnamed: "serve gregor#0" is the main (I/O) thread.
import json
import os
import sys


def snap(args):
    out = {}
    hz = os.sysconf("SC_CLK_TCK")
    for a in args:
        role, pid = a.split("=", 1)
        try:
            tids = sorted(int(t) for t in os.listdir("/proc/%s/task" % pid))
        except OSError:
            continue
        rank = {}
        for tid in tids:
            base = "/proc/%s/task/%d/" % (pid, tid)
            try:
                with open(base + "stat") as f:
                    st = f.read()
                with open(base + "status") as f:
                    status = f.read()
            except OSError:
                continue
            comm = st[st.index("(") + 1:st.rindex(")")]
            fields = st[st.rindex(")") + 2:].split()
            utime, stime = int(fields[11]), int(fields[12])
            # Threads of one comm numbered in tid order; librdkafka's
            # broker threads carry their own names.
            k = rank.get(comm, 0)
            rank[comm] = k + 1
            vol = nvol = 0
            for line in status.splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    vol = int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches:"):
                    nvol = int(line.split()[1])
            out["%s %s#%d" % (role, comm, k)] = [(utime + stime) * 1e6 / hz, vol, nvol, stime * 1e6 / hz]
    json.dump(out, sys.stdout)


def diff(before, after, n):
    a = json.load(open(before))
    b = json.load(open(after))
    n = max(1.0, float(n))
    res = {}
    for k, v in b.items():
        u = a.get(k, [0, 0, 0, 0])
        res[k] = [round((v[i] - u[i]) / n, 3) for i in range(4)]
    json.dump(res, sys.stdout, separators=(",", ":"))


def table(runs):
    per = {}
    for line in open(runs):
        mode, js = line.split(" ", 1)
        for k, v in json.loads(js).items():
            per.setdefault(k, {}).setdefault(mode, []).append(v)
    modes = [m for m in ("off", "on", "base_off", "base_on") if any(m in d for d in per.values())]

    def med(xs, i):
        s = sorted(x[i] for x in xs)
        return s[len(s) // 2]

    print("| thread (median per request) | " + " | ".join("%s µs (of it sys) / vol cs / invol cs" % m for m in modes) + " |")
    print("|---|" + "---|" * len(modes))
    rows = []
    for k, d in per.items():
        cells, top = [], 0.0
        for m in modes:
            if m in d:
                cells.append("%.1f (%.1f) / %.2f / %.2f" % (med(d[m], 0), med(d[m], 3), med(d[m], 1), med(d[m], 2)))
                top = max(top, med(d[m], 0))
            else:
                cells.append("–")
        rows.append((top, k, cells))
    for top, k, cells in sorted(rows, key=lambda r: (r[1].split()[0], -r[0])):
        if top < 0.5:
            continue
        print("| %s | %s |" % (k, " | ".join(cells)))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "snap":
        snap(sys.argv[2:])
    elif cmd == "diff":
        diff(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "table":
        table(sys.argv[2])
    else:
        sys.exit("usage: thread_cpu.py snap|diff|table ...")
