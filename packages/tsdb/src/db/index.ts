export { Tsdb, listBlockMetas } from './db';
export type { TsdbOptions } from './db';
