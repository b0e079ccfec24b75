// `thanos.WriteableStore/RemoteWrite` served from the request bytes. The StoreAPI server's own
// writeable service decodes every series into objects first, which costs several times the
// local ingest; this one hands the router columnar views (see forwarded-request.ts).
import * as grpc from '@grpc/grpc-js';
import { RemoteWriteError } from '@thanos-ts/remote-write';
import { rawUnaryMethod, StoreApiError, type StoreServer } from '@thanos-ts/storepb';
import { ForwardedRequestError, parseForwardedRequest, type ForwardedRequest } from './forwarded-request';

const EMPTY = Buffer.alloc(0);

const rawWriteableService: grpc.ServiceDefinition = {
  RemoteWrite: rawUnaryMethod('/thanos.WriteableStore/RemoteWrite'),
};

/**
 * Adds the raw RemoteWrite service to a StoreAPI server that was created without `writeable`;
 * call before `listen`. `handle` throws `StoreApiError`s to choose the status.
 */
export function serveRawRemoteWrite(server: StoreServer, handle: (req: ForwardedRequest) => Promise<void>): void {
  server.addService(rawWriteableService, {
    RemoteWrite: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      let req: ForwardedRequest;
      try {
        req = parseForwardedRequest(call.request);
      } catch (err) {
        const invalid = err instanceof ForwardedRequestError || err instanceof RemoteWriteError;
        callback({
          code: invalid ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL,
          details: (err as Error).message,
        });
        return;
      }
      handle(req).then(
        () => callback(null, EMPTY),
        (err: unknown) =>
          callback({
            code: err instanceof StoreApiError ? err.code : grpc.status.INTERNAL,
            details: err instanceof Error ? err.message : String(err),
          }),
      );
    },
  });
}
