// Prometheus file_sd files (JSON or YAML lists of `{targets: [...], labels: {...}}`) as a
// source of StoreAPI addresses. Files are re-read only when their modification time changes.
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export class SdFileError extends Error {
  override readonly name = 'SdFileError';
}

/** The target addresses listed in one file_sd document. */
export function parseSdFile(text: string, file: string): string[] {
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SdFileError(`${file}: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new SdFileError(`${file}: want a list of target groups`);
  const out: string[] = [];
  doc.forEach((group: unknown, i) => {
    const targets = (group as { targets?: unknown })?.targets;
    if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string')) {
      throw new SdFileError(`${file}: target group ${i}: "targets" must be a list of host:port strings`);
    }
    out.push(...targets);
  });
  return out;
}

/** Addresses from a set of file_sd files, cached per file by modification time. */
export class SdFileDiscovery {
  private readonly cache = new Map<string, { mtimeMs: number; targets: string[] }>();

  constructor(private readonly files: string[]) {}

  /** Current targets of all files; a file that fails to parse keeps its last good targets. */
  targets(onError?: (err: unknown) => void): string[] {
    const out: string[] = [];
    for (const file of this.files) {
      try {
        const mtimeMs = statSync(file).mtimeMs;
        const cached = this.cache.get(file);
        if (!cached || cached.mtimeMs !== mtimeMs) {
          this.cache.set(file, { mtimeMs, targets: parseSdFile(readFileSync(file, 'utf8'), file) });
        }
      } catch (err) {
        onError?.(err);
      }
      out.push(...(this.cache.get(file)?.targets ?? []));
    }
    return out;
  }
}
