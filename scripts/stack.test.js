// How the launcher starts each service (the evidence's followers under `nice`, the process and its
// session; the request path as it is) and the NATS server it starts (its scheduler threads).
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { serviceCommand, niceSession, natsGomaxprocs, which, SERVICES } = require('./stack');
const { startOwnNats } = require('./bench/lib/nats-server');

const main = (name) => new RegExp(`services/${name}/dist/main\\.js$`);

test('the followers start at niceness 10 by default; the request path and the doors as they are', () => {
  for (const name of ['audit', 'reports', 'exporter']) {
    const [command, args] = serviceCommand(name, {});
    assert.match(command, /nice$/);
    assert.deepEqual(args.slice(0, 3), ['-n', '10', process.execPath]);
    assert.match(args.at(-1), main(name));
  }
  for (const name of ['ingress', 'policy', 'masking', 'approval', 'mcp', 'console']) {
    const [command, args] = serviceCommand(name, {});
    assert.equal(command, process.execPath);
    assert.match(args.at(-1), main(name));
  }
});

/** Every container of the base Kubernetes manifests. */
function manifestContainers() {
  const YAML = require('yaml');
  const base = path.join(__dirname, '..', 'deploy', 'kubernetes', 'base');
  return readdirSync(base)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => YAML.parseAllDocuments(readFileSync(path.join(base, f), 'utf8')).map((d) => d.toJS()))
    .flatMap((m) => m?.spec?.template?.spec?.containers ?? []);
}

test('the services that hold whole bodies start with a heap sized for them, in every way of running them', () => {
  const YAML = require('yaml');
  const heapForBodies = ['--min-semi-space-size=16', '--max-semi-space-size=32', '--initial-old-space-size=128'];
  // Every command that starts a service, as docker-compose.yml and the Kubernetes manifests write it.
  const compose = YAML.parse(readFileSync(path.join(__dirname, '..', 'docker-compose.yml'), 'utf8'));
  const commands = [
    ...Object.values(compose.services).map((s) => ['docker-compose.yml', s.command]),
    ...manifestContainers().map((c) => ['deploy/kubernetes', c.args]),
  ].filter(([, args]) => Array.isArray(args) && main('[a-z-]+').test(args.at(-1)));
  // A heap ceiling belongs to a container's memory limit, which only the manifests set (next test).
  const sizedByLimit = (flag) => flag.startsWith('--max-old-space-size=');
  for (const name of SERVICES) {
    const launcher = serviceCommand(name, { CHAPERONE_FOLLOWER_NICE: '0' })[1];
    const flags = launcher.slice(0, launcher.indexOf('--require'));
    assert.deepEqual(flags, ['ingress', 'masking'].includes(name) ? heapForBodies : [], name);
    const started = commands.filter(([, args]) => main(name).test(args.at(-1)));
    assert.deepEqual(started.map(([where]) => where).sort(), ['deploy/kubernetes', 'docker-compose.yml'], `${name} is started once by each`);
    for (const [where, args] of started) assert.deepEqual(args.slice(0, -1).filter((f) => !sizedByLimit(f)), flags, `${where}: ${name}`);
  }
});

test("a heap ceiling set in a manifest fits its container's memory limit; the reports service, whose read model is its heap, has one", () => {
  const mib = { Mi: 1, Gi: 1024 };
  const ceilings = manifestContainers().flatMap((c) => {
    const flag = (c.args ?? []).find((a) => a.startsWith('--max-old-space-size='));
    if (!flag) return [];
    const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(c.resources?.limits?.memory ?? '') ?? [];
    assert.ok(n, `${c.name}: a heap ceiling needs a memory limit in Mi or Gi`);
    const heap = Number(flag.split('=')[1]);
    // Beside the heap: buffers outside it, code, the young generation, the process itself.
    assert.ok(heap <= 0.8 * Number(n) * mib[unit], `${c.name}: --max-old-space-size=${heap} leaves too little of ${n}${unit}`);
    return [c.name];
  });
  assert.ok(ceilings.includes('reports'), 'the reports container sets --max-old-space-size');
});

