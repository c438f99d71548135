import { option, parseArgs, rejectUnknownOptions, requiredOption } from './args';
import { UsageError } from './command';

describe('parseArgs', () => {
  it('separates positional words from long options in both spellings', () => {
    const a = parseArgs(['list', '--namespace', 'demo', '--agent=bot', 'x'], new Set());
    expect(a.positional).toEqual(['list', 'x']);
    expect(a.options.get('namespace')).toBe('demo');
    expect(a.options.get('agent')).toBe('bot');
  });

  it('takes boolean options without consuming the next word', () => {
    const a = parseArgs(['--json', 'abc'], new Set(['json']));
    expect(a.options.get('json')).toBe(true);
    expect(a.positional).toEqual(['abc']);
  });

  it('keeps words after -- positional, even when they look like options', () => {
    expect(parseArgs(['--', '--not-an-option']).positional).toEqual(['--not-an-option']);
  });

  it('refuses short options, malformed options and a value-less option', () => {
    expect(() => parseArgs(['-n', 'x'])).toThrow(UsageError);
    expect(() => parseArgs(['--Bad'])).toThrow(/malformed option/);
    expect(() => parseArgs(['--reason'])).toThrow(/--reason needs a value/);
    expect(() => parseArgs(['--reason', '--json'], new Set(['json']))).toThrow(/--reason needs a value/);
  });
});

describe('option lookup', () => {
  const env = { io: { CHAPERONE_TOKEN: 'from-env' }, name: 'CHAPERONE_TOKEN' };

  it('prefers the option, then the environment, then the default', () => {
    expect(option(parseArgs(['--token', 'flag']), 'token', env)).toBe('flag');
    expect(option(parseArgs([]), 'token', env)).toBe('from-env');
    expect(option(parseArgs([]), 'server', undefined, 'http://d')).toBe('http://d');
    expect(option(parseArgs([]), 'server')).toBeUndefined();
  });

  it('names the option and its variable when a required one is missing', () => {
    expect(() => requiredOption(parseArgs([]), 'token', { io: {}, name: 'CHAPERONE_TOKEN' })).toThrow('--token (or CHAPERONE_TOKEN) is required');
  });

  it('rejects options a command does not know', () => {
    expect(() => rejectUnknownOptions(parseArgs(['--tokn', 'x']), ['token'])).toThrow('unknown option --tokn');
    expect(() => rejectUnknownOptions(parseArgs(['--token', 'x']), ['token'])).not.toThrow();
  });
});
