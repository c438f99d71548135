import { forPlayer } from './cast';

describe('an asciicast for the player', () => {
  const header = '{"version":2,"width":80,"height":24}';

  it('gives output lines without a terminal a carriage return, so they start at the left margin', () => {
    const cast = [header, '[0.01,"o","token=***MASKED***\\npassword=***MASKED***\\n"]', '[0.02,"i","ls\\n"]', ''].join('\n');
    expect(forPlayer(cast).split('\n')).toEqual([header, '[0.01,"o","token=***MASKED***\\r\\npassword=***MASKED***\\r\\n"]', '[0.02,"i","ls\\n"]', '']);
  });

  it('leaves a terminal session’s output, markers and lines it cannot read as they are', () => {
    const cast = [header, '[0.01,"o","$ ls\\r\\nfile\\r\\n"]', '[1,"m","truncated"]', '[not json'].join('\n');
    expect(forPlayer(cast)).toBe(cast);
  });
});
