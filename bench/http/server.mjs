// server.mjs -- the reference side of bench/http/run.sh: graphql-js 16 behind
// graphql-http on node's own http module, serving the same schema and the same
// data as bench_service.c under `gregor serve`.
//
//   node server.mjs NODE_DIR SCHEMA_SDL_FILE
//
// NODE_DIR holds node_modules (bench/http/package.json, installed by run.sh).
// SCHEMA_SDL_FILE is `gregor schema --app httpbench_service.so`, so both
// servers answer introspection from one schema. Listens on 127.0.0.1 at a free
// port and prints "graphql: http://127.0.0.1:PORT/graphql" once ready.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [nodeDir, sdlFile] = process.argv.slice(2);
if (!nodeDir || !sdlFile) {
  console.error('usage: node server.mjs NODE_DIR SCHEMA_SDL_FILE');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const { buildSchema } = require('graphql');
const { createHandler } = require('graphql-http');

// gregor's schema has a custom scalar (JSONString); buildSchema gives it the
// pass-through default, which is what it does for a JSON value too.
const schema = buildSchema(readFileSync(sdlFile, 'utf8'));

// The data bench_service.c builds: 4 users x 5 posts x 5 comments.
const users = [];
for (let i = 1; i <= 4; i++) {
  const posts = [];
  for (let j = 1; j <= 5; j++) {
    const comments = [];
    for (let k = 1; k <= 5; k++) comments.push({ id: `c${i}-${j}-${k}`, text: `Comment ${k}`, author: `u${k}` });
    posts.push({ id: `p${i}-${j}`, title: `Post ${j} of user ${i}`, body: `Body text of post ${j}`, likes: i * j, comments });
  }
  users.push({ id: `u${i}`, name: `User ${i}`, email: `user${i}@example.com`, posts });
}
const rootValue = { users: () => users, eventResult: () => null };

// graphql-http's node adapter (graphql-http/lib/use/http) with one change:
// the response carries Content-Length instead of chunked encoding, because
// bench/service/loadgen.c reads every response by its length (gregor serve
// always sends one). Everything else is the adapter's own code path: the
// core handler parses, validates, executes and serializes.
const handle = createHandler({ schema, rootValue });
async function handler(req, res) {
  try {
    const [body, init] = await handle({
      url: req.url,
      method: req.method,
      headers: req.headers,
      body: () => new Promise((resolve) => {
        let text = '';
        req.setEncoding('utf-8');
        req.on('data', (chunk) => (text += chunk));
        req.on('end', () => resolve(text));
      }),
      raw: req,
      context: { res },
    });
    const headers = { ...init.headers, 'content-length': body == null ? 0 : Buffer.byteLength(body) };
    res.writeHead(init.status, init.statusText, headers).end(body);
  } catch (err) {
    console.error('server.mjs: internal error', err);
    res.writeHead(500, { 'content-length': 0 }).end();
  }
}
const server = createServer((req, res) => {
  if (req.url === '/graphql' || req.url.startsWith('/graphql?')) return handler(req, res);
  res.writeHead(404, { 'content-length': 0 }).end();
});
// node's default keep-alive timeout (5 s) is longer than any gap in a run.
server.listen(0, '127.0.0.1', () => {
  console.log(`graphql: http://127.0.0.1:${server.address().port}/graphql`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
