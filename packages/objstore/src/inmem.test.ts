import { InMemoryBucket } from './inmem';
import { PrefixedBucket } from './prefixed';
import { describeBucketConformance } from './testing/conformance';

describeBucketConformance('in-memory', async () => new InMemoryBucket());
describeBucketConformance('prefixed in-memory', async () => new PrefixedBucket(new InMemoryBucket(), '/tenant/a/'));
