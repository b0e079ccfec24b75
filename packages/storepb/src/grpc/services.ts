// gRPC service definitions with our codecs as (de)serializers. Paths are the
// fully-qualified upstream names, e.g. /thanos.Store/Series.
import type { MethodDefinition } from '@grpc/grpc-js';
import {
  emptyInfoRequestCodec,
  infoResponseCodec,
  labelNamesRequestCodec,
  labelNamesResponseCodec,
  labelValuesRequestCodec,
  labelValuesResponseCodec,
  legacyInfoRequestCodec,
  legacyInfoResponseCodec,
  seriesRequestCodec,
  writeResponseCodec,
} from '../wire/messages';
import { decodeSeriesResponse, encodeSeriesResponse } from '../wire/series-codec';
import { decodeWriteRequest, encodeWriteRequest } from '../wire/write-request-codec';
import { metricMetadataRequestCodec, metricMetadataResponseCodec } from '../wire/metadata-codec';
import type { SeriesResponse, WriteRequest } from '../types';

interface Codec<T> {
  encode(value: T): Buffer;
  decode(buf: Uint8Array): T;
}

const seriesResponseCodec: Codec<SeriesResponse> = { encode: encodeSeriesResponse, decode: decodeSeriesResponse };
const writeRequestCodec: Codec<WriteRequest> = { encode: encodeWriteRequest, decode: decodeWriteRequest };

function method<Req, Res>(
  path: string,
  req: Codec<Req>,
  res: Codec<Res>,
  responseStream = false,
): MethodDefinition<Req, Res> {
  return {
    path,
    requestStream: false,
    responseStream,
    requestSerialize: (v) => req.encode(v),
    requestDeserialize: (b) => req.decode(b),
    responseSerialize: (v) => res.encode(v),
    responseDeserialize: (b) => res.decode(b),
  };
}

export const storeService = {
  Info: method('/thanos.Store/Info', legacyInfoRequestCodec, legacyInfoResponseCodec),
  Series: method('/thanos.Store/Series', seriesRequestCodec, seriesResponseCodec, true),
  LabelNames: method('/thanos.Store/LabelNames', labelNamesRequestCodec, labelNamesResponseCodec),
  LabelValues: method('/thanos.Store/LabelValues', labelValuesRequestCodec, labelValuesResponseCodec),
};

export const infoService = {
  Info: method('/thanos.info.Info/Info', emptyInfoRequestCodec, infoResponseCodec),
};

export const writeableStoreService = {
  RemoteWrite: method('/thanos.WriteableStore/RemoteWrite', writeRequestCodec, writeResponseCodec),
};

export const metadataService = {
  MetricMetadata: method(
    '/thanos.Metadata/MetricMetadata',
    metricMetadataRequestCodec,
    metricMetadataResponseCodec,
    true,
  ),
};

const passThrough = (b: Buffer): Buffer => b;

/** A unary method whose request and response stay bytes: for handlers that parse the message themselves. */
export function rawUnaryMethod(path: string): MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  };
}
