import { ConfigError, loadConfig } from '@chaperone/config';
import { DEFAULT_MASKING_WORKERS, maskingSettings } from './config';

describe('masking settings', () => {
  it('given nothing set, then large documents go to workers from 2 MiB, one per core but one', () => {
    const config = loadConfig(maskingSettings, {});
    expect(config.workers).toBe(DEFAULT_MASKING_WORKERS);
    expect(config.workers).toBeGreaterThanOrEqual(1);
    expect(config.workerMinBytes).toBe(2 * 1024 * 1024);
  });

  it('given 0 workers, then it is accepted (mask inline)', () => {
    expect(loadConfig(maskingSettings, { CHAPERONE_MASKING_WORKERS: '0', CHAPERONE_MASKING_WORKER_MIN_BYTES: '1048576' })).toMatchObject({ workers: 0, workerMinBytes: 1048576 });
  });

  it('given bad values, then both keys are named with their expected form', () => {
    let err: unknown;
    try {
      loadConfig(maskingSettings, { CHAPERONE_MASKING_WORKERS: 'four', CHAPERONE_MASKING_WORKER_MIN_BYTES: '-1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^CHAPERONE_MASKING_WORKERS: "four" is not valid: not a whole number \(expected worker threads/);
    expect(problems[1]).toMatch(/^CHAPERONE_MASKING_WORKER_MIN_BYTES: "-1" is not valid: must be at least 0/);
  });
});
