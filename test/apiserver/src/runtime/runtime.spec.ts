import { ByteQueue } from './byte-queue';
import { runInContainer } from './container-process';
import { FAKE_AWS_ACCESS_KEY_ID, FAKE_AWS_SECRET_ACCESS_KEY } from './environment';
import { FAKE_EXEC_PASSWORD, FAKE_SERVICE_ACCOUNT_JWT } from './files';
import { ContainerInfo, ExecutableNotFound, OutputStream } from './process';
import { Terminal } from './terminal';

const CONTAINER: ContainerInfo = { namespace: 'default', pod: 'web-1', container: 'web', image: 'nginx:1.27' };

function collector(): { stream: OutputStream; text: () => string; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    stream: { write: async (d) => void chunks.push(Buffer.from(d)) },
    text: () => Buffer.concat(chunks).toString('utf8'),
    bytes: () => Buffer.concat(chunks),
  };
}

async function run(argv: string[], input?: string) {
  const out = collector();
  const err = collector();
  const stdin = new ByteQueue();
  if (input !== undefined) stdin.push(Buffer.from(input));
  stdin.end();
  const code = await runInContainer(CONTAINER, argv, { stdin, stdout: out.stream, stderr: err.stream, signal: new AbortController().signal });
  return { code, stdout: out.text(), stderr: err.text(), bytes: out.bytes() };
}

