export { BaseBucket } from './bucket';
export type { Bucket, IterCallback, IterOptions, ObjectAttributes, UploadBody } from './bucket';
export { ObjectNotFoundError, ObjstoreConfigError, ObjstoreOperationError, isObjNotFoundErr } from './errors';
export { InMemoryBucket } from './inmem';
export { FilesystemBucket } from './filesystem';
export { S3Bucket } from './s3';
export type { S3BucketOptions } from './s3';
export { GcsBucket } from './gcs';
export type { GcsBucketOptions } from './gcs';
export { PrefixedBucket } from './prefixed';
export { MetricsBucket, BUCKET_OPERATIONS } from './metrics';
export type { BucketOperation } from './metrics';
export { DEFAULT_RETRY_POLICY } from './retry';
export type { RetryPolicy } from './retry';
export { ObjstoreConfig, SUPPORTED_TYPES, loadObjstoreConfig, parseObjstoreConfig } from './config';
export type { FilesystemConfig, GcsConfig, HttpConfig, ObjstoreType, ProviderConfig, S3Config } from './config';
export { createBucket } from './factory';
export type { CreateBucketOptions } from './factory';
export type { ObjstoreLogger } from './logger';
export { BlockMetaError, META_FILENAME, encodeBlockMeta, isUlid, parseBlockMeta } from './block-meta';
export type { BlockFile, BlockMeta, ThanosMeta } from './block-meta';
export {
  BlockError,
  CHUNKS_DIRNAME,
  INDEX_FILENAME,
  deleteBlock,
  downloadBlock,
  listBlocks,
  readLocalBlockMeta,
  uploadBlock,
} from './block';
export type { BlockListing, ListedBlock, UploadBlockOptions } from './block';
export {
  DELETION_MARK_FILENAME,
  MarkerError,
  NO_COMPACT_MARK_FILENAME,
  markForDeletion,
  markNoCompact,
  readDeletionMark,
  readNoCompactMark,
} from './markers';
export type { DeletionMark, MarkOptions, NoCompactMark, NoCompactReason } from './markers';
