#!/usr/bin/env python3
"""report.py -- turns the measurements compare.sh left in WORKDIR into
results.md (tables of both systems side by side, with ratios, checked
against the goals of the comparison) and three PNG plots.

    report.py WORKDIR RESULTS_MD IMG_DIR SECONDS_PER_POINT
"""
import json
import os
import sys

CONCURRENCIES = (1, 4, 16)
# Goals: the C port >= 50x the original's synchronous throughput, p50
# latency >= 20x lower, <= 1/10 of its memory per worker process.
GOAL_RPS, GOAL_P50, GOAL_RSS = 50.0, 20.0, 10.0


def load(work, name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)


def ratio(a, b):
    return a / b if a and b else float('nan')


def fmt(x, nd=1):
    if x is None:
        return 'n/a'
    if isinstance(x, float) and x != x:
        return 'n/a'
    return f'{x:,.{nd}f}'


def main():
    work, out_md, img_dir, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    S = ('port', 'orig')
    sync = {s: {c: load(work, f'{s}-sync-{c}.json') for c in CONCURRENCIES} for s in S}
    scpu = {s: {c: load(work, f'{s}-sync-{c}.cpu.json')['cpu_s'] for c in CONCURRENCIES} for s in S}
    asy = {s: load(work, f'{s}-async-16.json') for s in S}
    drain = {s: load(work, f'{s}-drain.json') for s in S}
    srv_rss = {s: load(work, f'{s}-server-rss.json') for s in S}
    con_rss = {s: load(work, f'{s}-consumer-rss.json') for s in S}
    with open(os.path.join(work, 'machine.txt')) as f:
        machine = [line.strip() for line in f]
    with open(os.path.join(work, 'load-start.txt')) as f:
        load_start = f.read().strip()

    L = []
    L.append('# The C port against the original metamorphosis 0.4.5: measured')
    L.append('')
    L.append(f'Sample result of `bench/original/compare.sh {int(secs)}`, {machine[0]}, on {machine[1]}, '
             f'{machine[2]} cores ({machine[3].strip()}), shared with other work: load average '
             f'{load_start} when measuring started, {machine[4]} at the end. Both systems ran one '
             'after the other against the same Apache Kafka 4.1.1 broker and Redis 7.0.15 '
             '(started once for the run), each on its own topics and Redis dbs. The original: '
             'metamorphosis 0.4.5 from PyPI with the pins of bench/original/requirements.txt '
             '(Python 3.11, kafka-python 1.4.7), its forms example under gunicorn 20 (gthread, '
             '5 workers x 4 threads), its consumers under `gregor.py run-node` (one process each). '
             'The port: `gregor serve` and one `gregor worker` per consumer, Release build. '
             'Load: bench/service/loadgen (closed loop, keep-alive, each point '
             f'{int(secs)} s after 1 s of warm-up). See docs/comparison.md for what the numbers mean.')
    L.append('')
    L.append('## Synchronous createForm (timing: synchronous), both consumers running')
    L.append('')
    L.append('| clients | port req/s | original req/s | ratio | port p50 ms | original p50 ms | ratio '
             '| port p99 ms | original p99 ms | ratio | errors port / original |')
    L.append('|---|---|---|---|---|---|---|---|---|---|---|')
    for c in CONCURRENCIES:
        p, o = sync['port'][c], sync['orig'][c]
        L.append(f'| {c} | {fmt(p["rps"])} | {fmt(o["rps"])} | {fmt(ratio(p["rps"], o["rps"]))}x '
                 f'| {fmt(p["p50_ms"], 2)} | {fmt(o["p50_ms"], 2)} | {fmt(ratio(o["p50_ms"], p["p50_ms"]))}x '
                 f'| {fmt(p["p99_ms"], 2)} | {fmt(o["p99_ms"], 2)} | {fmt(ratio(o["p99_ms"], p["p99_ms"]))}x '
                 f'| {p["errors"]} / {o["errors"]} |')
    L.append('')
    L.append('CPU per synchronous mutation (server and both consumers, all their processes; '
             'the warm-up second is counted in CPU and estimated in requests):')
    L.append('')
    L.append('| clients | port CPU us/request | original CPU us/request | ratio |')
    L.append('|---|---|---|---|')
    for c in CONCURRENCIES:
        pr = {s: scpu[s][c] / max(1.0, sync[s][c]['rps'] * (secs + 1)) * 1e6 for s in S}
        L.append(f'| {c} | {fmt(pr["port"], 0)} | {fmt(pr["orig"], 0)} | {fmt(ratio(pr["orig"], pr["port"]))}x |')
    L.append('')
    L.append('## Asynchronous createFormAsync, 16 clients, consumers stopped')
    L.append('')
    L.append('| | port | original | ratio |')
    L.append('|---|---|---|---|')
    p, o = asy['port'], asy['orig']
    L.append(f'| requests/s | {fmt(p["rps"])} | {fmt(o["rps"])} | {fmt(ratio(p["rps"], o["rps"]))}x |')
    L.append(f'| p50 ms | {fmt(p["p50_ms"], 2)} | {fmt(o["p50_ms"], 2)} | {fmt(ratio(o["p50_ms"], p["p50_ms"]))}x |')
    L.append(f'| p99 ms | {fmt(p["p99_ms"], 2)} | {fmt(o["p99_ms"], 2)} | {fmt(ratio(o["p99_ms"], p["p99_ms"]))}x |')
    L.append(f'| errors | {p["errors"]} | {o["errors"]} | |')
    L.append('')
    L.append('## One create_form consumer process draining the backlog')
    L.append('')
    L.append('| | port | original | ratio |')
    L.append('|---|---|---|---|')
    p, o = drain['port'], drain['orig']
    L.append(f'| events/s | {fmt(p["events_per_s"])} | {fmt(o["events_per_s"])} | '
             f'{fmt(ratio(p["events_per_s"], o["events_per_s"]))}x |')
    L.append(f'| CPU us/event | {fmt(p["cpu_us_per_event"])} | {fmt(o["cpu_us_per_event"])} | '
             f'{fmt(ratio(o["cpu_us_per_event"], p["cpu_us_per_event"]))}x less |')
    L.append(f'| events measured (s) | {p["events"]} ({p["seconds"]}) | {o["events"]} ({o["seconds"]}) | |')
    L.append('')
    topic = {s: load(work, f'{s}-topic.json') for s in S}
    L.append('## What the consumers published')
    L.append('')
    L.append('Messages on the service topic after the synchronous phase (each synchronous createForm '
             'should leave its CreateFormEvent and the FormCreatedEvent the create_form consumer emits):')
    L.append('')
    L.append('| | port | original |')
    L.append('|---|---|---|')
    L.append(f'| messages | {topic["port"]["messages"]} | {topic["orig"]["messages"]} |')
    L.append(f'| of which FormCreatedEvent | {topic["port"]["FormCreatedEvent"]} | {topic["orig"]["FormCreatedEvent"]} |')
    L.append('')
    L.append('## Memory (RSS, MiB)')
    L.append('')
    L.append('| process | port | original | ratio |')
    L.append('|---|---|---|---|')
    mib = lambda k: k / 1024 if k else None  # noqa: E731
    pc, oc = con_rss['port'][0], con_rss['orig'][0]
    L.append(f'| consumer worker (create_form), after the synchronous load | {fmt(mib(pc))} | {fmt(mib(oc))} '
             f'| {fmt(ratio(oc, pc))}x less |')
    pd, od = drain['port']['rss_kib'], drain['orig']['rss_kib']
    L.append(f'| consumer worker (create_form), after draining | {fmt(mib(pd))} | {fmt(mib(od))} '
             f'| {fmt(ratio(od, pd))}x less |')
    ps_, os_ = sum(x or 0 for x in srv_rss['port']), sum(x or 0 for x in srv_rss['orig'])
    L.append(f'| HTTP server, all processes ({len(srv_rss["port"])} / {len(srv_rss["orig"])}) '
             f'| {fmt(mib(ps_))} | {fmt(mib(os_))} | {fmt(ratio(os_, ps_))}x less |')
    ow = [x for x in srv_rss['orig'][1:] if x]
    if ow:
        L.append(f'| HTTP server, per gunicorn worker process (mean) | {fmt(mib(ps_))} (one process) '
                 f'| {fmt(mib(sum(ow) / len(ow)))} | |')
    L.append('')
    L.append('## Against the goals')
    L.append('')
    best_rps = max(ratio(sync['port'][c]['rps'], sync['orig'][c]['rps']) for c in CONCURRENCIES)
    rps16 = ratio(sync['port'][16]['rps'], sync['orig'][16]['rps'])
    p50_1 = ratio(sync['orig'][1]['p50_ms'], sync['port'][1]['p50_ms'])
    rss_r = ratio(oc, pc)
    ok = lambda v, g: 'met' if v == v and v >= g else 'NOT met'  # noqa: E731
    L.append('| goal | measured | |')
    L.append('|---|---|---|')
    L.append(f'| synchronous throughput >= {GOAL_RPS:.0f}x | {fmt(rps16)}x at 16 clients '
             f'(best point {fmt(best_rps)}x) | {ok(rps16, GOAL_RPS)} |')
    L.append(f'| p50 latency >= {GOAL_P50:.0f}x lower | {fmt(p50_1)}x at 1 client | {ok(p50_1, GOAL_P50)} |')
    L.append(f'| memory per worker process <= 1/{GOAL_RSS:.0f} | {fmt(rss_r)}x less (consumer RSS) '
             f'| {ok(rss_r, GOAL_RSS)} |')
    L.append('')
    L.append('![synchronous throughput](../../docs/img/original-vs-port-throughput.png)')
    L.append('![synchronous latency](../../docs/img/original-vs-port-latency.png)')
    L.append('![consumer and memory](../../docs/img/original-vs-port-consumer.png)')
    L.append('')
    with open(out_md, 'w') as f:
        f.write('\n'.join(L))

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    colors = {'port': '#1f77b4', 'orig': '#d62728'}
    names = {'port': 'C port', 'orig': 'original 0.4.5'}
    x = list(range(len(CONCURRENCIES)))
    w = 0.38

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=80)
    for i, s in enumerate(S):
        vals = [sync[s][c]['rps'] for c in CONCURRENCIES]
        ax.bar([v + (i - 0.5) * w for v in x], vals, w, label=names[s], color=colors[s])
        for xv, v in zip(x, vals):
            ax.text(xv + (i - 0.5) * w, v, f'{v:,.0f}', ha='center', va='bottom', fontsize=7)
    ax.set_yscale('log')
    ax.set_xticks(x, [str(c) for c in CONCURRENCIES])
    ax.set_xlabel('concurrent clients')
    ax.set_ylabel('synchronous createForm / s (log)')
    ax.set_title('Synchronous mutation throughput')
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(img_dir, 'original-vs-port-throughput.png'))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=80)
    for s in S:
        ax.plot(CONCURRENCIES, [sync[s][c]['p50_ms'] for c in CONCURRENCIES], 'o-', color=colors[s],
                label=f'{names[s]} p50')
        ax.plot(CONCURRENCIES, [sync[s][c]['p99_ms'] for c in CONCURRENCIES], 's--', color=colors[s],
                label=f'{names[s]} p99')
    ax.set_xscale('log', base=2)
    ax.set_yscale('log')
    ax.set_xticks(CONCURRENCIES, [str(c) for c in CONCURRENCIES])
    ax.set_xlabel('concurrent clients')
    ax.set_ylabel('latency ms (log)')
    ax.set_title('Synchronous mutation latency')
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(img_dir, 'original-vs-port-latency.png'))
    plt.close(fig)

    fig, axes = plt.subplots(1, 3, figsize=(8, 3), dpi=80)
    panels = [
        ('async createFormAsync/s', {s: asy[s]['rps'] for s in S}),
        ('consumer events/s', {s: drain[s]['events_per_s'] for s in S}),
        ('consumer RSS MiB', {s: (con_rss[s][0] or 0) / 1024 for s in S}),
    ]
    for ax, (title, vals) in zip(axes, panels):
        ax.bar([names[s] for s in S], [vals[s] for s in S], color=[colors[s] for s in S])
        for i, s in enumerate(S):
            ax.text(i, vals[s], f'{vals[s]:,.0f}', ha='center', va='bottom', fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(img_dir, 'original-vs-port-consumer.png'))
    plt.close(fig)


if __name__ == '__main__':
    main()
