// The local write path (Thanos `pkg/receive/writer.go`): per tenant one appender, every
// valid sample appended, failures counted by kind, one commit (one WAL write) per tenant.
import type { WriteRequestView } from '@thanos-ts/remote-write';
import {
  AppendStatus,
  compareStrings,
  hashLabelRanges,
  labelRangesKey,
  labelsFromRanges,
  labelsToString,
  type LabelRanges,
  type HeadAppender,
  type Label,
  type MemSeries,
  type Tsdb,
} from '@thanos-ts/tsdb';
import { WriteReport, type WriteFailureKind } from './write-errors';

const STATUS_KIND: Record<number, WriteFailureKind | undefined> = {
  [AppendStatus.outOfOrder]: 'out_of_order',
  [AppendStatus.duplicate]: 'duplicate',
  [AppendStatus.outOfBounds]: 'out_of_bounds',
  [AppendStatus.tooFarInFuture]: 'too_far_in_future',
  [AppendStatus.tooOld]: 'too_old',
};

/** Longest label value accepted: far above real label values, low enough to refuse abuse. */
export const MAX_LABEL_VALUE_LENGTH = 64 * 1024;
export const MAX_LABEL_NAME_LENGTH = 1024;

/**
 * Why a label set cannot be stored, as Thanos's `labelpb.ValidateLabels` decides, plus
 * length limits Thanos lacks; undefined when valid.
 */
export function labelSetProblem(labels: readonly Label[]): string | undefined {
  if (labels.length === 0) return 'empty label set';
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l.name === '') return 'empty label name';
    if (l.value === '') return `empty value for label "${l.name}"`;
    if (l.name.length > MAX_LABEL_NAME_LENGTH) return `label name longer than ${MAX_LABEL_NAME_LENGTH} bytes`;
    if (l.value.length > MAX_LABEL_VALUE_LENGTH) {
      return `value of label "${l.name}" is ${l.value.length} characters, more than the ${MAX_LABEL_VALUE_LENGTH} allowed`;
    }
    if (i > 0) {
      const c = compareStrings(labels[i - 1].name, l.name);
      if (c === 0) return `duplicate label name "${l.name}"`;
      if (c > 0) return `labels not sorted: "${labels[i - 1].name}" before "${l.name}"`;
    }
  }
  return undefined;
}

/** Where the split-tenant label of each series is, and what tenant each series goes to. */
export interface TenantAssignment {
  /** Index into the view's flat label table of the split label per series, or -1. */
  skipLabel: Int32Array;
  /** Series indices per tenant. */
  byTenant: Map<string, number[]>;
}

export interface IngestOptions {
  /** Samples newer than this are refused (too far in the future); Infinity disables the check. */
  maxValidTime: number;
  /** Refuse series creation beyond this many head series (0: unlimited). */
  headSeriesLimit: number;
}

/**
 * Appends the given series of `view` to one tenant's TSDB and commits once. Every valid
 * sample is stored; the report counts the rest by kind and names the first series of each.
 */
