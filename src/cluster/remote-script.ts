// The one script a remote node runs (over ssh or kubectl exec): the raw collection commands, each
// output between markers, in one connection. The node has no flanctl; parsing happens locally on the
// outputs, saved under their --from-dir names. The script is a constant; its only argument is a marker
// nonce we generate (hex). It is fed on stdin to `sh -s -- NONCE`, so nothing is ever quoted for a shell.
import { HOSTNAME_STEP, STEPS, type Step, WG_STEP } from '../collect/commands.js';
import { SHELL_FUNCTIONS, shQuote, splitSections as framedSections } from '../collect/frame.js';
import { printable } from '../model/text.js';

/** Outputs that are files, not programs, on a node; read with cat, saved under their --from-dir names. */
const FILE_STEPS: Step[] = [
  { name: 'subnet-env', attempts: [{ argv: ['cat', '/run/flannel/subnet.env'], form: 'text', file: 'subnet.env', apply: () => undefined }] },
  { name: 'cni-conflist', attempts: [{ argv: ['cat', '/etc/cni/net.d/10-flannel.conflist'], form: 'text', file: '10-flannel.conflist', apply: () => undefined }] },
  { name: 'ethtool-k', attempts: [{ argv: ['ethtool', '-k', 'flannel.1'], form: 'text', file: 'ethtool-k-flannel.1.txt', apply: () => undefined }] },
];

/** The collect step list (src/collect/commands.ts), each step's attempts in order, plus the file reads. */
export const REMOTE_STEPS: Step[] = [HOSTNAME_STEP, ...STEPS, ...FILE_STEPS];

/**
 * Steps run only when the node has the device they read, as live collect runs them: `wg show all dump` when a
 * wireguard link exists (flannel-wg, flannel-wg-v6). Its output holds the private and preshared keys: redacted here, on arrival.
 */
const WG_ATTEMPT = WG_STEP.attempts[0];
const CONDITIONAL_LINES = [`if [ -n "$(ip link show type wireguard 2>/dev/null)" ]; then step ${WG_ATTEMPT.file} ${WG_ATTEMPT.argv!.join(' ')}; fi`];

/** from-dir file name -> the step's name (CommandResult.name, as a local collect records it) */
export const STEP_OF_FILE = new Map([...REMOTE_STEPS, WG_STEP].flatMap((step) => step.attempts.map((a) => [a.file, step.name] as const)));
const REDACT_OF_FILE = new Map(WG_STEP.attempts.filter((a) => a.redact).map((a) => [a.file, a.redact!] as const));

// Outputs the shell reads from /proc itself, as live collect does on a node: what `hostname`, `uname -r` and
// `sysctl -e KEY…` print, without a process each (three of the ≈ 17 a node starts for one collect). The program
// stays the next attempt: a /proc that cannot be read runs it.
const SYSCTL_STEP = STEPS.find((s) => s.name === 'sysctl')!;
const KERNEL_STEP = STEPS.find((s) => s.name === 'kernel')!;
const FROM_PROC = new Map<Step, string>([
  [HOSTNAME_STEP, 'rd /proc/sys/kernel/hostname'],
  [KERNEL_STEP, 'rd /proc/sys/kernel/osrelease'],
  // the keys are the program's own arguments (`sysctl -e KEY…`)
  [SYSCTL_STEP, `sysctls ${SYSCTL_STEP.attempts[0].argv!.slice(2).join(' ')}`],
]);

/**
 * POSIX sh: for each step print `@@flanctl-NONCE begin FILE`, the command's stdout, then
 * `@@flanctl-NONCE end FILE RC first-stderr-line` (collect/frame.ts, the framing the local launcher uses too).
 * stderr is captured apart so it never pollutes the output.
 */
export const REMOTE_SCRIPT = [
  'm="$1"',
  'PATH="$PATH:/usr/sbin:/sbin"',
  'exec 3>&1',
  ...SHELL_FUNCTIONS,
  // attempts chained with ||: the first that works is the step's output (json before text before fallback)
  ...REMOTE_STEPS.map((step) =>
    [...(FROM_PROC.has(step) ? [`step ${step.attempts[0].file} ${FROM_PROC.get(step)}`] : []), ...step.attempts.filter((a) => a.argv).map((a) => `step ${a.file} ${a.argv!.map(shQuote).join(' ')}`)].join(' || '),
  ),
  ...CONDITIONAL_LINES,
  // a step that failed is reported in its end marker, not as the script's exit status
  'exit 0',
  '',
].join('\n');

export interface StepOutput {
  file: string;
  ok: boolean;
  /** stdout of the command */
  text: string;
  exitCode?: number;
  error?: string;
}

/**
 * Split the script's stdout back into one output per file: a later attempt that worked replaces one that failed.
 * The node prints the file names (and knows the nonce), so a section is kept only when its name is one of the
 * step files above: a hostile node's `../../x` never becomes a path. Pure.
 */
export function splitRemoteOutput(stdout: string, nonce: string): StepOutput[] {
  const byFile = new Map<string, StepOutput>();
  for (const s of splitSections(stdout, nonce)) {
    if (!STEP_OF_FILE.has(s.file)) continue;
    const redact = REDACT_OF_FILE.get(s.file);
    if (redact && s.text !== '') s.text = redact(s.text);
    if (s.ok || !byFile.get(s.file)?.ok) byFile.set(s.file, s);
  }
  return [...byFile.values()];
}

// a hostile node may print any number of sections under names of any length: the report stays a few lines
const FOREIGN_LISTED = 20;
const FOREIGN_NAME_CHARS = 80;

/** `name` escaped (printable), cut to FOREIGN_NAME_CHARS characters at an escape's boundary, `…` when cut. Pure. */
function shortName(name: string): string {
  let out = '';
  for (const ch of name) {
    const shown = printable(ch);
    if (out.length + shown.length > FOREIGN_NAME_CHARS) return `${out}…`;
    out += shown;
  }
  return out;
}

/**
 * The sections that are no step file (a hostile or broken node's): reported, never saved. The first
 * FOREIGN_LISTED distinct names, shortened, and how many more distinct names there were. Pure.
 */
export function foreignSections(stdout: string, nonce: string): { names: string[]; more: number } {
  const all = new Set(splitSections(stdout, nonce).map((s) => s.file).filter((file) => !STEP_OF_FILE.has(file)));
  const names = [...all].slice(0, FOREIGN_LISTED).map(shortName);
  return { names, more: all.size - names.length };
}

/** The sections as files: the text ends in one newline (one is added when the command printed none). */
function splitSections(stdout: string, nonce: string): StepOutput[] {
  return framedSections(stdout, nonce).map((s) => {
    const text = s.text.replace(/\n$/, '');
    const ok = s.exitCode === 0;
    return { file: s.name, ok, text: text === '' ? '' : text + '\n', exitCode: s.exitCode, ...(!ok && s.stderr ? { error: s.stderr } : {}) };
  });
}
