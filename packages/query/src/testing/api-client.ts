// A tiny client of the querier's HTTP API for tests.

/** Parsed API JSON; tests walk into it freely and assert on the values. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiJson = any;

export type ApiParams = Record<string, string | string[]>;

function encode(params: ApiParams): URLSearchParams {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) sp.append(k, x);
  return sp;
}

/** GET (query string) or POST (form body) `path` on `base`; returns the status and raw body. */
export async function callApi(base: string, path: string, params: ApiParams = {}, method: 'GET' | 'POST' = 'GET') {
  const sp = encode(params);
  const res =
    method === 'GET'
      ? await fetch(`${base}${path}?${sp}`)
      : await fetch(`${base}${path}`, {
          method: 'POST',
          body: sp.toString(),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
  return { status: res.status, text: await res.text() };
}

export async function callApiJson(
  base: string,
  path: string,
  params: ApiParams = {},
  method: 'GET' | 'POST' = 'GET',
): Promise<{ status: number; body: ApiJson }> {
  const r = await callApi(base, path, params, method);
  return { status: r.status, body: JSON.parse(r.text) };
}
