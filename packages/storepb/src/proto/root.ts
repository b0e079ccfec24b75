// The runtime protobufjs tree, built from the committed JSON descriptor.
import protobuf from 'protobufjs/light.js';
import descriptor from './descriptor.generated.json';

export const protoRoot: protobuf.Root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);

export function protoType(name: string): protobuf.Type {
  return protoRoot.lookupType(name);
}
