// Issue 16 item 9: the etcd client had an idle timeout but no overall deadline and no size cap: a server
// trickling a byte every so often hung doctor forever (and repair --apply held its lock), a 1 GiB body crashed
// with a stack trace, a chunked 3 GB body grew RSS to 3.1 GB. Now each ends in one EnvironmentError line (exit 3).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEntry, ROOT } from '../collect/cli.js';
import { EnvironmentError } from '../../src/errors.js';
import { loadEtcd, MAX_BODY } from '../../src/leases/etcd.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? (server.closeAllConnections(), server.close(() => r())) : r())));

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(p: Promise<unknown>): Promise<EnvironmentError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(EnvironmentError);
  expect((e as EnvironmentError).exitCode).toBe(3);
  expect((e as Error).message.split('\n')).toHaveLength(1);
  return e as EnvironmentError;
}

describe('etcd: deadline and size cap', () => {
  it('a server trickling one byte at a time (never idle long enough for the idle timeout) hits the deadline', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      const t = setInterval(() => res.write('{'), 50);
      res.on('close', () => clearInterval(t));
    });
    const e = await failure(loadEtcd({ endpoints: url, timeoutMs: 500, deadlineMs: 1000 }));
    expect(e.message).toMatch(/no complete answer within 1 s/);
  });

  it('a declared 1 GiB body is refused before it is read', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(1024 ** 3) });
      res.write('{');
    });
    expect((await failure(loadEtcd({ endpoints: url }))).message).toMatch(/over the 64 MiB limit/);
  });

  it('a chunked body without a length stops at the cap', async () => {
    let sent = 0;
    const url = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const pump = (): void => {
        while (sent < 4 * MAX_BODY && res.write(chunk)) sent += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    expect((await failure(loadEtcd({ endpoints: url }))).message).toMatch(/over the 64 MiB limit/);
    expect(sent).toBeLessThan(4 * MAX_BODY);
  });

  // the reproduction, through the CLI: `doctor --etcd` against a server declaring a 1 GiB body crashed with a
  // Node stack trace and exit 1. Async: the server answers from this process.
  it('doctor --etcd on a 1 GiB answer: one line, exit 3, no stack trace', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(1024 ** 3) });
      res.write('{');
    });
    const [node, ...cli] = cliEntry();
    const r = await execa(node, [...cli, 'doctor', '--snapshot', join(ROOT, 'fixtures/doctor/vxlan-node1.snapshot.json'), '--etcd', url], { reject: false, timeout: 60_000 });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/over the 64 MiB limit/);
  });
});
