#!/usr/bin/env python3
"""compat.py -- drop-in compatibility check: sends every client operation of
compat_corpus.json (written for the ORIGINAL metamorphosis 0.4.5 forms
example) to the original's GraphQL server and to the C port's, and compares
the answers for shape and meaning. Ids (UUIDs) and timestamps are masked;
everything else must match or be explained.

Every difference is printed with a reason from KNOWN below: a defect of the
original that the port does not copy, an addition of the port, a cosmetic
difference, or a defect of the port. A difference with no known reason is
printed as UNEXPLAINED. The exit status is 1 when a difference is
unexplained or a defect of the port, else 0.

    compat.py ORIGINAL_URL PORT_URL [--corpus FILE] [--markdown OUT]

Standard library only (runs under any Python 3.8+).
"""
import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request

UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
ISO = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$')
UUID_IN_TEXT = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')

# (case pattern, path pattern, category, reason). Patterns are regexes
# matched with re.search; the first match explains the difference.
ORIG_DEFECT = 'original defect, not copied'
PORT_ADDS = 'port addition'
COSMETIC = 'equivalent'
DELIBERATE = 'deliberate, documented'
PORT_DEFECT = 'PORT DEFECT'
MANAGER_BROKEN = ('the original\'s example always serves the service-web (manager) fields; the port '
                  'serves them only with `gregor serve --manager`, which refuses forms.so: "the merged '
                  'schema is invalid: There can be only one type named \"DateTime\"" (the forms SDL '
                  'and the manager SDL both declare scalar DateTime)')
KNOWN = [
    (r'^allForms', r'^data\.allForms',
     ORIG_DEFECT,
     'the original keeps forms in a dict (_forms) inside the consumer process, so its '
     'GraphQL server always answers [] (and would answer the dict\'s keys as forms); '
     'the port stores forms in Redis, so the server sees what the consumer created'),
    (r'', r'requestTs|createdDate|updatedDate',
     COSMETIC,
     'the original writes datetime.now(): local time with no zone; the port writes UTC '
     'with an explicit +00:00 offset (both are ISO-8601 DateTime values)'),
    (r'^createFormAsync __typename', r'^(errors|data\.createFormAsync)$',
     ORIG_DEFECT,
     'the original\'s mutate_event reads kwargs[\'template\'], but graphene 2 passes no '
     'key for an omitted optional argument: KeyError, reported as the error "\'template\'" '
     'with null data; the port treats the omitted argument as null'),
    (r'', r'^errors\[\d+\]\.extensions',
     PORT_ADDS,
     'the port adds GraphQL error extensions (code, className, namespace, sourceEventId) '
     'that the original never exposed; message, path and locations are unchanged'),
    (r'^wrong enum|^unknown field|^syntax error', r'^HTTP status$',
     DELIBERATE,
     'a document that fails to parse or validate: flask-graphql answers 400, the port 200 '
     'for Accept: application/json (400 for application/graphql-response+json), as the '
     'GraphQL-over-HTTP spec says (docs/http.md); the JSON body is the same shape'),
    (r'^wrong enum|^unknown field|^syntax error', r'^errors\[\d+\]\.message',
     COSMETIC,
     'validation/syntax messages are graphql-js 16 wording in the port, graphql-core 2 '
     'wording in the original; both are errors with no data, at the same location'),
    (r'^syntax error', r'^errors\[\d+\]\.locations',
     COSMETIC,
     'the two parsers report the unexpected token at a different column'),
    (r'^introspection', r'^schema\.types\.(Query|Mutation)\.fields\.eventResult',
     PORT_ADDS,
     'eventResult(id) lets an asynchronous caller fetch the result by event id (the '
     'original offered no way to)'),
    (r'^introspection', r'^schema\.types\.(EventResult|EventError|ID)$',
     PORT_ADDS, 'types of eventResult(id: ID!): EventResult, EventError'),
    (r'^introspection', r'^schema\.types\.(JSONString|ExceptionEvent)$',
     PORT_ADDS,
     'the port declares ExceptionEvent (the event a failing consumer publishes) and its '
     'JSONString field type in the schema; the original defines the same graphene type '
     'but never adds it to its schema'),
    (r'^introspection', r'^schema\.types\.Mutation\.fields\.createForm\.args\.timing\.defaultValue$',
     ORIG_DEFECT,
     'graphene 2 cannot print the Python-enum default (MutationTimings.asynchronous) and '
     'reports null, though it applies it; the port reports the literal asynchronous'),
    (r'^introspection', r'^schema\.directives',
     PORT_ADDS,
     'the port implements the current spec\'s directives (@deprecated, @specifiedBy, '
     '@oneOf); graphql-core 2 has only @include/@skip'),
    (r'^introspection', r'^schema\.(queryType|mutationType)$',
     COSMETIC,
     'root type names: graphene names them after the Python classes '
     '(FormServiceQueries/FormServiceMutations), the port calls them Query/Mutation; '
     'clients reach them through the schema\'s queryType/mutationType (compared by role)'),
]


