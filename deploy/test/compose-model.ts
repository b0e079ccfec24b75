// Reading a docker-compose file for static checks: image tags, published ports, bind
// mounts, dependencies and command-line flags, without a Docker engine.
import { parse } from 'yaml';

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  ports?: unknown[];
  volumes?: unknown[];
  depends_on?: string[] | Record<string, unknown>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export class ComposeFormatError extends Error {
  override name = 'ComposeFormatError';
}

export function parseCompose(text: string): ComposeFile {
  // Compose files use YAML 1.1 merge keys (`<<: *anchor`) for shared service settings.
  const doc = parse(text, { merge: true }) as ComposeFile | null;
  if (!doc || typeof doc.services !== 'object' || doc.services === null)
    throw new ComposeFormatError('compose file has no `services` mapping');
  return doc;
}

/** The tag of an image reference `name[:tag][@digest]`; undefined when it has none. */
export function imageTag(ref: string): string | undefined {
  const name = ref.split('@')[0];
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
}

function expandRange(spec: string): number[] {
  const [from, to = from] = spec.split('-').map(Number);
  if (!Number.isInteger(from) || !Number.isInteger(to) || to < from)
    throw new ComposeFormatError(`bad port range "${spec}"`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * Host ports a `ports:` entry publishes, as `port/protocol`. Short syntax is
 * `[ip:]host[-end]:container[/proto]` or a bare container port (published on a random
 * host port, so none is returned); long syntax is `{published, target, protocol}`.
 */
export function publishedHostPorts(entry: unknown): string[] {
  if (typeof entry === 'number') return [];
  if (typeof entry === 'object' && entry !== null) {
    const long = entry as { published?: number | string; protocol?: string };
    if (long.published === undefined) return [];
    return expandRange(String(long.published)).map((p) => `${p}/${long.protocol ?? 'tcp'}`);
  }
  if (typeof entry !== 'string') throw new ComposeFormatError(`bad ports entry ${JSON.stringify(entry)}`);
  const [spec, protocol = 'tcp'] = entry.split('/');
  const parts = spec.split(':');
  if (parts.length === 1) return [];
  return expandRange(parts[parts.length - 2]).map((p) => `${p}/${protocol}`);
}

export interface BindMount {
  /** As written in the compose file (relative paths are relative to the file's folder). */
  source: string;
  target: string;
}

/** Volume entries that mount a host path (`./x:/y[:ro]`, `/x:/y` or `{type: bind}`). */
export function bindMounts(service: ComposeService): BindMount[] {
  const mounts: BindMount[] = [];
  for (const v of service.volumes ?? []) {
    if (typeof v === 'string') {
      const [source, target] = v.split(':');
      if (/^[./~]/.test(source)) mounts.push({ source, target });
    } else if (typeof v === 'object' && v !== null && (v as { type?: string }).type === 'bind') {
      const long = v as { source: string; target: string };
      mounts.push({ source: long.source, target: long.target });
    }
  }
  return mounts;
}

export function dependencies(service: ComposeService): string[] {
  const deps = service.depends_on;
  if (!deps) return [];
  return Array.isArray(deps) ? deps : Object.keys(deps);
}

export function commandArgs(service: ComposeService): string[] {
  const cmd = service.command ?? [];
  return typeof cmd === 'string' ? cmd.split(/\s+/).filter(Boolean) : cmd;
}

/** Values of a repeatable flag given as `--name=value`. */
export function flagValues(args: string[], name: string): string[] {
  const prefix = `--${name}=`;
  return args.filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length));
}
