import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import type { Page } from 'playwright-core';
import { busSubjects } from '@chaperone/contracts';
import { FAKE_EXEC_PASSWORD, FAKE_SERVICE_ACCOUNT_JWT } from '@chaperone/test-apiserver';
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

/**
 * The demo policy and registry, except that the demo agent may exec in default (the demo denies it),
 * so a session holds an exec recording for the replay's player.
 */
function demoFilesWithExec(): { policy: string; agents: string } {
  const DENY_EXEC = / {2}- name: deny-exec-and-attach\n[\s\S]*?reason: "interactive access to containers is not available to agents"\n/;
  const policy = readFileSync(join(ROOT, 'deploy', 'policy.example.yaml'), 'utf8');
  const agents = readFileSync(join(ROOT, 'deploy', 'agents.example.yaml'), 'utf8');
  expect(policy).toMatch(DENY_EXEC);
  const SCOPE = 'resources: ["pods", "pods/log",';
  expect(agents).toContain(SCOPE);
  const files = { policy: join(stateDir, 'policy-with-exec.yaml'), agents: join(stateDir, 'agents-with-exec.yaml') };
  const execRule = ['  - name: agents-exec-recorded', '    effect: allow', '    subjects:', '      groups: ["agents"]', '    verbs: ["create", "get"]', '    apiGroups: [""]', '    resources: ["pods/exec"]', '    namespaces: ["default"]', ''].join('\n');
  writeFileSync(files.policy, policy.replace(DENY_EXEC, execRule));
  writeFileSync(files.agents, agents.replace(SCOPE, 'resources: ["pods", "pods/log", "pods/exec",'));
  return files;
}
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

/** The text of the element that has the keyboard focus. */
async function focused(page: Page): Promise<string> {
  return String(await page.evaluate('document.activeElement ? document.activeElement.textContent : ""'));
}