# Used when the port's server has no manager fields (it was started without
# --manager because `gregor serve --manager --app forms.so` fails).
KNOWN_NO_MANAGER = [
    (r'^manager: ', r'',
     PORT_DEFECT, MANAGER_BROKEN),
    (r'^introspection', r'^schema\.types\.(Query|Mutation)\.fields\.(nodes|consumers|consumerProcesses|'
     r'stopConsumer|stopMicroservice|stopNode|killConsumer|killMicroservice|killNode|adjustConsumer)$',
     PORT_DEFECT, MANAGER_BROKEN),
    (r'^introspection', r'^schema\.types\.(Node|Float|Consumer|ConsumerProcess|ConsumerInput|StopConsumer|'
     r'StopMicroservice|StopNode|KillConsumer|KillMicroservice|KillNode|AdjustConsumer)$',
     PORT_DEFECT, 'a manager type: ' + MANAGER_BROKEN),
]
# Used when it has them (started with --manager and the example's auth code).
KNOWN_MANAGER = [
    (r'^manager: stopConsumer', r'^errors\[\d+\]\.message$',
     COSMETIC,
     'the original raises werkzeug Unauthorized, whose text is HTTP 401 prose; the port '
     'answers its own GraphQL error for a wrong auth code'),
    (r'^manager: nodes', r'^(data\.nodes|errors)$',
     DELIBERATE,
     'the original serves service-web status to anyone; the port refuses a manager query '
     'without authCode by default (manager.auth_for_queries: true, docs/manager.md) and '
     'with auth_for_queries: false answers the original\'s clients unchanged'),
    (r'^introspection', r'^schema\.types\.Query\.fields\.(nodes|consumers|consumerProcesses)\.args\.authCode$',
     DELIBERATE,
     'the optional authCode argument of the manager queries (see the nodes query above)'),
    (r'^introspection', r'^schema\.types\.(Node|Consumer|ConsumerProcess)\.fields\.',
     PORT_ADDS,
     'more status per node, consumer and process than the original reported'),
    (r'^introspection', r'^schema\.types\.(Query\.fields\.serviceWeb|Mutation\.fields\.stopConsumerProcess|'
     r'ServiceWeb|ProcessesEnded|ConsumerProcessFinished|StopConsumerProcess)$',
     PORT_ADDS,
     'serviceWeb and stopConsumerProcess: the original defined ServiceWeb, StopConsumerProcess '
     'and ConsumerProcessFinished but served no field that reaches them'),
]


