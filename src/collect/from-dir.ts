// Node state from what a user pasted (README "Sources"): a directory of saved outputs under any file names,
// one transcript file, or `-` for stdin. Every file is split into command outputs at shell prompts and fences
// (parse/transcript.ts), each recognised by its command line, content or conventional name (parse/detect.ts)
// and parsed leniently. Different hostnames in the prompts give one node each. Nothing is skipped silently:
// every block is reported (`show sources`) with what it was read as, or why not.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { FlanctlError, UsageError } from '../errors.js';
import type { CommandResult, DesiredState, PodNetns } from '../model/index.js';
import { FILE_NAMES, recognise, recogniseName, type Recognised, type SourceKind, type Unrecognised } from '../parse/detect.js';
import { isIfname } from '../model/net.js';
import { blockText, splitTranscript } from '../parse/transcript.js';
import { MAX_INPUT, readInputFile } from './input.js';
import { redactWgDump } from '../parse/wg-dump.js';
import { buildSnapshot } from './assemble.js';
import { type Collected, emptyCollected } from './commands.js';
import type { Collection } from './live.js';
import { applyParsed, applyPod, PASTE_FOR, parseKind, STEP_OF, stepOf, type StepState } from './sources.js';

/** One command output found in the input, and what became of it. */
export interface BlockReport {
  file: string;
  /** first and last line of the output in the file (the prompt line when there is one) */
  line: number;
  lastLine: number;
  command?: string;
  node?: string;
  pod?: string;
  kind?: SourceKind;
  by?: Recognised['by'];
  dev?: string;
  filter?: string;
  /** output lines read */
  parsed: number;
  skipped: { line: number; reason: string }[];
  /** false: not read (unrecognised, superseded, or nothing flanctl reads); `reason` says why */
  used: boolean;
  reason?: string;
}

export interface SourcesLoad {
  nodes: Collection[];
  blocks: BlockReport[];
  /** desired state pasted with the outputs (`kubectl get nodes -o yaml`, nodes.json, annotation lines) */
  desired?: DesiredState;
  /** per node: the outputs a full trace needs that were not given (or only filtered) */
  missing: Record<string, string[]>;
}

interface Input {
  path: string;
  name: string;
  text: string;
  /** pods/<pod>/ files: the pod they belong to */
  pod?: string;
}

const readText = (path: string): Promise<string> => readInputFile(path, 'paste');

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT) throw new UsageError(`stdin: more than ${MAX_INPUT / 1024 / 1024} MiB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// synchronous directory reads, as collect/input.ts reads files: no thread-pool round trip per entry
function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    throw new UsageError(`cannot read directory ${dir}: ${(error as NodeJS.ErrnoException).code}`);
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The files of a directory (and of its pods/<pod>/ directories); other entries are reported, not read. */
async function dirInputs(dir: string, blocks: BlockReport[]): Promise<Input[]> {
  const out: Input[] = [];
  for (const name of list(dir)) {
    const path = join(dir, name);
    const info = statOf(path);
    if (info?.isDirectory() && name === 'pods') {
      for (const pod of list(path)) {
        const podDir = join(path, pod);
        if (!statSync(podDir).isDirectory()) continue;
        // `ns_name` directory names: Kubernetes names hold no '_', so the first one separates namespace and pod
        for (const f of list(podDir)) out.push({ path: join(podDir, f), name: f, text: await readText(join(podDir, f)), pod: pod.replace('_', '/') });
      }
    } else if (info?.isFile() && /^readme/i.test(name)) blocks.push({ file: path, line: 0, lastLine: 0, parsed: 0, skipped: [], used: false, reason: 'notes (README files are not read)' });
    else if (info?.isFile()) out.push({ path, name, text: await readText(path) });
    else blocks.push({ file: path, line: 0, lastLine: 0, parsed: 0, skipped: [], used: false, reason: info?.isDirectory() ? 'a directory (only pods/ is read)' : 'not a regular file' });
  }
  return out;
}

interface NodeAcc {
  c: Collected;
  steps: Map<string, StepState>;
  /** CommandResult per step: files read and whether every one was filtered */
  results: Map<string, CommandResult & { filters: string[]; full: boolean; warnings: number }>;
  raw: Map<string, string>;
  /** the raw keys each step's outputs were kept under */
  rawOf: Map<string, string[]>;
  /** the blocks each step's current table came from: a later full output supersedes them */
  readOf: Map<string, BlockReport[]>;
  pods: Map<string, PodNetns>;
}

const newNode = (): NodeAcc => ({ c: emptyCollected(), steps: new Map(), results: new Map(), raw: new Map(), rawOf: new Map(), readOf: new Map(), pods: new Map() });

// the first conventional name of each kind (detect.ts FILE_NAMES is the one list)
const NAME_OF = new Map<SourceKind, string>();
for (const [file, kind] of Object.entries(FILE_NAMES)) if (!NAME_OF.has(kind)) NAME_OF.set(kind, file);

/** The conventional file name of an output, for collect --raw-dir (`ip-neigh@flannel.1.txt` when narrowed). */
function rawName(r: Recognised, fileName: string, step: string): string {
  const perDevice: Partial<Record<SourceKind, string>> = { 'ethtool-stats': `ethtool-S-${r.dev}.txt`, 'ethtool-features': `ethtool-k-${r.dev}.txt` };
  const name = perDevice[r.kind] ?? (step === 'ip-route6' && r.kind === 'ip-route' ? 'ip-route6.txt' : undefined) ?? NAME_OF.get(r.kind) ?? fileName;
  const narrowedBy = r.kind === 'iptables-s' && r.table !== 'filter' ? r.table : r.filter === undefined ? undefined : (r.dev ?? r.filter);
  if (narrowedBy === undefined) return name;
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)}@${narrowedBy.replace(/[^\w.-]+/g, '_').slice(0, 40)}${ext}`;
}

