import { exitStatusOf, terminalSizeOf } from './exit-status';

const status = (s: object) => Buffer.from(JSON.stringify(s));

describe('the status channel', () => {
  it('reads Success as 0, NonZeroExitCode as its code, and other failures as their message', () => {
    expect(exitStatusOf(status({ status: 'Success' }))).toEqual({ exitCode: 0 });
    expect(exitStatusOf(status({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }))).toEqual({ exitCode: 3 });
    expect(exitStatusOf(status({ status: 'Failure', reason: 'InternalError', message: 'executable file not found' }))).toEqual({ failure: 'executable file not found' });
    expect(exitStatusOf(Buffer.from('plain text error'))).toEqual({ failure: 'plain text error' });
  });

  it('reads a terminal size, and nothing from a malformed one', () => {
    expect(terminalSizeOf(Buffer.from('{"Width":100,"Height":40}'))).toEqual({ width: 100, height: 40 });
    expect(terminalSizeOf(Buffer.from('{"Width":-1,"Height":40}'))).toBeUndefined();
    expect(terminalSizeOf(Buffer.from('nope'))).toBeUndefined();
  });
});
