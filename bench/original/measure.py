#!/usr/bin/env python3
"""measure.py -- process and consumer measurements for compare.sh, the same
for both systems (Linux /proc only, plus redis-py for the drain counter).

  measure.py tree PID...        pids of PID and all its descendants, one a line
  measure.py cpu PID...         user+system CPU seconds of those pids (summed)
  measure.py rss PID...         resident set size of each pid in KiB, JSON list
  measure.py drain REDIS_URL COUNTER PIDFILE [--window S] [--timeout S]
        started BEFORE the consumer: takes the counter's base, waits until a
        consumer starts draining a backlog, reads the consumer's root pid
        from PIDFILE, then measures over a window of steady draining: events
        counted by COUNTER per second, CPU seconds of the root and all its
        descendants per event, and the RSS of its deepest descendant (the
        consumer process itself) at the end. COUNTER is "dbsize" (keys of the
        URL's db) or "hlen:KEY" (fields of a hash). Prints one JSON object.
"""
import json
import os
import sys
import time

TICK = os.sysconf('SC_CLK_TCK')


def children(pid):
    out = []
    try:
        for tid in os.listdir(f'/proc/{pid}/task'):
            with open(f'/proc/{pid}/task/{tid}/children') as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree(pids):
    seen, todo = [], list(pids)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo += children(p)
    return seen


def cpu(pids):
    total = 0.0
    for p in pids:
        try:
            with open(f'/proc/{p}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
        except OSError:
            pass
    return total


def rss_kib(pid):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def deepest(root):
    """The last process of the longest parent->child chain below root."""
    best, todo = (0, root), [(0, root)]
    while todo:
        d, p = todo.pop()
        if d > best[0]:
            best = (d, p)
        todo += [(d + 1, c) for c in children(p)]
    return best[1]


def drain(url, counter, pidfile, window=8.0, timeout=120.0):
    import redis
    r = redis.StrictRedis.from_url(url)
    if counter == 'dbsize':
        count = r.dbsize
    elif counter.startswith('hlen:'):
        key = counter[5:]
        count = lambda: r.hlen(key)  # noqa: E731
    else:
        raise SystemExit(f'measure.py: unknown counter {counter}')
    base = count()
    t_end = time.monotonic() + timeout
    # Wait for the consumer to start (imports, group join) and get past its
    # first events (the first publish may wait for a producer id, metadata):
    # the window opens once 20 events are done.
    while count() < base + 20:
        if time.monotonic() > t_end:
            raise SystemExit('measure.py: the consumer never started draining')
        time.sleep(0.02)
    with open(pidfile) as f:
        pid = int(f.read().split()[0])
    c0, t0, cpu0 = count(), time.monotonic(), cpu(tree([pid]))
    last, last_t, c1, t1, cpu1 = c0, t0, c0, t0, cpu0
    # Measure until the window is over or the backlog is gone (no growth for
    # 2 s: the end of the backlog; the window then ends at the last growth).
    while time.monotonic() - t0 < window:
        time.sleep(0.1)
        now, c = time.monotonic(), count()
        if c != last:
            last, last_t = c, now
            c1, t1, cpu1 = c, now, cpu(tree([pid]))
        elif now - last_t > 2.0:
            break
    events = c1 - c0
    secs = t1 - t0
    return {'events': events, 'seconds': round(secs, 3),
            'events_per_s': round(events / secs, 1) if secs > 0 else 0,
            'cpu_s': round(cpu1 - cpu0, 3),
            'cpu_us_per_event': round((cpu1 - cpu0) / events * 1e6, 1) if events else None,
            'rss_kib': rss_kib(deepest(pid)), 'pid': deepest(pid), 'backlog_total': count() - base}


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, rest = argv[1], argv[2:]
    if cmd == 'tree':
        print('\n'.join(str(p) for p in tree([int(x) for x in rest])))
    elif cmd == 'cpu':
        print(f'{cpu([int(x) for x in rest]):.3f}')
    elif cmd == 'rss':
        print(json.dumps([rss_kib(int(x)) for x in rest]))
    elif cmd == 'drain':
        opts = {}
        args = []
        it = iter(rest)
        for a in it:
            if a in ('--window', '--timeout'):
                opts[a[2:]] = float(next(it))
            else:
                args.append(a)
        url, counter, pidfile = args
        print(json.dumps(drain(url, counter, pidfile, **opts)))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