def post(url, query, variables=None, timeout=70):
    body = json.dumps({'query': query, 'variables': variables}).encode()
    req = urllib.request.Request(url, body, {'Content-Type': 'application/json',
                                             'Accept': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, {'<non-JSON body>': raw.decode(errors='replace')[:200]}


def mask(v):
    """Replace ids and timestamps by their kind so that only meaning remains."""
    if isinstance(v, dict):
        return {k: mask(x) for k, x in v.items()}
    if isinstance(v, list):
        return [mask(x) for x in v]
    if isinstance(v, str):
        if UUID.match(v):
            return '<uuid>'
        m = ISO.match(v)
        if m:
            return '<datetime%s>' % ('' if not m.group(2) else ' with zone')
        return UUID_IN_TEXT.sub('<uuid>', v)
    return v


def type_ref(t):
    if t is None:
        return None
    if t['kind'] == 'NON_NULL':
        return type_ref(t['ofType']) + '!'
    if t['kind'] == 'LIST':
        return '[' + type_ref(t['ofType']) + ']'
    return t['name']


def schema_map(resp):
    """Introspection result -> {types: {name: {...}}, directives, root names},
    without descriptions and without the introspection types themselves."""
    s = (resp.get('data') or {}).get('__schema')
    if not s:
        return {'<no schema>': resp}
    out = {'queryType': (s.get('queryType') or {}).get('name'),
           'mutationType': (s.get('mutationType') or {}).get('name'),
           'types': {}, 'directives': {}}
    for t in s['types']:
        if t['name'].startswith('__'):
            continue
        d = {'kind': t['kind']}
        if t.get('fields') is not None:
            d['fields'] = {f['name']: {
                'type': type_ref(f['type']),
                'args': {a['name']: {'type': type_ref(a['type']), 'defaultValue': a['defaultValue']}
                         for a in f['args']}} for f in t['fields']}
        if t.get('inputFields') is not None:
            d['inputFields'] = {f['name']: {'type': type_ref(f['type']), 'defaultValue': f['defaultValue']}
                                for f in t['inputFields']}
        if t.get('enumValues') is not None:
            d['enumValues'] = sorted(e['name'] for e in t['enumValues'])
        if t.get('possibleTypes') is not None:
            d['possibleTypes'] = sorted(p['name'] for p in t['possibleTypes'])
        out['types'][t['name']] = d
    for d in s['directives']:
        out['directives'][d['name']] = {'locations': sorted(d['locations']),
                                        'args': {a['name']: type_ref(a['type']) for a in d['args']}}
    return out


def rename_roots(m):
    """Compare root types by role, not by name (graphene names them after classes)."""
    types = m.get('types', {})
    for role, new in (('queryType', 'Query'), ('mutationType', 'Mutation')):
        old = m.get(role)
        if old and old != new and old in types and new not in types:
            types[new] = types.pop(old)
    return m


MISSING = object()


def diff(a, b, path=''):
    """Differences between a (original) and b (port) as (path, a, b)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            p = f'{path}.{k}' if path else k
            out += diff(a.get(k, MISSING), b.get(k, MISSING), p)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f'{path}[{i}]')
        return out
    return [] if a == b else [(path, a, b)]


def explain(case, path):
    for cpat, ppat, cat, reason in KNOWN:
        if re.search(cpat, case) and re.search(ppat, path):
            return cat, reason
    return 'UNEXPLAINED', 'no known reason: investigate'


def show(v):
    if v is MISSING:
        return '(absent)'
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= 160 else s[:157] + '...'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('original_url')
    ap.add_argument('port_url')
    ap.add_argument('--corpus', default=__file__.rsplit('/', 1)[0] + '/compat_corpus.json')
    ap.add_argument('--markdown', help='also write the differences as a markdown table here')
    args = ap.parse_args()
    with open(args.corpus) as f:
        cases = json.load(f)['cases']

    _, probe = post(args.port_url, '{ __schema { mutationType { fields { name } } } }')
    fields = [f['name'] for f in (((probe.get('data') or {}).get('__schema') or {}).get('mutationType') or {})
              .get('fields', [])]
    has_manager = 'stopConsumer' in fields
    KNOWN.extend(KNOWN_MANAGER if has_manager else KNOWN_NO_MANAGER)
    print(f'port manager fields: {"served" if has_manager else "NOT served"}')
    rows, unexplained, port_defects, same = [], 0, 0, 0
    for c in cases:
        if c.get('wait_ms'):
            time.sleep(c['wait_ms'] / 1000)
        sa, ra = post(args.original_url, c['query'], c.get('variables'))
        sb, rb = post(args.port_url, c['query'], c.get('variables'))
        if c.get('introspection'):
            ra, rb = {'schema': rename_roots(schema_map(ra))}, {'schema': rename_roots(schema_map(rb))}
        else:
            ra, rb = mask(ra), mask(rb)
        ds = diff(ra, rb)
        if sa != sb:
            ds.insert(0, ('HTTP status', sa, sb))
        print(f'== {c["name"]}: {"same" if not ds else str(len(ds)) + " difference(s)"}')
        if not ds:
            same += 1
        for path, a, b in ds:
            cat, reason = explain(c['name'], path) if path != 'HTTP status' else explain(c['name'], 'HTTP status')
            if cat == 'UNEXPLAINED':
                unexplained += 1
            if cat == PORT_DEFECT:
                port_defects += 1
            print(f'   {path}\n      original: {show(a)}\n      port:     {show(b)}\n      [{cat}] {reason}')
            rows.append((c['name'], path, show(a), show(b), cat, reason))
    print(f'\n{len(cases)} operations: {same} answered the same, {len(cases) - same} differ; '
          f'{len(rows)} differences, {port_defects} port defects, {unexplained} unexplained')
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write('| operation | where | original | C port | kind | why |\n|---|---|---|---|---|---|\n')
            for r in rows:
                f.write('| ' + ' | '.join(str(x).replace('|', '\\|') for x in r) + ' |\n')
    return 1 if unexplained or port_defects else 0


if __name__ == '__main__':
    sys.exit(main())
