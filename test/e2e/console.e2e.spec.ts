import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import type { Page } from 'playwright-core';
import { busSubjects } from '@chaperone/contracts';
import { launchBrowser, screenshot, type Browser } from './support/browser';

/**
 * The web console in a real browser (Debian's Chromium, driven by Playwright) against the stack
 * `npm start` runs (scripts/start.js: demo issuer with its sign-in, demo cluster, every service),
 * with its own state directory, bus prefix and kernel-chosen ports.
 */
const ROOT = resolve(__dirname, '..', '..');
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
// The demo cluster's seeded secret (test/apiserver seed): its value must never reach the browser.
const SECRET = 's3cr3t-demo-password';
const SECRET_B64 = Buffer.from(SECRET).toString('base64');
const POD = 'web-7d4b9c8f5-abcde';
const BOBS_POD = 'worker-0';

const stateDir = mkdtempSync(join(tmpdir(), 'chaperone-console-'));
const prefix = `e2e-console-${randomUUID().slice(0, 8)}`;
let stack: ChildProcess;
let output = '';
let consoleUrl = '';
let browser: Browser;
/** Every body the console's API sent to the browser, to look for secrets in. */
const apiBodies: string[] = [];
const kubectls: ChildProcess[] = [];

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function kubectl(kubeconfig: string, args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn('kubectl', ['--kubeconfig', join(stateDir, kubeconfig), ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  kubectls.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return { child, done: new Promise((res) => child.once('close', (code) => res({ code, stdout, stderr }))) };
}

async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/') && !r.url().includes('/api/live/')) {
      r.text().then((t) => apiBodies.push(t), () => undefined);
    }
  });
  return page;
}

/** The authorization-code flow as a person does it: Sign in, pick the user on the demo issuer's page, back to the console. */
async function signIn(page: Page, user: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: new RegExp(`Sign in as ${user}\\b`) }).click();
  await page.getByTestId('user').filter({ hasText: user }).waitFor();
}

