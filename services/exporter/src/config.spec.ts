import { loadConfig } from '@chaperone/config';
import { exporterSettings, parseSinkSpec } from './config';

describe('exporter configuration', () => {
  it('parses name=format:transport:target, URLs with their colons', () => {
    expect(parseSinkSpec('siem=k8s-audit:webhook:https://siem.example:8443/audit')).toEqual({ name: 'siem', format: 'k8s-audit', transport: 'webhook', target: 'https://siem.example:8443/audit' });
    expect(parseSinkSpec('lake=ocsf:file:/var/log/chaperone/ocsf.jsonl')).toMatchObject({ format: 'ocsf', transport: 'file' });
  });

  it('refuses a bad sink with what is wrong, never echoing the value', () => {
    expect(() => parseSinkSpec('x=syslog:file:/tmp/a')).toThrow('format must be one of k8s-audit, ocsf');
    expect(() => parseSinkSpec('x=ocsf:webhook:ftp://h/')).toThrow('must be http or https');
    expect(() => parseSinkSpec('Bad=ocsf:file:/a')).toThrow('sink name');
    expect(() => loadConfig(exporterSettings, { CHAPERONE_EXPORT_SINKS: 'a=ocsf:webhook:https://u:secret@h/,a=ocsf:file:/x' })).toThrow(
      /CHAPERONE_EXPORT_SINKS: \(value hidden\) is not valid: sink names must differ/,
    );
    expect(() => loadConfig(exporterSettings, {})).toThrow('CHAPERONE_EXPORT_SINKS: is required');
  });
});
