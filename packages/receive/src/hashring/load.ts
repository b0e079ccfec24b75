import { parseHashringsConfig, type HashringConfig } from './config';
import { HashringConfigError } from './errors';
import type { SeriesHasher } from './hasher';
import { MultiHashring, type HashringBuildOptions } from './multi';

export interface LoadedHashrings {
  configs: HashringConfig[];
  hashring: MultiHashring;
  /** Non-fatal findings of parsing and building, to be logged. */
  warnings: string[];
}

/**
 * Parses hashrings JSON and builds its rings; throws `HashringConfigError` naming `source`,
 * the ring and the problem.
 */
export function loadHashrings(
  text: string,
  source: string,
  options: HashringBuildOptions,
  hasher: SeriesHasher,
): LoadedHashrings {
  const parsed = parseHashringsConfig(text, source);
  let built: { hashring: MultiHashring; warnings: string[] };
  try {
    built = MultiHashring.build(parsed.hashrings, options, hasher);
  } catch (err) {
    if (err instanceof HashringConfigError) throw new HashringConfigError(`${source}: ${err.message}`);
    throw err;
  }
  return { configs: parsed.hashrings, hashring: built.hashring, warnings: [...parsed.warnings, ...built.warnings] };
}
