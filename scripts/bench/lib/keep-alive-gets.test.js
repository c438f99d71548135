// The paced load's connection pool against a real HTTPS server: what it counts as answered, how it
// reads both body framings, and that a closed or broken connection fails only its own request.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const https = require('node:https');
const { preparedGet, keepAlivePool } = require('./keep-alive-gets');

let server;
let base;
const seen = [];

before(async () => {
  const selfsigned = require('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048, days: 1, algorithm: 'sha256' });
  server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    seen.push({ path: req.url, authorization: req.headers.authorization, socket: req.socket.remotePort });
    const u = new URL(req.url, 'https://x');
    if (u.pathname === '/length') res.writeHead(200, { 'content-length': 5 }).end('hello');
    else if (u.pathname === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('abc');
      setTimeout(() => res.end('defg'), 5);
    } else if (u.pathname === '/close') res.writeHead(200, { connection: 'close', 'content-length': 2 }).end('ok');
    else if (u.pathname === '/break') req.socket.destroy();
    else if (u.pathname === '/silent') return; // never answers
    else if (u.pathname === '/slow') setTimeout(() => res.writeHead(200, { 'content-length': 1 }).end(u.searchParams.get('n')), 20);
    else res.writeHead(404, { 'content-length': 9 }).end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

const get = (pool, path, headers = {}) => new Promise((resolve) => pool.get(preparedGet(new URL(path, base), headers), (ok, bytes) => resolve({ ok, bytes })));

/** Runs use(pool) with a pool to the test server, closed after. */
async function withPool(options, use) {
  const pool = keepAlivePool(new URL(base), options);
  try {
    await use(pool);
  } finally {
    pool.close();
  }
}

test('sends the prepared headers and counts a 200 with a length or chunked body', async () => {
  await withPool({ maxSockets: 1 }, async (pool) => {
    assert.deepEqual(await get(pool, '/length', { authorization: 'Bearer t1' }), { ok: true, bytes: 5 });
    assert.deepEqual(await get(pool, '/chunked?x=1'), { ok: true, bytes: 7 });
    assert.equal(seen.at(-2).authorization, 'Bearer t1');
    assert.equal(seen.at(-1).path, '/chunked?x=1');
    assert.equal(seen.at(-2).socket, seen.at(-1).socket, 'one keep-alive connection');
  });
});

test('an answer other than 200 is not counted as answered', async () => {
  await withPool({ maxSockets: 1 }, async (pool) => {
    assert.deepEqual(await get(pool, '/missing'), { ok: false, bytes: 9 });
    assert.deepEqual(await get(pool, '/length'), { ok: true, bytes: 5 });
  });
});

test('a connection the server closes or breaks fails only its own request, and the next one reconnects', async () => {
  await withPool({ maxSockets: 1 }, async (pool) => {
    assert.deepEqual(await get(pool, '/close'), { ok: true, bytes: 2 });
    assert.deepEqual(await get(pool, '/length'), { ok: true, bytes: 5 });
    let calls = 0;
    const broken = await new Promise((resolve) =>
      pool.get(preparedGet(new URL('/break', base), {}), (ok) => {
        calls++;
        setTimeout(() => resolve(ok), 50);
      }),
    );
    assert.equal(broken, false);
    assert.equal(calls, 1, 'done is called once');
    assert.deepEqual(await get(pool, '/length'), { ok: true, bytes: 5 });
  });
});

test('requests beyond maxSockets wait for a free connection, first come first served', async () => {
  const order = [];
  await withPool({ maxSockets: 2 }, async (pool) => {
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        get(pool, `/slow?n=${n}`).then((r) => {
          assert.equal(r.ok, true);
          order.push(n);
        }),
      ),
    );
    assert.equal(order.length, 5);
    const sockets = new Set(seen.filter((s) => s.path.startsWith('/slow')).map((s) => s.socket));
    assert.equal(sockets.size, 2, 'no more connections than maxSockets');
    assert.deepEqual(
      seen.filter((s) => s.path.startsWith('/slow')).map((s) => s.path),
      [1, 2, 3, 4, 5].map((n) => `/slow?n=${n}`),
      'sent in the order they came',
    );
  });
});

test('a request with no answer within timeoutMs fails, and the next one goes on a new connection', async () => {
  await withPool({ maxSockets: 1, timeoutMs: 200 }, async (pool) => {
    const started = Date.now();
    const answer = await Promise.race([get(pool, '/silent'), new Promise((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3000))]);
    assert.deepEqual(answer, { ok: false, bytes: 0 });
    assert.ok(Date.now() - started >= 150, 'not before the timeout');
    assert.deepEqual(await get(pool, '/length'), { ok: true, bytes: 5 });
    assert.notEqual(seen.at(-1).socket, seen.at(-2).socket, 'a new connection');
  });
});
