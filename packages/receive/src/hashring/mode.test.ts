import { describe, expect, it } from 'vitest';
import { determineReceiveMode } from './mode';

describe('determineReceiveMode', () => {
  it('routes and ingests with a hashring file and a local endpoint', () => {
    expect(determineReceiveMode({ hashringsFile: 'h.json', localEndpoint: 'r0:10901' })).toBe('RouterIngestor');
    expect(determineReceiveMode({ hashrings: '[]', localEndpoint: 'r0:10901' })).toBe('RouterIngestor');
  });

  it('only routes with a hashring configuration but no local endpoint', () => {
    expect(determineReceiveMode({ hashringsFile: 'h.json' })).toBe('RouterOnly');
    expect(determineReceiveMode({ hashrings: '[{"endpoints":["a:1"]}]', localEndpoint: '' })).toBe('RouterOnly');
  });

  it('only ingests without hashring configuration', () => {
    expect(determineReceiveMode({ localEndpoint: 'r0:10901' })).toBe('IngestorOnly');
    expect(determineReceiveMode({ hashringsFile: '', hashrings: '' })).toBe('IngestorOnly');
  });
});
