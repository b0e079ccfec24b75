// Regenerates src/proto/descriptor.generated.json from /proto.
// Run: npx vite-node packages/storepb/scripts/generate-descriptor.ts
import { writeFileSync } from 'node:fs';
import prettier from 'prettier';
import { upstreamDescriptor } from '../src/proto/upstream';

const target = new URL('../src/proto/descriptor.generated.json', import.meta.url).pathname;
const config = (await prettier.resolveConfig(target)) ?? {};
const text = await prettier.format(JSON.stringify(upstreamDescriptor()), { ...config, parser: 'json' });
writeFileSync(target, text);
console.log(`wrote ${target}`);
