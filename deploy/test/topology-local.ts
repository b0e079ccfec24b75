// Moving the compose stack onto loopback: the compose files' service addresses
// (`receive-1:10901`, `0.0.0.0:10902`, `:9090`) become 127.0.0.1 ports, and paths inside
// the containers become temporary directories. Everything else is taken from the files.
import { parse, stringify } from 'yaml';
import { commandArgs, flagValues, type ComposeService } from './compose-model';

export class TopologyRewriteError extends Error {
  override name = 'TopologyRewriteError';
}

/** `service:containerPort` (as the compose files name it) → loopback `host:port`. */
export type HostMap = ReadonlyMap<string, string>;

export function localAddress(address: string, hosts: HostMap): string {
  const local = hosts.get(address);
  if (local === undefined) throw new TopologyRewriteError(`no loopback address for compose address "${address}"`);
  return local;
}

/**
 * A compose service's command with flag values replaced: `set` gives new values of
 * single-valued flags (each must occur in the command, so the test keeps the compose
 * flags rather than inventing its own), and every value of the flags in `addressFlags`
 * is an address looked up in `hosts`.
 */
export function localCommand(
  service: ComposeService,
  set: Record<string, string>,
  hosts: HostMap,
  addressFlags: readonly string[] = [],
): string[] {
  const args = commandArgs(service);
  for (const flag of [...Object.keys(set), ...addressFlags]) {
    if (flagValues(args, flag).length === 0) throw new TopologyRewriteError(`compose command has no --${flag}`);
  }
  return args.map((arg) => {
    const m = /^--([^=]+)=(.*)$/s.exec(arg);
    if (!m) return arg;
    const [, flag, value] = m;
    if (flag in set) return `--${flag}=${set[flag]}`;
    if (addressFlags.includes(flag)) return `--${flag}=${localAddress(value, hosts)}`;
    return arg;
  });
}

interface Hashring {
  endpoints: string[];
  [key: string]: unknown;
}

/** The hashrings file with its endpoints on loopback; other fields stay as they are. */
export function localHashrings(text: string, hosts: HostMap): string {
  const rings = JSON.parse(text) as Hashring[];
  return JSON.stringify(rings.map((r) => ({ ...r, endpoints: r.endpoints.map((e) => localAddress(e, hosts)) })));
}

interface PrometheusConfig {
  global?: Record<string, unknown>;
  scrape_configs?: Array<{ static_configs?: Array<{ targets: string[] }> }>;
  remote_write?: Array<{ url: string }>;
}

/**
 * A compose Prometheus configuration with its scrape targets and remote-write URLs on
 * loopback and, when given, a shorter scrape interval; external labels, jobs and headers
 * are kept.
 */
export function localPrometheusConfig(text: string, hosts: HostMap, scrapeInterval?: string): string {
  const config = parse(text) as PrometheusConfig;
  if (scrapeInterval) config.global = { ...config.global, scrape_interval: scrapeInterval };
  for (const job of config.scrape_configs ?? []) {
    for (const sc of job.static_configs ?? []) sc.targets = sc.targets.map((t) => localAddress(t, hosts));
  }
  for (const rw of config.remote_write ?? []) {
    const url = new URL(rw.url);
    rw.url = `${url.protocol}//${localAddress(url.host, hosts)}${url.pathname}`;
  }
  return stringify(config);
}