// a command whose whole (unfiltered) output is never empty: its header, or lo. A prompt followed by nothing was
// not pasted (a blog lost it), it is not an empty table
const NEVER_EMPTY = new Set<SourceKind>(['route-n', 'route-n6', 'ifconfig', 'ip-addr', 'ip-link', 'brctl-show', 'hostname', 'kernel']);

export interface SourceReadOptions {
  /** --dev: the device of neigh/fdb lines that name none */
  dev?: string;
  /** --at LINE (one transcript): of a command pasted more than once for a node, the output last printed before LINE */
  at?: number;
}

/** Everything in PATH: a directory, a transcript file, or `-` for stdin. */
export async function loadSources(path: string, opts: SourceReadOptions = {}): Promise<SourcesLoad> {
  if (opts.dev !== undefined && !isIfname(opts.dev)) throw new UsageError(`--dev: not an interface name: ${JSON.stringify(opts.dev)}`);
  if (opts.at !== undefined && (!Number.isSafeInteger(opts.at) || opts.at < 1)) throw new UsageError(`--at: not a line number: ${opts.at}`);
  const blocks: BlockReport[] = [];
  let inputs: Input[];
  let mtime: string;
  let defaultNode: string;
  if (path === '-') {
    inputs = [{ path: '-', name: 'stdin', text: await readStdin() }];
    mtime = new Date().toISOString();
    defaultNode = 'stdin';
  } else {
    const info = statOf(path);
    if (!info) throw new UsageError(`no such file or directory: ${path}`);
    mtime = info.mtime.toISOString();
    if (info.isDirectory()) {
      if (opts.at !== undefined) throw new UsageError(`--at picks a line of one transcript; ${path} is a directory`);
      inputs = await dirInputs(path, blocks);
      defaultNode = basename(resolve(path));
    } else {
      inputs = [{ path, name: basename(path), text: await readText(path) }];
      defaultNode = basename(path, extname(path));
    }
  }

  const nodes = new Map<string, NodeAcc>();
  const nodeOf = (key: string): NodeAcc => nodes.get(key) ?? nodes.set(key, newNode()).get(key)!;
  const desiredTexts: { text: string; name?: string; report: BlockReport }[] = [];
  const podBlocks: { pod: string; host?: string; report: BlockReport; r: Recognised; parsed: ReturnType<typeof parseKind>['parsed']; text: string; file: string }[] = [];

  for (const input of inputs) {
    if (input.text.includes('\0')) {
      blocks.push({ file: input.path, line: 1, lastLine: 1, parsed: 0, skipped: [], used: false, reason: 'binary file' });
      continue;
    }
    const transcript = splitTranscript(input.text);
    // an empty file under a conventional name is the command's answer: it printed nothing (no rules, no entries)
    if (transcript.blocks.length === 0 && recogniseName(input.name)) transcript.blocks.push({ line: 1, first: 1, rows: [], trimmed: [] });
    for (const b of transcript.blocks) {
      const text = blockText(b);
      const lastLine = b.first + b.rows.length - 1;
      const report: BlockReport = { file: input.path, line: b.line, lastLine: Math.max(b.line, lastLine), parsed: 0, skipped: b.trimmed.map((line) => ({ line, reason: 'trimmed (`...`)' })), used: false };
      if (b.command !== undefined) report.command = b.command;
      const r = withDev(recognise(text, { command: b.command, file: b.command === undefined ? input.name : undefined }), opts.dev);
      if (r.kind === undefined) {
        report.reason = r.reason;
        blocks.push(report);
        continue;
      }
      Object.assign(report, { kind: r.kind, by: r.by }, r.dev ? { dev: r.dev } : {}, r.filter ? { filter: r.filter } : {});
      const nonBlank = b.rows.filter((row) => row.trim() !== '').length;
      // a prompt followed by nothing printed nothing (no rules, no entries): an answer; a bare command line or an
      // empty file without a conventional name is not
      const answeredEmpty = (b.command !== undefined && !b.bare) || (b.command === undefined && r.by === 'name');
      if (nonBlank === 0 && (!answeredEmpty || (NEVER_EMPTY.has(r.kind) && r.filter === undefined))) {
        report.reason = answeredEmpty ? 'no output pasted (the command always prints something)' : 'no output';
        blocks.push(report);
        continue;
      }
      if (r.kind === 'nodes') {
        Object.assign(report, { used: true, parsed: nonBlank, node: 'desired state' });
        desiredTexts.push({ text, name: b.command ? /\b(?:get|describe)\s+(?:no|nodes?)\s+([\w.-]+)/.exec(b.command)?.[1] : undefined, report });
        blocks.push(report);
        continue;
      }
      const pod = b.pod ?? input.pod;
      // a pod's bare `cat /sys/class/net/eth0/iflink` number is its eth0's
      const rr: Recognised = pod !== undefined && (r.kind === 'iflink' || r.kind === 'ethtool-stats') && r.dev === undefined ? { ...r, dev: 'eth0' } : r;
      let result: ReturnType<typeof parseKind>;
      try {
        result = parseKind(rr, text);
      } catch (error) {
        report.reason = error instanceof FlanctlError ? error.message : String(error);
        blocks.push(report);
        continue;
      }
      report.skipped.push(...result.warnings.map((w) => ({ line: w.line === undefined ? b.line : b.first + w.line - 1, reason: w.reason })));
      report.skipped.sort((x, y) => x.line - y.line);
      report.parsed = nonBlank - result.warnings.filter((w) => w.line !== undefined && w.text !== undefined).length;
      blocks.push(report);
      if (pod !== undefined) {
        podBlocks.push({ pod, host: b.host, report, r: rr, parsed: result.parsed, text: b.command === undefined ? text : `$ ${b.command}\n${text}`, file: input.name });
        continue;
      }
      const key = b.host ?? '';
      report.node = key;
      const acc = nodeOf(key);
      const step = stepOf(rr, result.parsed);
      const prev = acc.results.get(step);
      // --at: a later output of a command already read before LINE is the state after that moment
      if (opts.at !== undefined && b.line > opts.at && prev?.full) {
        report.reason = `after --at ${opts.at}: the output at ${(prev.file ?? '').replace(/^.*:/, 'line ')} is the one in effect`;
        continue;
      }
      const how = applyParsed(acc.c, acc.steps, rr, result.parsed);
      report.used = how !== false;
      if (!report.used) {
        report.reason = `${STEP_OF[rr.kind]} already read in its preferred form`;
        continue;
      }
      // a full output replaces the step's table: the blocks it came from are superseded, and say by which line
      if (how === 'replaced')
        for (const old of acc.readOf.get(step) ?? []) Object.assign(old, { used: false, reason: `superseded by line ${b.line} (a later \`${b.command ?? r.kind}\` of the same node)` });
      acc.readOf.set(step, [...(how === 'replaced' ? [] : (acc.readOf.get(step) ?? [])), report]);
      const where = input.path === '-' ? `-:${b.line}` : b.command !== undefined || transcript.blocks.length > 1 ? `${input.path}:${b.line}` : input.path;
      const res = prev ?? { name: step, file: where, ok: true, form: 'file', filters: [], full: false, warnings: 0 };
      res.file = where;
      if (rr.filter === undefined) res.full = true;
      else res.filters.push(rr.filter);
      res.warnings += result.warnings.length;
      acc.results.set(step, res);
      // the raw outputs --raw-dir writes back: a replaced output (arp after ip neigh was read) is not among them
      if (how === 'replaced') for (const k of acc.rawOf.get(step) ?? []) acc.raw.delete(k);
      const rawKey = inputs.length > 1 && b.command === undefined && transcript.blocks.length === 1 ? input.name : rawName(rr, input.name, step);
      // a pasted wg dump may hold the private key: never written back
      const kept = rr.kind === 'wg-dump' ? redactWgDump(text) : text;
      acc.raw.set(rawKey, b.command === undefined ? kept : `$ ${b.command}\n${kept}`);
      acc.rawOf.set(step, [...(how === 'replaced' ? [] : (acc.rawOf.get(step) ?? [])), rawKey]);
    }
  }

  // blocks without a host belong to the one named host, if there is only one; else to a node named after the input
  const named = [...nodes.keys()].filter((k) => k !== '');
  if (nodes.has('') && named.length === 1) {
    const unnamed = nodes.get('')!;
    const target = nodes.get(named[0])!;
    nodes.delete('');
    nodes.set(named[0], mergeInto(unnamed, target));
  }
  if (nodes.size === 0 && podBlocks.length > 0) nodeOf('');
  // a pod's node: its prompt's host when that is a node, else the node whose pod subnet holds its address
  const podHome = new Map<string, string>();
  for (const pb of podBlocks) {
    const home = pb.host !== undefined && nodes.has(pb.host) ? pb.host : podNode(nodes, pb);
    if (home !== undefined && !podHome.has(pb.pod)) podHome.set(pb.pod, home);
  }
  for (const pb of podBlocks) {
    const key = podHome.get(pb.pod) ?? [...nodes.keys()][0];
    const acc = nodes.get(key)!;
    const pod = acc.pods.get(pb.pod) ?? { pod: pb.pod, ifname: 'eth0' };
    acc.pods.set(pb.pod, pod);
    pb.report.node = key;
    pb.report.pod = pb.pod;
    pb.report.used = applyPod(pod, pb.r, pb.parsed);
    if (!pb.report.used) pb.report.reason = `${pb.r.kind} inside a pod is not read`;
    else acc.raw.set(`pods/${pb.pod.replace('/', '_')}/${rawName(pb.r, pb.file, STEP_OF[pb.r.kind])}`, pb.text);
  }

  const desired = desiredTexts.length > 0 ? await desiredFrom(desiredTexts) : undefined;
  if (nodes.size === 0 && !desiredTexts.some((t) => t.report.used)) {
    const what = path === '-' ? 'stdin' : path;
    const why = blocks.find((b) => b.reason)?.reason;
    throw new UsageError(`${what} holds no output flanctl reads`, why ? `first block: ${why}` : 'paste e.g. `ip route`, `ip neigh`, `bridge fdb show`, `route -n`, `arp -n` (see README "Sources")');
  }

  const out: Collection[] = [];
  const missing: Record<string, string[]> = {};
  for (const [key, acc] of nodes) {
    const c = acc.c;
    c.pods = [...acc.pods.values()];
    c.commands = [...acc.results.values()].map(({ filters, full, warnings, ...res }) => ({
      ...res,
      ...(!full && filters.length > 0 ? { filter: filters.join('; ') } : {}),
      ...(warnings > 0 ? { warnings } : {}),
    }));
    const host = key === '' ? undefined : key;
    if (host !== undefined) c.host ??= host;
    const snapshot = buildSnapshot(c, { kind: 'dir', name: path }, mtime, host ?? defaultNode);
    for (const b of blocks) if (b.node === key) b.node = snapshot.host;
    missing[snapshot.host] = Object.keys(PASTE_FOR)
      .filter((step) => !acc.results.get(step)?.full)
      .map((step) => (acc.results.has(step) ? `${step} (only filtered: ${acc.results.get(step)!.filters.join('; ')}) — paste \`${PASTE_FOR[step]}\`` : `${step} — paste \`${PASTE_FOR[step]}\``));
    out.push({ snapshot, raw: acc.raw });
  }
  return { nodes: out, blocks, desired, missing };
}

