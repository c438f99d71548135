import { TypedLines } from './typed-lines';

function typed(keys: string): { lines: string[]; truncated: boolean } {
  const t = new TypedLines({ maxLines: 3, maxChars: 50 });
  t.push(keys);
  return t.result();
}

describe('TypedLines: command lines rebuilt from keystrokes', () => {
  it('given plain typing with Enter, then one line per Enter', () => {
    expect(typed('ls -la\rcat /etc/hostname\r')).toEqual({ lines: ['ls -la', 'cat /etc/hostname'], truncated: false });
  });

  it('given backspaces (DEL and ^H) and ^U, then the edited line', () => {
    expect(typed('lsx\x7f -l\x08a\rjunk\x15pwd\r').lines).toEqual(['ls -a', 'pwd']);
  });

  it('given ^C, then the abandoned line is not a command', () => {
    expect(typed('rm -rf /tmp/x\x03echo ok\r').lines).toEqual(['echo ok']);
  });

  it('given cursor keys and other escape sequences, then they are skipped', () => {
    expect(typed('\x1b[Aecho\x1b[D\x1bOB hi\x1b[1;5C\r').lines).toEqual(['echo hi']);
  });

  it('given empty lines and a line never entered, then neither is a command', () => {
    expect(typed('\r\r  \rexit').lines).toEqual([]);
  });

  it('given more lines than the bound, then the rest are counted as dropped', () => {
    expect(typed('a\rb\rc\rd\r')).toEqual({ lines: ['a', 'b', 'c'], truncated: true });
  });
});
