import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointSet } from './endpoints';
import { parseSdFile, SdFileDiscovery, SdFileError } from './sd-files';
import { startFakeStore, type FakeStore } from './testing/fake-store';

describe('file_sd discovery', () => {
  it('reads targets from JSON and YAML target groups', () => {
    expect(parseSdFile('[{"targets":["a:1","b:2"],"labels":{"x":"y"}},{"targets":["c:3"]}]', 'f.json')).toEqual([
      'a:1',
      'b:2',
      'c:3',
    ]);
    expect(parseSdFile('- targets: [a:1]\n- targets:\n  - b:2\n', 'f.yml')).toEqual(['a:1', 'b:2']);
    expect(() => parseSdFile('{"targets":"a:1"}', 'f.json')).toThrow(SdFileError);
    expect(() => parseSdFile('[{"targets":[1]}]', 'f.json')).toThrow('target group 0');
  });

  describe('with an endpoint set', () => {
    const dir = tempDir('query-sd-');
    let store: FakeStore;
    beforeAll(async () => {
      store = await startFakeStore({ externalLabels: { site: 'x' }, series: [] });
    });
    afterAll(async () => {
      await store.stop();
      dir.cleanup();
    });

    it('picks up endpoints when the file changes and keeps the last good list on a broken file', async () => {
      const file = join(dir.path, 'stores.json');
      writeFileSync(file, '[]');
      const errors: unknown[] = [];
      const discovery = new SdFileDiscovery([file]);
      const set = new EndpointSet({ static: [], discover: () => discovery.targets((e) => errors.push(e)) });
      try {
        await set.refresh();
        expect(set.list()).toEqual([]);
        writeFileSync(file, JSON.stringify([{ targets: [store.address] }]));
        utimesSync(file, new Date(), new Date(Date.now() + 5000));
        await set.refresh();
        expect(set.list().map((e) => e.status())).toEqual([
          expect.objectContaining({ name: store.address, healthy: true, labelSets: [[{ name: 'site', value: 'x' }]] }),
        ]);
        writeFileSync(file, 'not json');
        utimesSync(file, new Date(), new Date(Date.now() + 10_000));
        await set.refresh();
        expect(set.list().map((e) => e.name)).toEqual([store.address]);
        expect(String(errors[0])).toContain('stores.json');
      } finally {
        set.stop();
      }
    });
  });
});