/** --dev names the device of neigh/fdb output that neither its lines, its command line nor its file name name. */
function withDev(r: Recognised | Unrecognised, dev: string | undefined): Recognised | Unrecognised {
  if (dev === undefined || r.kind === undefined || r.dev !== undefined || (r.kind !== 'ip-neigh' && r.kind !== 'bridge-fdb')) return r;
  return { ...r, dev, filter: r.filter ?? `dev ${dev}` };
}

/** The node whose pod subnet (its bridge's connected route) holds the pod's address. */
function podNode(nodes: Map<string, NodeAcc>, pb: { pod: string; parsed: ReturnType<typeof parseKind>['parsed'] }): string | undefined {
  const ip = pb.parsed.slot === 'addr' ? pb.parsed.value.addresses.find((a) => a.family === 'inet' && a.dev !== 'lo')?.local : undefined;
  if (ip === undefined) return undefined;
  const prefix = ip.split('.').slice(0, 3).join('.') + '.';
  for (const [key, acc] of nodes) {
    if ((acc.c.addresses ?? []).some((a) => a.family === 'inet' && a.local.startsWith(prefix) && a.dev !== 'flannel.1')) return key;
    if ((acc.c.routes ?? []).some((r) => r.gateway === undefined && r.dst.startsWith(prefix) && /^(cni0|docker0|cbr0)$/.test(r.dev ?? ''))) return key;
  }
  return undefined;
}

