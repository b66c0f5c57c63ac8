// What was read from a --from-dir: `show sources` (every file or transcript block, what it was read as, for which
// node, lines parsed and skipped, what a full trace still lacks) and the one-line warnings every command prints.
import type { BlockReport, SourcesLoad } from '../collect/from-dir.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

const where = (b: BlockReport): string => (b.line > 0 ? `${b.file}:${b.line}${b.lastLine > b.line ? `-${b.lastLine}` : ''}` : b.file);

function readAs(b: BlockReport): string {
  if (!b.kind) return 'not recognised';
  const narrowed = b.filter ? ` (filtered: ${b.filter})` : '';
  return `${b.kind}${narrowed} by ${b.by}`;
}

/** `flanctl show sources`: one row per block, then per node what is missing for a full trace. */
export function renderSources(load: SourcesLoad, view: View = {}): string {
  const rows = load.blocks.map((b) => [
    where(b),
    b.command ?? '',
    readAs(b),
    b.pod ? `${b.node ?? ''} pod ${b.pod}` : (b.node ?? ''),
    b.kind ? b.parsed : '',
    b.skipped.length || '',
    b.used ? b.skipped.map((s) => `line ${s.line}: ${s.reason}`).join('; ') : (b.reason ?? ''),
  ]);
  const out = [renderTable(['block', 'command', 'read as', 'node', 'lines', 'skipped', 'notes'], rows, view)];
  for (const [node, missing] of Object.entries(load.missing)) {
    out.push(missing.length === 0 ? `${node}: everything a trace reads was given` : `${node}: not given, so checks that need it are unverified:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  }
  if (load.desired) out.push(`desired state pasted: ${load.desired.leases.length} lease(s)${load.desired.leases.length === 0 ? ' (the lines given do not make a whole lease: podCIDR, public-ip or backend annotations missing)' : ''}`);
  return fitText(out.join('\n\n'), view.width);
}

/** Every --from-dir's blocks, one after the other. */
export function renderSourceLoads(loads: SourcesLoad[], view: View = {}): string {
  return loads.map((l) => renderSources(l, view)).join('\n\n');
}

/** The lines every command prints on stderr about a --from-dir: skipped lines and blocks not read. Empty when all was read. */
export function sourceWarnings(load: SourcesLoad): string[] {
  const out: string[] = [];
  for (const b of load.blocks) {
    for (const s of b.skipped) if (!s.reason.startsWith('trimmed')) out.push(`${b.file}:${s.line}: skipped: ${s.reason}`);
  }
  const notRead = load.blocks.filter((b) => !b.used && !b.reason?.startsWith('notes'));
  if (notRead.length > 0) out.push(`${notRead.length} block(s) not read (first: ${where(notRead[0])}: ${notRead[0].reason}); every block: flanctl show sources --from-dir ${notRead[0].file}`);
  const MAX = 8;
  return out.length > MAX ? [...out.slice(0, MAX - 1), `… ${out.length - MAX + 1} more: see \`flanctl show sources --from-dir …\``] : out;
}
