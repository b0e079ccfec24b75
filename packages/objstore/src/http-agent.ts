import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { HttpConfig } from './config';
import { ObjstoreConfigError } from './errors';

function readTlsFile(path: string, field: string): Buffer | undefined {
  if (path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ObjstoreConfigError(`cannot read http_config.tls_config.${field} ${path}: ${(err as Error).message}`);
  }
}

/** Keep-alive agents shaped by Thanos `http_config` (connection limits and TLS settings). */
export function agentsFor(http: HttpConfig): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const common = {
    keepAlive: true,
    maxSockets: http.max_conns_per_host > 0 ? http.max_conns_per_host : Infinity,
    maxFreeSockets: http.max_idle_conns_per_host > 0 ? http.max_idle_conns_per_host : 256,
  };
  const tls = http.tls_config;
  return {
    httpAgent: new HttpAgent(common),
    httpsAgent: new HttpsAgent({
      ...common,
      ca: readTlsFile(tls.ca_file, 'ca_file'),
      cert: readTlsFile(tls.cert_file, 'cert_file'),
      key: readTlsFile(tls.key_file, 'key_file'),
      servername: tls.server_name || undefined,
      rejectUnauthorized: !(http.insecure_skip_verify || tls.insecure_skip_verify),
    }),
  };
}