/** Unnamed blocks (no prompt) into the one named node: the named node's outputs come later, so they win. */
function mergeInto(from: NodeAcc, into: NodeAcc): NodeAcc {
  for (const [k, v] of Object.entries(from.c)) {
    const target = into.c as unknown as Record<string, unknown>;
    if (target[k] === undefined || (Array.isArray(target[k]) && (target[k] as unknown[]).length === 0)) target[k] = v;
  }
  for (const [k, v] of from.results) if (!into.results.has(k)) into.results.set(k, v);
  for (const [k, v] of from.steps) if (!into.steps.has(k)) into.steps.set(k, v);
  for (const [k, v] of from.raw) if (!into.raw.has(k)) into.raw.set(k, v);
  for (const [k, v] of from.rawOf) if (!into.rawOf.has(k)) into.rawOf.set(k, v);
  for (const [k, v] of from.readOf) if (!into.readOf.has(k)) into.readOf.set(k, v);
  for (const [k, v] of from.pods) if (!into.pods.has(k)) into.pods.set(k, v);
  return into;
}

/** The desired state of every pasted Node text; one that does not parse costs that block (reported), not the paste. */
async function desiredFrom(texts: { text: string; name?: string; report: BlockReport }[]): Promise<DesiredState> {
  const { parseNodesText } = await import('../leases/nodes-text.js');
  const states: DesiredState[] = [];
  for (const t of texts) {
    try {
      states.push(await parseNodesText(t.text, 'paste', t.name));
    } catch (error) {
      if (!(error instanceof FlanctlError)) throw error;
      Object.assign(t.report, { used: false, parsed: 0, reason: error.message });
    }
  }
  const partial = states.flatMap((s) => s.partial ?? []);
  const incomplete = states.find((s) => s.incomplete)?.incomplete;
  return {
    leases: states.flatMap((s) => s.leases),
    netConf: states.find((s) => s.netConf)?.netConf,
    problems: states.flatMap((s) => s.problems),
    ...(incomplete ? { incomplete } : {}),
    ...(partial.length ? { partial } : {}),
  };
}

/** One node from PATH (a directory, a transcript file or `-`); a paste naming several hosts is a usage error here. */
export async function loadFromDir(path: string, opts: SourceReadOptions & { onSources?: (load: SourcesLoad) => void } = {}): Promise<Collection> {
  const load = await loadSources(path, opts);
  opts.onSources?.(load);
  const { nodes } = load;
  if (nodes.length !== 1) throw new UsageError(`${path} holds ${nodes.length} nodes (${nodes.map((n) => n.snapshot.host).join(', ')})`, 'this command reads one node: give each its own file');
  return nodes[0];
}
