// Read flannel's keys from etcd over its HTTP APIs — no client library:
//   v3 (flannel >= 0.18): the JSON gRPC gateway, POST /v3/kv/range with base64 key + range_end
//   v2 (older flannel):   GET /v2/keys<prefix>?recursive=true
// v3 is asked first; when it holds nothing under the prefix, v2 is asked (keys written with one API are
// invisible to the other, reference §3.2).
import { readFileSync } from 'node:fs';
import { EnvironmentError, UsageError } from '../errors.js';
import type { DesiredState } from '../model/lease.js';
import { type EtcdKv, leasesFromEtcd, normalizePrefix } from './etcd-keys.js';

export interface EtcdOptions {
  endpoints: string;
  prefix?: string;
  cafile?: string;
  certfile?: string;
  keyfile?: string;
  timeoutMs?: number;
  /** the whole request, connect to last byte (a server trickling bytes never trips the idle timeout) */
  deadlineMs?: number;
}

// flannel's keys for 5,000 nodes are ~2 MB; anything near this is not an etcd answer we want in memory
export const MAX_BODY = 64 * 1024 * 1024;
const DEADLINE_MS = 20_000;

interface Tls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

interface HttpReply {
  status: number;
  body: string;
}

export async function loadEtcd(opts: EtcdOptions): Promise<DesiredState> {
  const prefix = normalizePrefix(opts.prefix ?? '/coreos.com/network');
  const endpoints = parseEndpoints(opts.endpoints);
  const tls = readTls(opts);
  const errors: string[] = [];
  for (const endpoint of endpoints) {
    try {
      const v3 = await rangeV3(endpoint, prefix, tls, opts);
      if (v3 && v3.length) return leasesFromEtcd(prefix, v3, 'etcd-v3');
      const v2 = await getV2(endpoint, prefix, tls, opts);
      if (v2 && v2.length) return leasesFromEtcd(prefix, v2, 'etcd-v2');
      throw new UsageError(`etcd ${endpoint.origin} has no keys under ${prefix} (v3 or v2 API)`, 'check --etcd-prefix, e.g. /coreos.com/network or /kube-centos/network');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      errors.push(`${endpoint.origin}: ${(e as Error).message}`);
    }
  }
  throw new EnvironmentError(`cannot read etcd: ${errors.join('; ')}`);
}

/** `http://a:2379,https://b:2379` -> URLs; a bare host:port means http. */
export function parseEndpoints(text: string): URL[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new UsageError('--etcd needs at least one endpoint, e.g. http://127.0.0.1:2379');
  return list.map((item) => {
    let url: URL;
    try {
      url = new URL(/^[a-z]+:\/\//i.test(item) ? item : `http://${item}`);
    } catch {
      throw new UsageError(`not an etcd endpoint: ${JSON.stringify(item)}`, 'expected e.g. http://127.0.0.1:2379');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`etcd endpoint must be http(s): ${item}`);
    return url;
  });
}

function readTls(opts: EtcdOptions): Tls {
  const read = (flag: string, file?: string): Buffer | undefined => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw new UsageError(`cannot read ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  return { ca: read('--etcd-cafile', opts.cafile), cert: read('--etcd-certfile', opts.certfile), key: read('--etcd-keyfile', opts.keyfile) };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** range_end for a prefix: the prefix with its last byte incremented (etcdctl get --prefix). */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  bytes[bytes.length - 1] += 1;
  return bytes.toString('base64');
}

async function rangeV3(endpoint: URL, prefix: string, tls: Tls, limits: Limits): Promise<EtcdKv[] | undefined> {
  const body = JSON.stringify({ key: b64(`${prefix}/`), range_end: prefixEnd(`${prefix}/`) });
  const reply = await request(new URL('/v3/kv/range', endpoint), 'POST', tls, body, limits);
  // an etcd without the v3 gateway (2.x) answers 404
  if (reply.status === 404) return undefined;
  if (reply.status !== 200) throw new Error(`v3 range: HTTP ${reply.status} ${reply.body.slice(0, 120)}`);
  return v3Kvs(json(reply.body, 'v3 range'));
}

/** A v3 gateway range response (`{"kvs":[{"key":"<base64>","value":"<base64>"}]}`) -> key/values. */
export function v3Kvs(doc: { kvs?: { key: string; value?: string }[] }): EtcdKv[] {
  return (doc.kvs ?? []).map((kv) => ({ key: unb64(kv.key), value: kv.value ? unb64(kv.value) : '' }));
}

interface V2Node {
  key?: string;
  value?: string;
  dir?: boolean;
  nodes?: V2Node[];
}

async function getV2(endpoint: URL, prefix: string, tls: Tls, limits: Limits): Promise<EtcdKv[] | undefined> {
  const path = prefix.split('/').map(encodeURIComponent).join('/');
  const reply = await request(new URL(`/v2/keys${path}?recursive=true`, endpoint), 'GET', tls, undefined, limits);
  if (reply.status === 404) return undefined;
  if (reply.status !== 200) throw new Error(`v2 keys: HTTP ${reply.status} ${reply.body.slice(0, 120)}`);
  return v2Kvs(json(reply.body, 'v2 keys'));
}

/** A v2 recursive GET response (`{"node":{"dir":true,"nodes":[…]}}`) -> every leaf key/value. */
export function v2Kvs(doc: { node?: V2Node }): EtcdKv[] {
  const out: EtcdKv[] = [];
  const walk = (node: V2Node | undefined): void => {
    if (!node) return;
    if (!node.dir && node.key !== undefined && node.value !== undefined) out.push({ key: node.key, value: node.value });
    for (const child of node.nodes ?? []) walk(child);
  };
  walk(doc.node);
  return out;
}

type Limits = Pick<EtcdOptions, 'timeoutMs' | 'deadlineMs'>;

function json<T>(body: string, what: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new Error(`${what}: the answer is not JSON`);
  }
}

/** One HTTP request with an idle timeout, an overall deadline and a body cap; every failure rejects with one line. */
async function request(url: URL, method: string, tls: Tls, body: string | undefined, limits: Limits): Promise<HttpReply> {
  const timeoutMs = limits.timeoutMs ?? 5000;
  const deadlineMs = limits.deadlineMs ?? DEADLINE_MS;
  // imported here, not at load: node:https (with tls and http) is ≈ 5 ms CPU of every command's start-up otherwise
  const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      { method, headers: body ? { 'content-type': 'application/json' } : {}, timeout: timeoutMs, ...(url.protocol === 'https:' ? tls : {}) },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > MAX_BODY) return req.destroy(new Error(`answer of ${declared} bytes is over the ${MAX_BODY / 1024 / 1024} MiB limit`));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(new Error(`answer is over the ${MAX_BODY / 1024 / 1024} MiB limit`));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`no complete answer within ${deadlineMs / 1000} s`)), deadlineMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}