function row(page: Page, text: string) {
  return page.getByTestId('approval-list').locator('li', { hasText: text });
}

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAPERONE_') && k !== 'KUBECONFIG' && !k.startsWith('npm_')) env[k] = v;
  stack = spawn(process.execPath, ['scripts/start.js'], {
    cwd: ROOT,
    env: { ...env, HOME: stateDir, CHAPERONE_STATE_DIR: stateDir, CHAPERONE_NATS_URL: NATS_URL, CHAPERONE_BUS_PREFIX: prefix, CHAPERONE_HEALTH_PORT: '0', CHAPERONE_HTTPS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  stack.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await until('"Press Ctrl-C to stop."', () => output.includes('Press Ctrl-C to stop.') || stack.exitCode !== null, 240_000);
  consoleUrl = /Web console: (http:\/\/\S+\/)/.exec(output)?.[1] ?? '';
  expect(consoleUrl).not.toBe('');
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  for (const k of kubectls) if (k.exitCode === null) k.kill('SIGKILL');
  await browser?.close();
  if (stack && stack.exitCode === null) {
    stack.kill('SIGTERM');
    await until('the stack to stop', () => stack.exitCode !== null, 30_000).catch(() => stack.kill('SIGKILL'));
  }
  // The streams this run made on the shared NATS.
  const nc = await connect({ servers: NATS_URL });
  const jsm = await nc.jetstreamManager();
  const subjects = busSubjects(prefix);
  for await (const info of jsm.streams.list()) {
    const name = info.config.name;
    if (name === subjects.eventsStream || name === subjects.evidenceStream || name.includes(`${prefix}-`) || name.includes(subjects.eventsStream.replace(/_EVENTS$/, '_'))) {
      await jsm.streams.delete(name).catch(() => undefined);
    }
  }
  await nc.close();
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe('the web console, in Chromium, against npm start', () => {
  let alice: Page;

  it('alice signs in, sees the held `kubectl delete pod` and approves it; the waiting kubectl prints deleted', async () => {
    const held = kubectl('agent.kubeconfig', ['delete', 'pod', POD, '--request-timeout=120s']);
    alice = await newPage();
    await signIn(alice, 'alice');
    await expect(alice.getByRole('heading', { name: 'Approvals' }).isVisible()).resolves.toBe(true);
    // Sessions and reports are the compliance group's: not in alice's menu.
    await expect(alice.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).resolves.toEqual(['Approvals']);
    const item = row(alice, `delete pod ${POD} in default`);
    await item.waitFor({ timeout: 30_000 });
    await expect(item.textContent()).resolves.toContain('0 of 1 approval');
    await item.getByRole('button').click();
    await alice.getByTestId('approval-detail').getByText('agents-delete-pods-needs-approval').waitFor();
    await screenshot(alice, 'inbox-held-delete');
    await alice.getByLabel('Your reason').fill('restart agreed in #ops');
    await alice.getByRole('button', { name: 'Approve', exact: true }).click();
    await alice.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
    const result = await held.done;
    expect(result.stdout).toContain(`pod "${POD}" deleted`);
    expect(result.code).toBe(0);
    // The approved one leaves the pending list without a reload.
    await item.waitFor({ state: 'detached', timeout: 15_000 });
  }, 90_000);

  it('the inbox shows a newly held request without a reload', async () => {
    await alice.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    kubectl('bob-agent.kubeconfig', ['delete', 'pod', BOBS_POD, '--request-timeout=120s']);
    await row(alice, `delete pod ${BOBS_POD} in default`).waitFor({ timeout: 30_000 });
    await expect(alice.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true);
    await screenshot(alice, 'inbox-live-update');
    // Readable on a phone: the list and the panel stack.
    await alice.setViewportSize({ width: 390, height: 844 });
    await screenshot(alice, 'inbox-390px');
    await alice.setViewportSize({ width: 1280, height: 860 });
  }, 60_000);

  it('bob cannot approve his own request: the console shows the API refusal', async () => {
    const bob = await newPage();
    await signIn(bob, 'bob');
    const item = row(bob, `delete pod ${BOBS_POD} in default`);
    await item.waitFor({ timeout: 30_000 });
    await item.getByRole('button').click();
    await bob.getByLabel('Your reason').fill('it is mine, trust me');
    await bob.getByRole('button', { name: 'Approve', exact: true }).click();
    await bob.getByRole('alert').filter({ hasText: 'a requester cannot decide on its own request' }).waitFor();
    await screenshot(bob, 'self-approval-refused');
    await bob.close();
    // Still pending for alice, who denies it.
    const again = row(alice, `delete pod ${BOBS_POD} in default`);
    await again.getByRole('button').click();
    await alice.getByLabel('Your reason').fill('not during the freeze');
    await alice.getByRole('button', { name: 'Deny', exact: true }).click();
    await again.waitFor({ state: 'detached', timeout: 15_000 });
  }, 60_000);

  it('the auditor opens the session replay and sees the masked secret read', async () => {
    const read = await kubectl('agent.kubeconfig', ['get', 'secret', 'db-credentials', '-o', 'yaml']).done;
    expect(read.code).toBe(0);
    expect(read.stdout).not.toContain(SECRET_B64);
    const auditor = await newPage();
    await signIn(auditor, 'demo-auditor');
    await auditor.getByRole('link', { name: 'Sessions' }).click();
    await auditor.getByLabel('Resource').fill('secrets');
    // The reports service projects the evidence as it is stored: search until the read is there.
    const link = auditor.locator('table.sessions a', { hasText: 'demo-agent' }).first();
    for (let i = 0; i < 60 && !(await link.isVisible()); i++) {
      await auditor.getByRole('button', { name: 'Search' }).click();
      await auditor.waitForTimeout(500);
    }
    await link.click();
    const step = auditor.getByTestId('replay').locator('li', { hasText: 'kubectl get secrets db-credentials' });
    await step.waitFor();
    await expect(step.textContent()).resolves.toMatch(/allowed \(masked\) by rule "agents-read-secrets-masked"; masked \d+ values?/);
    await step.getByText('Details').click();
    await step.getByText('/data/password').or(step.getByText('data.password')).first().waitFor();
    await screenshot(auditor, 'session-replay');
    const html = await auditor.content();
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(SECRET_B64);

    // The auditor downloads the CSV report (one section per file).
    await auditor.getByRole('link', { name: 'Reports' }).click();
    await auditor.getByText('Evidence chain:').waitFor();
    await screenshot(auditor, 'soc2-report');
    await auditor.getByLabel('CSV section').selectOption('cc7.2-secret-reads');
    const [download] = await Promise.all([auditor.waitForEvent('download'), auditor.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^soc2-.*-cc7\.2-secret-reads\.csv$/);
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    expect(csv.split('\n')[0]).toContain('agent');
    expect(csv).toContain('db-credentials');
    expect(csv).not.toContain(SECRET);
  }, 90_000);

  it('no secret value went to the browser in any API answer', () => {
    expect(apiBodies.length).toBeGreaterThan(5);
    for (const body of apiBodies) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(SECRET_B64);
    }
  });
});
