// Builds the protobufjs reflection tree from the .proto files under the repository's
// top-level `proto/` directory. Only the descriptor generator and its up-to-date test
// use this; the runtime loads the committed JSON descriptor instead (no .proto parsing
// at startup, and nothing to locate on disk once the CLI is bundled).
import protobuf from 'protobufjs';
import { resolve } from 'node:path';

export const protoDir = resolve(new URL('../../../../proto', import.meta.url).pathname);

/** Entry files; their imports (labelpb, prompb, google/protobuf/*) are pulled in. */
export const protoEntryFiles = [
  'store/storepb/rpc.proto',
  'store/storepb/legacy_info.proto',
  'store/storepb/prompb/remote.proto',
  'info/infopb/rpc.proto',
  'store/hintspb/hints.proto',
  'metadata/metadatapb/rpc.proto',
];

export function loadUpstreamProtoRoot(dir = protoDir): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => resolve(dir, target);
  root.loadSync(protoEntryFiles);
  root.resolveAll();
  return root;
}

/** The descriptor as committed: plain JSON of the resolved tree, comments dropped. */
export function upstreamDescriptor(dir = protoDir): protobuf.INamespace {
  return loadUpstreamProtoRoot(dir).toJSON({ keepComments: false });
}
