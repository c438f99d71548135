// A pool of keep-alive HTTPS connections that send prepared GETs, one at a time per connection, for
// the paced load. Node's https.Agent costs the load generator about as much CPU per request as the
// API server itself (a ClientRequest, an IncomingMessage, their streams and the agent's bookkeeping
// per request), and every process shares the bench machine's cores, so the generator's own cost
// would crowd the gateway under test. Here a request is a prepared buffer written to a TLS socket
// and its answer is parsed in place by http-parser-js (what autocannon uses): about half the CPU,
// most of what is left being the timer and socket wake-ups any paced client pays.
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const { HTTPParser } = require('http-parser-js');

/** The bytes of `GET url` with these headers, sent as they are on every request. */
function preparedGet(url, headers) {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'connection: keep-alive'];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/**
 * One keep-alive connection. send(request, done) writes the prepared request; done(ok, bytes) is
 * called once, with whether it was answered 200 and how many body bytes came. A connection that
 * fails, closes or stays silent for timeoutMs (idle or not) fails its request in flight, if any,
 * and opens again for the next one.
 */
class Connection {
  constructor(url, { ca, timeoutMs }) {
    this.options = { host: url.hostname, port: Number(url.port || 443), ...(net.isIP(url.hostname) ? {} : { servername: url.hostname }), ...(ca ? { ca } : { rejectUnauthorized: false }) };
    this.timeoutMs = timeoutMs;
    this.socket = undefined;
    this.done = undefined;
  }

  open() {
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    let status = 0;
    let bytes = 0;
    let keepAlive = true;
    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      status = info.statusCode;
      keepAlive = info.shouldKeepAlive;
    };
    parser[HTTPParser.kOnBody] = (_chunk, _start, len) => {
      bytes += len;
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      const ok = status === 200;
      const n = bytes;
      status = 0;
      bytes = 0;
      // A server that said it closes the connection gets the next request on a new one.
      if (!keepAlive) {
        this.socket = undefined;
        socket.destroy();
      }
      this.finish(ok, n);
    };
    const socket = tls.connect(this.options);
    socket.setNoDelay(true);
    socket.setTimeout(this.timeoutMs);
    socket.on('data', (chunk) => {
      if (parser.execute(chunk) instanceof Error) socket.destroy();
    });
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('close', () => {
      // A connection closed after its last answer has nothing in flight; one replaced since is not this one.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.finish(false, 0);
    });
    this.socket = socket;
  }

  send(request, done) {
    if (!this.socket) this.open();
    this.done = done;
    this.socket.write(request);
  }

  finish(ok, bytes) {
    const done = this.done;
    if (!done) return;
    this.done = undefined;
    done(ok, bytes);
  }

  close() {
    this.socket?.destroy();
  }
}

/**
 * maxSockets connections to url's host; get(request, done) sends on a free one, or queues the
 * request (first come, first served) until one is free, as https.Agent does with maxSockets.
 */
function keepAlivePool(url, { maxSockets, ca, timeoutMs = 60_000 }) {
  const free = Array.from({ length: maxSockets }, () => new Connection(url, { ca, timeoutMs }));
  const all = [...free];
  /** Requests due while every connection was busy, oldest first (a few at most). */
  const waiting = [];
  const dispatch = (connection, request, done) =>
    connection.send(request, (ok, bytes) => {
      const next = waiting.shift();
      if (next) dispatch(connection, next.request, next.done);
      else free.push(connection);
      done(ok, bytes);
    });
  return {
    get(request, done) {
      const connection = free.pop();
      if (connection) dispatch(connection, request, done);
      else waiting.push({ request, done });
    },
    close() {
      for (const c of all) c.close();
    },
  };
}

module.exports = { preparedGet, keepAlivePool };
