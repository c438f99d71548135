import { ExecChannels, ExecOutput, exitReportOf } from './exec-stream';

const status = (s: unknown) => Buffer.from(JSON.stringify(s));

describe('the error channel of an exec', () => {
  it('reads Success as exit code 0, and NonZeroExitCode\'s ExitCode cause as the code', () => {
    expect(exitReportOf(status({ kind: 'Status', status: 'Success', metadata: {} }))).toEqual({ kind: 'exited', code: 0 });
    expect(
      exitReportOf(status({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })),
    ).toEqual({ kind: 'exited', code: 3 });
  });

  it('reads any other Status, or a body that is none, as a failure with its message', () => {
    expect(exitReportOf(status({ status: 'Failure', reason: 'InternalError', message: 'exec: "nope": executable file not found in $PATH' }))).toEqual({
      kind: 'failed',
      message: 'exec: "nope": executable file not found in $PATH',
    });
    expect(exitReportOf(status({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: 'x' }] } }))).toEqual({
      kind: 'failed',
      message: 'the command failed without a message',
    });
    expect(exitReportOf(Buffer.from('not json'))).toEqual({ kind: 'failed', message: 'not json' });
  });
});

describe('exec output under one budget', () => {
  it('keeps both streams whole while they fit', () => {
    const out = new ExecOutput(100);
    out.add(ExecChannels.stdout, Buffer.from('hello\n'));
    out.add(ExecChannels.stderr, Buffer.from('oops\n'));
    expect(out.stream(ExecChannels.stdout)).toEqual({ text: 'hello\n', bytes: 6, dropped: 0 });
    expect(out.stream(ExecChannels.stderr)).toEqual({ text: 'oops\n', bytes: 5, dropped: 0 });
  });

  it('shares the budget between the streams and counts what it drops', () => {
    const out = new ExecOutput(8);
    out.add(ExecChannels.stdout, Buffer.from('123456'));
    out.add(ExecChannels.stderr, Buffer.from('abcdef'));
    out.add(ExecChannels.stdout, Buffer.from('789'));
    expect(out.stream(ExecChannels.stdout)).toEqual({ text: '123456', bytes: 9, dropped: 3 });
    expect(out.stream(ExecChannels.stderr)).toEqual({ text: 'ab', bytes: 6, dropped: 4 });
  });

  it('never splits a UTF-8 character at the cut', () => {
    const out = new ExecOutput(4);
    out.add(ExecChannels.stdout, Buffer.from('abcé'));
    expect(out.stream(ExecChannels.stdout)).toEqual({ text: 'abc', bytes: 5, dropped: 1 });
  });
});
