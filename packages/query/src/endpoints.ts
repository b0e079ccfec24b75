// The set of StoreAPI endpoints a querier fans out to: static addresses plus file-based
// service discovery, each with its Info (external labels, time range) refreshed
// periodically, and its health as the last Info call saw it.
import { matchExternalLabels, StoreClient, type InfoResponse, type Label, type Matcher } from '@thanos-ts/storepb';

export interface EndpointStatus {
  name: string;
  componentType: string;
  /** Whether the last Info call succeeded. */
  healthy: boolean;
  lastCheck: number | null;
  lastError: string | null;
  labelSets: Label[][];
  minTime: number;
  maxTime: number;
}

export class Endpoint {
  info: InfoResponse | undefined;
  lastCheck: number | null = null;
  lastError: string | null = null;
  readonly client: StoreClient;

  constructor(readonly name: string) {
    this.client = new StoreClient(name);
  }

  /** External label sets; empty until Info answered. */
  get labelSets(): Label[][] {
    return this.info?.labelSets.map((s) => s.labels) ?? [];
  }

  /** Time range of the store's data; unknown (everything) until Info answered. */
  get minTime(): number {
    return this.info?.store?.minTime ?? Number.MIN_SAFE_INTEGER;
  }

  get maxTime(): number {
    return this.info?.store?.maxTime ?? Number.MAX_SAFE_INTEGER;
  }

  async refresh(timeoutMs: number): Promise<void> {
    try {
      this.info = await this.client.info({ timeoutMs });
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message;
    }
    this.lastCheck = Date.now();
  }

  status(): EndpointStatus {
    return {
      name: this.name,
      componentType: this.info?.componentType || 'store',
      healthy: this.lastCheck !== null && this.lastError === null,
      lastCheck: this.lastCheck,
      lastError: this.lastError,
      labelSets: this.labelSets,
      minTime: this.minTime,
      maxTime: this.maxTime,
    };
  }

  close(): void {
    this.client.close();
  }
}

export interface EndpointSetOptions {
  /** Addresses from --endpoint. */
  static: string[];
  /** Addresses discovered at the moment of a refresh (e.g. from --endpoint.sd-files). */
  discover?: () => string[];
  /** How often Info is polled (ms); Thanos uses 5s. */
  refreshIntervalMs?: number;
  infoTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

export class EndpointSet {
  private readonly endpoints = new Map<string, Endpoint>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EndpointSetOptions) {}

  /** Endpoints as of the last refresh (before the first one: the static ones). */
  list(): Endpoint[] {
    if (this.endpoints.size === 0) this.syncAddresses();
    return [...this.endpoints.values()];
  }

  /** Re-reads discovery, then polls Info on every endpoint. */
  async refresh(): Promise<void> {
    this.syncAddresses();
    await Promise.all([...this.endpoints.values()].map((e) => e.refresh(this.options.infoTimeoutMs ?? 5000)));
  }

  async start(): Promise<void> {
    await this.refresh();
    const interval = this.options.refreshIntervalMs ?? 5000;
    const tick = () => {
      this.refresh()
        .catch((err) => this.options.onError?.(err))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, interval);
        });
    };
    this.timer = setTimeout(tick, interval);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const e of this.endpoints.values()) e.close();
    this.endpoints.clear();
  }

  private syncAddresses(): void {
    let discovered: string[] = [];
    try {
      discovered = this.options.discover?.() ?? [];
    } catch (err) {
      this.options.onError?.(err);
      return;
    }
    const wanted = new Set([...this.options.static, ...discovered]);
    for (const [name, e] of this.endpoints) {
      if (!wanted.has(name)) {
        e.close();
        this.endpoints.delete(name);
      }
    }
    for (const name of wanted) if (!this.endpoints.has(name)) this.endpoints.set(name, new Endpoint(name));
  }
}

/**
 * The endpoints worth asking for data in [mint, maxt] matching `matchers`: those serving
 * the Store API whose time range overlaps and whose external labels can match. Endpoints
 * whose Info is not known yet are asked too, so that a down store shows up as a failure.
 */
export function storesFor(endpoints: readonly Endpoint[], matchers: Matcher[], mint: number, maxt: number): Endpoint[] {
  return endpoints.filter((e) => {
    if (e.info && !e.info.store) return false;
    if (e.minTime > maxt || e.maxTime < mint) return false;
    const sets = e.labelSets;
    return sets.length === 0 || sets.some((ls) => matchExternalLabels(matchers, ls).matches);
  });
}

/** The error text of a failed store call, naming the store once. */
export function storeFailure(store: string, err: unknown): string {
  const msg = (err as Error)?.message ?? String(err);
  return msg.includes(store) ? msg : `store ${store}: ${msg}`;
}