test('CHAPERONE_FOLLOWER_NICE sets the niceness; 0 starts the followers like the rest', () => {
  assert.deepEqual(serviceCommand('audit', { CHAPERONE_FOLLOWER_NICE: '5' })[1].slice(0, 2), ['-n', '5']);
  assert.equal(serviceCommand('reports', { CHAPERONE_FOLLOWER_NICE: '0' })[0], process.execPath);
});

test('a niceness that is not a whole number from 0 to 19 is refused with what was given', () => {
  for (const bad of ['-5', '20', 'high', '1.5']) {
    assert.throws(() => serviceCommand('audit', { CHAPERONE_FOLLOWER_NICE: bad }), new RegExp(`CHAPERONE_FOLLOWER_NICE must be a whole number from 0 to 19, not "${bad.replace('.', '\\.')}"`));
  }
});

test('a follower\'s session gets its niceness too, where the kernel groups the cores by session', { skip: !existsSync('/proc/self/autogroup') && 'no autogroup here' }, async () => {
  // A process in a session of its own, as the launcher starts each service (detached).
  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  try {
    assert.match(readFileSync(`/proc/${child.pid}/autogroup`, 'utf8'), /nice 0$/m);
    assert.equal(await niceSession(child.pid, 7), true);
    assert.match(readFileSync(`/proc/${child.pid}/autogroup`, 'utf8'), /nice 7$/m);
  } finally {
    child.kill('SIGKILL');
  }
  assert.equal(await niceSession(2 ** 22 + 1, 7), false, 'no such process: false, nothing thrown');
});

test('a NATS server this starts gets half of the host\'s cores as scheduler threads, at least one, unless told', () => {
  assert.equal(natsGomaxprocs({}, 2), '1');
  assert.equal(natsGomaxprocs({}, 1), '1');
  assert.equal(natsGomaxprocs({}, 8), '4');
  assert.equal(natsGomaxprocs({ CHAPERONE_NATS_GOMAXPROCS: '3' }, 2), '3');
  assert.equal(natsGomaxprocs({ CHAPERONE_NATS_GOMAXPROCS: '0' }, 2), undefined, '0: Go\'s default, one per core');
  assert.equal(natsGomaxprocs({ GOMAXPROCS: '2' }, 8), '2', 'a GOMAXPROCS already set stands');
  assert.equal(natsGomaxprocs({ GOMAXPROCS: '2', CHAPERONE_NATS_GOMAXPROCS: '1' }, 8), '1', 'the setting wins over it');
  for (const bad of ['-1', 'all', '1.5', '2000']) {
    assert.throws(() => natsGomaxprocs({ CHAPERONE_NATS_GOMAXPROCS: bad }), new RegExp(`CHAPERONE_NATS_GOMAXPROCS must be a whole number from 0 to 1024, not "${bad.replace('.', '\\.')}"`));
  }
});

test('the NATS server started for a run runs with those scheduler threads', { skip: !(which('nats-server') || existsSync('/usr/sbin/nats-server')) && 'no nats-server here' }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaperone-nats-env-'));
  const previous = process.env.CHAPERONE_NATS_GOMAXPROCS;
  process.env.CHAPERONE_NATS_GOMAXPROCS = '3';
  let server;
  try {
    server = await startOwnNats(path.join(dir, 'store'));
    const environ = readFileSync(`/proc/${server.child.pid}/environ`, 'utf8').split('\0');
    assert.equal(environ.filter((v) => v.startsWith('GOMAXPROCS=')).join(), 'GOMAXPROCS=3');
  } finally {
    if (previous === undefined) delete process.env.CHAPERONE_NATS_GOMAXPROCS;
    else process.env.CHAPERONE_NATS_GOMAXPROCS = previous;
    if (server) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
