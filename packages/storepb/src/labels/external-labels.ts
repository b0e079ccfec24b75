// External labels as Thanos stores apply them: merged into every series (the external
// value wins on a name clash), matched against requests up front, and replica labels
// removed on request (`without_replica_labels`).
import type { Label } from '../types';
import { compareUtf8 } from './labels';
import { compileMatcher, type Matcher } from './matchers';

export interface ExternalLabelMatch {
  /** False when a matcher rejects an external label: the store has no series for this request. */
  matches: boolean;
  /** The matchers left for the store's own data (those on external label names are used up). */
  remaining: Matcher[];
}

/**
 * Checks request matchers against a store's external labels, as Thanos's
 * MatchesExternalLabels: a matcher on an external label name is evaluated against the
 * external value and dropped; the others go on to the store's index.
 */
export function matchExternalLabels(matchers: Matcher[], externalLabels: Label[]): ExternalLabelMatch {
  const remaining: Matcher[] = [];
  for (const m of matchers) {
    const ext = externalLabels.find((l) => l.name === m.name);
    if (!ext || ext.value === '') {
      remaining.push(m);
      continue;
    }
    if (!compileMatcher(m)(ext.value)) return { matches: false, remaining: [] };
  }
  return { matches: true, remaining };
}

/** Merges two name-sorted label sets; on equal names the external value wins. */
export function withExternalLabels(labels: Label[], externalLabels: Label[]): Label[] {
  if (externalLabels.length === 0) return labels;
  const out: Label[] = [];
  let i = 0;
  let j = 0;
  while (i < labels.length && j < externalLabels.length) {
    const c = compareUtf8(labels[i].name, externalLabels[j].name);
    if (c < 0) out.push(labels[i++]);
    else if (c > 0) out.push(externalLabels[j++]);
    else {
      out.push(externalLabels[j++]);
      i++;
    }
  }
  while (i < labels.length) out.push(labels[i++]);
  while (j < externalLabels.length) out.push(externalLabels[j++]);
  return out;
}

/** The label set without the named (replica) labels; the input itself when none occur. */
export function removeLabels(labels: Label[], names: ReadonlySet<string>): Label[] {
  if (names.size === 0 || !labels.some((l) => names.has(l.name))) return labels;
  return labels.filter((l) => !names.has(l.name));
}
