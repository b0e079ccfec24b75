// Codec instances for every StoreAPI message except the hand-written hot ones
// (SeriesResponse in series-codec.ts, WriteRequest in write-request-codec.ts).
import type {
  InfoResponse,
  LabelNamesRequest,
  LabelNamesRequestInit,
  LabelNamesResponse,
  LabelValuesRequest,
  LabelValuesRequestInit,
  LabelValuesResponse,
  SeriesRequest,
  SeriesRequestInit,
} from '../types';
import { messageCodec } from './message-codec';

export const seriesRequestCodec = messageCodec<SeriesRequest, SeriesRequestInit>('thanos.SeriesRequest');
export const labelNamesRequestCodec = messageCodec<LabelNamesRequest, LabelNamesRequestInit>(
  'thanos.LabelNamesRequest',
);
export const labelNamesResponseCodec = messageCodec<LabelNamesResponse>('thanos.LabelNamesResponse');
export const labelValuesRequestCodec = messageCodec<LabelValuesRequest, LabelValuesRequestInit>(
  'thanos.LabelValuesRequest',
);
export const labelValuesResponseCodec = messageCodec<LabelValuesResponse>('thanos.LabelValuesResponse');
export const emptyInfoRequestCodec = messageCodec<Record<string, never>>('thanos.info.InfoRequest');
export const infoResponseCodec = messageCodec<InfoResponse>('thanos.info.InfoResponse');
export const legacyInfoRequestCodec = messageCodec<Record<string, never>>('thanos.LegacyInfoRequest');
export const legacyInfoResponseCodec = messageCodec<LegacyInfoResponse>('thanos.LegacyInfoResponse');
export const writeResponseCodec = messageCodec<Record<string, never>>('thanos.WriteResponse');

/** `thanos.Store/Info` response of Thanos before the Info service (see proto/store/storepb/legacy_info.proto). */
export interface LegacyInfoResponse {
  labels: { name: string; value: string }[];
  minTime: number;
  maxTime: number;
  storeType: number;
  labelSets: { labels: { name: string; value: string }[] }[];
}