describe('fake container runtime', () => {
  it('echo prints its arguments; -n drops the newline', async () => {
    expect(await run(['echo', 'hi', 'there'])).toMatchObject({ code: 0, stdout: 'hi there\n' });
    expect((await run(['/bin/echo', '-n', 'x'])).stdout).toBe('x');
  });

  it('refuses to start a program that is not on the PATH', async () => {
    await expect(run(['nosuch'])).rejects.toBeInstanceOf(ExecutableNotFound);
    await expect(run(['/opt/echo', 'x'])).rejects.toThrow('exec: "/opt/echo": executable file not found in $PATH');
  });

  it('cat copies stdin until it ends, and prints seeded files with their secrets', async () => {
    expect(await run(['cat'], 'line 1\nline 2\n')).toMatchObject({ code: 0, stdout: 'line 1\nline 2\n' });
    const secret = await run(['cat', '/etc/secret/token']);
    expect(secret.stdout).toBe(`token=${FAKE_SERVICE_ACCOUNT_JWT}\npassword=${FAKE_EXEC_PASSWORD}\n`);
    expect(FAKE_SERVICE_ACCOUNT_JWT.split('.')).toHaveLength(3);
    expect(await run(['cat', '/etc/missing'])).toMatchObject({ code: 1, stderr: "cat: can't open '/etc/missing': No such file or directory\n" });
  });

  it('env and printenv show the container environment, AWS-style keys included', async () => {
    const env = await run(['env']);
    expect(env.stdout).toContain(`AWS_ACCESS_KEY_ID=${FAKE_AWS_ACCESS_KEY_ID}\n`);
    expect(env.stdout).toContain(`AWS_SECRET_ACCESS_KEY=${FAKE_AWS_SECRET_ACCESS_KEY}\n`);
    expect((await run(['printenv', 'HOSTNAME'])).stdout).toBe('web-1\n');
    expect((await run(['printenv', 'NOPE'])).code).toBe(1);
  });

  it('sh -c runs lists, expands variables and returns the exit code', async () => {
    expect((await run(['sh', '-c', 'exit 3'])).code).toBe(3);
    expect((await run(['sh', '-c', 'false || echo fallback; true && echo "ok $HOSTNAME"'])).stdout).toBe('fallback\nok web-1\n');
    expect((await run(['sh', '-c', "nosuch; echo status=$?; echo 'a  b'"])).stdout).toBe('status=127\na  b\n');
    expect((await run(['sh', '-c', 'nosuch'])).stderr).toBe('sh: nosuch: not found\n');
    expect(await run(['sh', '-c', 'echo "open'])).toMatchObject({ code: 2, stderr: 'sh: syntax error: unterminated quoted string\n' });
    expect((await run(['sh', '-c', 'exit 300'])).code).toBe(44);
  });

  it('sh reads commands from stdin without a TTY', async () => {
    expect(await run(['sh'], 'echo one\ncd /etc/secret\nls\nexit 7\necho never\n')).toMatchObject({ code: 7, stdout: 'one\ntoken\n' });
  });

  it('head -c N /dev/zero writes exactly N bytes; pipes stop yes once head has enough', async () => {
    const zeros = await run(['head', '-c', '100000', '/dev/zero']);
    expect(zeros.bytes.length).toBe(100000);
    expect(zeros.bytes.every((b) => b === 0)).toBe(true);
    expect((await run(['sh', '-c', 'yes | head -c 1M | wc -c'])).stdout).toBe(`${1024 * 1024}\n`);
    expect((await run(['sh', '-c', 'yes hello | head -n 3'])).stdout).toBe('hello\nhello\nhello\n');
  });

  it('/dev/urandom is deterministic, so throughput runs are repeatable', async () => {
    const a = await run(['head', '-c', '4096', '/dev/urandom']);
    const b = await run(['head', '-c', '4096', '/dev/urandom']);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(new Set(a.bytes).size).toBeGreaterThan(200);
  });

  it('a producer waits for each write to be accepted (backpressure)', async () => {
    const pending: (() => void)[] = [];
    let writes = 0;
    const slow: OutputStream = {
      write: () => {
        writes += 1;
        return new Promise((resolve) => pending.push(resolve));
      },
    };
    const controller = new AbortController();
    const done = runInContainer(CONTAINER, ['yes'], { stdout: slow, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    expect(writes).toBe(1);
    pending.shift()?.();
    await new Promise((r) => setTimeout(r, 20));
    expect(writes).toBe(2);
    controller.abort();
    pending.shift()?.();
    expect(await done).toBe(130);
  });

  it('sleep ends early when the session goes away', async () => {
    const controller = new AbortController();
    const done = runInContainer(CONTAINER, ['sleep', '60'], { signal: controller.signal });
    controller.abort();
    expect(await done).toBe(130);
  });
});

async function waitForPrompt(screen: { text: () => string }, count: number): Promise<void> {
  for (let i = 0; i < 200 && (screen.text().match(/\/ # /g) ?? []).length < count; i++) await new Promise((r) => setTimeout(r, 5));
}

describe('TTY line discipline and the interactive shell', () => {
  it('echoes keys, edits the line, turns \\r into a line, Ctrl-D into end of file', async () => {
    const screen = collector();
    const term = new Terminal(screen.stream);
    term.input(Buffer.from('ab\x7fc\x1b[A\r'));
    expect((await term.read())?.toString()).toBe('ac\n');
    expect(screen.text()).toBe('ab\b \bc\r\n');
    term.input(Buffer.from('\x04'));
    expect(await term.read()).toBeNull();
  });

  it('runs an interactive session: prompt, output with \\r\\n, stty size from the last resize, exit code', async () => {
    const screen = collector();
    const term = new Terminal(screen.stream);
    term.lastSize = { width: 120, height: 40 };
    const done = runInContainer(CONTAINER, ['sh'], { stdin: term, stdout: term.output(screen.stream), stderr: term.output(screen.stream), terminal: term, signal: new AbortController().signal });
    let prompts = 0;
    for (const line of ['echo hi\r', 'stty size\r', 'exit 5\r']) {
      await waitForPrompt(screen, ++prompts);
      term.input(Buffer.from(line));
    }
    expect(await done).toBe(5);
    expect(screen.text()).toBe('/ # echo hi\r\nhi\r\n/ # stty size\r\n40 120\r\n/ # exit 5\r\n');
  });

  it('Ctrl-C stops the running command and the shell prompts again', async () => {
    const screen = collector();
    const term = new Terminal(screen.stream);
    const done = runInContainer(CONTAINER, ['sh'], { stdin: term, stdout: term.output(screen.stream), terminal: term, signal: new AbortController().signal });
    await waitForPrompt(screen, 1);
    term.input(Buffer.from('sleep 60\r'));
    await new Promise((r) => setTimeout(r, 20));
    term.input(Buffer.from('\x03'));
    await waitForPrompt(screen, 2);
    term.input(Buffer.from('echo $?\r'));
    await waitForPrompt(screen, 3);
    term.input(Buffer.from('exit\r'));
    expect(await done).toBe(0);
    expect(screen.text()).toContain('sleep 60\r\n^C\r\n/ # echo $?\r\n130\r\n');
  });
});