export function ingestSeries(
  db: Tsdb,
  view: WriteRequestView,
  series: readonly number[],
  skipLabel: Int32Array | undefined,
  options: IngestOptions,
): WriteReport {
  const report = new WriteReport();
  const app = db.head.appender({ maxValidTime: options.maxValidTime });
  const values = view.values;
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const hiIdx = LITTLE_ENDIAN ? 1 : 0;
  const loIdx = 1 - hiIdx;
  const ts = view.timestamps;
  // one range descriptor, pointed at each series in turn: the series are looked up in the request's bytes
  const ranges: LabelRanges = { bytes: view.buffer, refs: view.labelRefs, from: 0, to: 0, skip: -1 };
  let written = 0;
  for (const s of series) {
    ranges.from = view.seriesLabelStart[s];
    ranges.to = view.seriesLabelStart[s + 1];
    ranges.skip = skipLabel ? skipLabel[s] : -1;
    const memSeries = resolveSeries(db, app, view, s, ranges, options, report);
    if (memSeries === undefined) continue;
    for (let k = view.seriesSampleStart[s], end = view.seriesSampleStart[s + 1]; k < end; k++) {
      const st = app.append(memSeries, ts[k], words[2 * k + hiIdx], words[2 * k + loIdx]);
      if (st === AppendStatus.ok || st === AppendStatus.duplicateIgnored) {
        written++;
        continue;
      }
      report.add(STATUS_KIND[st]!, () => labelsToString(memSeries.labels), 1, `timestamp ${ts[k]}`);
    }
  }
  app.commit();
  report.samplesWritten = written;
  return report;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function resolveSeries(
  db: Tsdb,
  app: HeadAppender,
  view: WriteRequestView,
  s: number,
  ranges: LabelRanges,
  options: IngestOptions,
  report: WriteReport,
): MemSeries | undefined {
  const h = hashLabelRanges(ranges);
  const found = db.head.lookupLabelRanges(ranges, h);
  if (found) return found;
  const labels = labelsFromRanges(ranges);
  const problem = labelSetProblem(labels);
  const sampleCount = view.seriesSampleStart[s + 1] - view.seriesSampleStart[s];
  if (problem !== undefined) {
    report.add(
      'bad_labels',
      () => labelsToString(labels.map((l) => ({ name: l.name, value: abbreviate(l.value) }))),
      1,
      problem,
    );
    return undefined;
  }
  if (options.headSeriesLimit > 0 && db.head.numSeries >= options.headSeriesLimit) {
    report.add('head_series_limit', () => labelsToString(labels), 1, `limit ${options.headSeriesLimit}`);
    return undefined;
  }
  if (sampleCount === 0) return undefined;
  return app.series(labels, labelRangesKey(ranges), h);
}

/** A split-tenant label value that cannot name a tenant directory (spec 1.5: whole request refused). */
export class InvalidSplitTenantError extends Error {
  override readonly name = 'InvalidSplitTenantError';
}

/**
 * Decides each series' tenant: the value of the split-tenant label when the series has
 * it (the label is then dropped from the series), else the request's tenant.
 */
export function assignTenants(
  view: WriteRequestView,
  requestTenant: string,
  splitLabel: Uint8Array | undefined,
  isValidTenant: (t: string) => boolean,
): TenantAssignment {
  const n = view.seriesCount;
  const skipLabel = new Int32Array(n).fill(-1);
  if (!splitLabel) {
    const all = new Array<number>(n);
    for (let s = 0; s < n; s++) all[s] = s;
    return { skipLabel, byTenant: new Map([[requestTenant, all]]) };
  }
  const byTenant = new Map<string, number[]>();
  const refs = view.labelRefs;
  const buf = view.buffer;
  for (let s = 0; s < n; s++) {
    let tenant = requestTenant;
    for (let l = view.seriesLabelStart[s], end = view.seriesLabelStart[s + 1]; l < end; l++) {
      const ns = refs[4 * l];
      if (refs[4 * l + 1] - ns !== splitLabel.length) continue;
      let same = true;
      for (let i = 0; i < splitLabel.length && same; i++) same = buf[ns + i] === splitLabel[i];
      if (!same || refs[4 * l + 3] === refs[4 * l + 2]) continue;
      const value = view.labelValue(l);
      if (!isValidTenant(value)) {
        throw new InvalidSplitTenantError(
          `split-tenant label value ${JSON.stringify(value)} is not a valid tenant name`,
        );
      }
      tenant = value;
      skipLabel[s] = l;
      break;
    }
    let list = byTenant.get(tenant);
    if (!list) byTenant.set(tenant, (list = []));
    list.push(s);
  }
  return { skipLabel, byTenant };
}

/** Keeps error messages readable when a label value is huge. */
function abbreviate(text: string, max = 256): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}