function row(page: Page, text: string) {
  return page.getByTestId('approval-list').locator('li', { hasText: text });
}

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAPERONE_') && k !== 'KUBECONFIG' && !k.startsWith('npm_')) env[k] = v;
  const demo = demoFilesWithExec();
  stack = spawn(process.execPath, ['scripts/start.js'], {
    cwd: ROOT,
    env: { ...env, HOME: stateDir, CHAPERONE_STATE_DIR: stateDir, CHAPERONE_NATS_URL: NATS_URL, CHAPERONE_BUS_PREFIX: prefix, CHAPERONE_HEALTH_PORT: '0', CHAPERONE_HTTPS_PORT: '0', CHAPERONE_POLICY_FILE: demo.policy, CHAPERONE_AGENTS_FILE: demo.agents },
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
  let auditor: Page;
  let replayPath = '';

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
    await alice.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    kubectl('bob-agent.kubeconfig', ['delete', 'pod', BOBS_POD, '--request-timeout=120s']);
    await row(alice, `delete pod ${BOBS_POD} in default`).waitFor({ timeout: 30_000 });
    await expect(alice.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true);
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
    auditor = await newPage();
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
    replayPath = new URL(auditor.url()).pathname;
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

    // The printable HTML report, as it would be printed.
    const [page] = await Promise.all([auditor.waitForEvent('download'), auditor.getByRole('button', { name: 'Download HTML' }).click()]);
    const file = join(stateDir, 'soc2-report.html');
    await page.saveAs(file);
    const printable = await browser.context.newPage();
    await printable.goto(`file://${file}`);
    await expect(printable.getByRole('columnheader', { name: 'Request ID' }).first().isVisible()).resolves.toBe(true);
    await expect(printable.getByRole('heading', { name: 'Decisions by rule' }).isVisible()).resolves.toBe(true);
    await screenshot(printable, 'soc2-printable');
    await printable.emulateMedia({ media: 'print' });
    await screenshot(printable, 'soc2-printable-print');
    await printable.close();
  }, 90_000);

  it('the auditor plays an exec recording in the session replay, masked, with the keyboard', async () => {
    const exec = await kubectl('agent.kubeconfig', ['exec', BOBS_POD, '--', 'cat', '/etc/secret/token']).done;
    expect({ code: exec.code, stderr: exec.stderr }).toEqual({ code: 0, stderr: '' });
    expect(exec.stdout).toContain('password=');
    expect(exec.stdout).not.toContain(FAKE_EXEC_PASSWORD);
    // The same token, so the same session: its replay gains the exec once the recording is projected.
    const recording = auditor.getByTestId('replay').locator('li', { hasText: `kubectl exec ${BOBS_POD}` }).getByTestId('recording');
    for (let i = 0; i < 60 && !(await recording.isVisible()); i++) {
      await auditor.goto(new URL(replayPath, consoleUrl).toString());
      await auditor.getByTestId('replay').locator('li').first().waitFor();
      await auditor.waitForTimeout(500);
    }
    const player = recording.locator('.ap-player');
    await player.waitFor({ timeout: 30_000 });
    // Keyboard only: focus the player and press Space to play.
    await recording.locator('[tabindex="0"]').first().focus();
    await auditor.keyboard.press('Space');
    const term = recording.locator('.ap-term');
    await term.filter({ hasText: 'password=' }).waitFor({ timeout: 30_000 });
    const shown = (await term.textContent()) ?? '';
    expect(shown).toContain('token=');
    expect(shown).not.toContain(FAKE_EXEC_PASSWORD);
    await recording.scrollIntoViewIfNeeded();
    await screenshot(auditor, 'replay-exec-recording');
    await auditor.setViewportSize({ width: 390, height: 844 });
    await recording.scrollIntoViewIfNeeded();
    await screenshot(auditor, 'replay-exec-recording-390px');
    await expect(auditor.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
    await auditor.setViewportSize({ width: 1280, height: 860 });
  }, 120_000);

  it('the agents page lists the demo agent with its owner, scope, a recent denial and approvals, reached with the keyboard', async () => {
    // Outside the demo agent's registered scope (namespace default): denied.
    const denied = await kubectl('agent.kubeconfig', ['get', 'pods', '-n', 'kube-system']).done;
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('Forbidden');
    await auditor.goto(consoleUrl);
    await auditor.getByTestId('user').waitFor();
    // From the top of the page: Tab through the skip link and the menu to Agents, open it with Enter.
    let onAgents = false;
    for (let i = 0; i < 12 && !onAgents; i++) {
      await auditor.keyboard.press('Tab');
      onAgents = (await focused(auditor)) === 'Agents';
    }
    expect(onAgents).toBe(true);
    await auditor.keyboard.press('Enter');
    await auditor.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    // The page moves focus to its main region on the frame after it renders: waited for, not raced.
    await auditor.waitForFunction("document.activeElement !== null && document.activeElement.id === 'main'", undefined, { timeout: 5000 });
    const card = auditor.getByTestId('agent').filter({ has: auditor.getByRole('heading', { name: 'demo-agent' }) });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('platform-team@example.com');
    const denial = card.locator('tr', { hasText: 'kube-system' });
    for (let i = 0; i < 40 && !(await denial.isVisible()); i++) {
      await auditor.getByRole('button', { name: 'Refresh' }).click();
      await auditor.waitForTimeout(500);
    }
    await expect(denial.first().textContent()).resolves.toMatch(/list pod in kube-system/);
    // Alice approved one delete and denied bob's: both are the demo agent's approvals.
    await expect(card.textContent()).resolves.toMatch(/delete pod worker-0 in default.*denied/s);
    // Keyboard: the next Tabs reach the page's controls and the denial's replay link.
    let onReplay = false;
    for (let i = 0; i < 40 && !onReplay; i++) {
      await auditor.keyboard.press('Tab');
      onReplay = (await focused(auditor)) === 'Replay';
    }
    expect(onReplay).toBe(true);
    await screenshot(auditor, 'agents');
    await auditor.setViewportSize({ width: 390, height: 844 });
    await screenshot(auditor, 'agents-390px');
    // Nothing wider than the phone's screen but the tables' own scrolling boxes.
    await expect(auditor.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
    await auditor.setViewportSize({ width: 1280, height: 860 });
  }, 90_000);

  it('no secret value went to the browser in any API answer', () => {
    expect(apiBodies.length).toBeGreaterThan(5);
    for (const body of apiBodies) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(SECRET_B64);
      expect(body).not.toContain(FAKE_EXEC_PASSWORD);
      expect(body).not.toContain(FAKE_SERVICE_ACCOUNT_JWT);
    }
    // The recording went to the browser (and was checked above).
    expect(apiBodies.some((b) => b.includes('"version":2') && b.includes('password='))).toBe(true);
  });
});
