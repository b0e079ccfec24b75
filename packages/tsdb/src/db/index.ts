export { Tsdb, listBlockMetas, WBL_DIRNAME } from './db';
export { OUT_OF_ORDER_HINT } from './ooo-compaction';
export type { TsdbOptions } from './db';
