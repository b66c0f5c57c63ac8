// A pasted ticket split into command outputs: at shell prompts (`[root@host ~]# cmd`, `root@host:~# cmd`,
// `host$ cmd`, `$ cmd`, `# cmd`), at markdown fences, and around prose. Each block keeps the command line that
// printed it (which tells the parser and the filter: detect.ts), the host its prompt named, and its line numbers
// in the paste. Pure: text in, blocks out.
import { splitRows } from './common.js';
import { recogniseCommand } from './detect.js';

export interface Block {
  /** the host the prompt named; undefined when the paste did not say */
  host?: string;
  /** the pod whose shell printed it (`kubectl exec POD -- …`, a `bash-5.1#` shell after `kubectl exec -it POD`) */
  pod?: string;
  /** the command line after the prompt */
  command?: string;
  /** the command stood on its own line without a prompt (a blog post's habit): no output may mean none was pasted */
  bare?: true;
  /** 1-based line of the prompt (or of the first output line when there is no prompt) */
  line: number;
  /** the output with the paste's line numbers: line `first + i` of the paste is `rows[i]` */
  first: number;
  rows: string[];
  /** lines dropped from the output: `...` trims */
  trimmed: number[];
}

export interface Transcript {
  blocks: Block[];
  /** lines that belong to no command: prose around the outputs */
  prose: number[];
}

// programs a bare `# cmd` / `host$ cmd` prompt must start with to count as a prompt (iptables-save comments start with `# ` too)
const PROGRAMS = new Set([
  'ip', 'route', 'arp', 'bridge', 'brctl', 'ifconfig', 'netstat', 'iptables', 'iptables-save', 'iptables-nft-save', 'iptables-legacy-save', 'ip6tables',
  'ip6tables-save', 'iptables-nft', 'iptables-legacy', 'cat', 'kubectl', 'ethtool', 'sysctl', 'hostname', 'uname', 'docker', 'crictl', 'grep', 'ls',
  'ping', 'tcpdump', 'sudo', 'nsenter', 'systemctl', 'journalctl', 'etcdctl', 'k3s', 'ss', 'curl', 'echo', 'modprobe', 'lsmod', 'nft', 'conntrack',
  'less', 'more', 'head', 'tail', 'traceroute', 'dig', 'nslookup', 'wget', 'ps', 'cd', 'export', 'tee', 'watch', 'sh', 'bash', 'exit', 'vi', 'vim',
]);

// [user@host dir]# cmd, [user@host dir]$ cmd; a virtualenv/conda prefix `(.venv) ` before either form
const BRACKET = /^\s*(?:\([\w.-]+\)\s+)?\[([\w.-]+)@([\w.-]+)(?:\s+[^\]]*)?\]\s?[#$]\s?(.*)$/;
// user@host:dir# cmd, user@host:~$ cmd, user@host ~ # cmd
const USER_AT = /^\s*(?:\([\w.-]+\)\s+)?([\w.-]+)@([\w.-]+)(?::\S*|\s+\S+)?\s?[#$]\s?(.*)$/;
// host$ cmd, host# cmd, bash-5.1# cmd, / # cmd (busybox)
const HOST_ONLY = /^\s*([\w.-]+|\/[\w/.-]*)\s?[#$]\s+(\S.*)$/;
// $ cmd, # cmd, > cmd (PowerShell-less markdown habit)
const BARE = /^\s*[#$]\s+(\S.*)$/;
// a two-line prompt (`┌──[root@vms100]-[~/ansible]` then `└─$ cmd`): the first line names the host. ┌ └ ─ … are
// written as escapes: the single binary stores its bundles one byte a character (scripts/sea.sh)
const FANCY_TOP = /^\s*\u250c\u2500\u2500\[([\w.-]+)@([\w.-]+)\](?:-\[[^\]]*\])?\s*$/;
const FANCY_CMD = /^\s*\u2514\u2500+\s?[#$]\s?(.*)$/;
// ansible-console (`root@all (6)[f:5]# cmd`): the hosts answer in sections `192.168.26.105 | CHANGED | rc=0 >>`
const ANSIBLE = /^\s*[\w.-]+@[\w.-]+ \(\d+\)\[f:\d+\]#\s?(.*)$/;
const ANSIBLE_HOST = /^([\w.:-]+) \| (CHANGED|SUCCESS|FAILED!?|UNREACHABLE!?) \| rc=\d+ >>\s*$/;
const FENCE = /^\s*(```|~~~)/;
const TRIM = /^\s*(\.\.\.|\u2026|\[\.\.\.\]|<snip>|<\.\.\.>)\s*$/;
// prose: CJK text, or a sentence: 5+ words, 3+ of them plain words, ending in punctuation (outputs end in values)
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
function isSentence(text: string): boolean {
  // the ending first: a 400 kB line of `ip -j` output is not split into words to learn it is no sentence
  if (!/[.:?!]$/.test(text.trim())) return false;
  const words = text.trim().split(/\s+/);
  return words.length >= 5 && words.filter((w) => /^[A-Za-z][a-z]{2,}[,.:;?!]?$/.test(w)).length >= 3;
}

/** A shell's own name as a prompt (`bash-5.1`, `sh-4.2`, `/`): inside a pod or container, not a node. */
const isShellPrompt = (host: string): boolean => /^(ba|z|k|da|a)?sh(-[\d.]+)?$/.test(host) || host.startsWith('/');
/** A Deployment's pod name (`backend-6b7b58986c-jdnhn`) as a container's hostname. */
export const isPodName = (host: string): boolean => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?-[a-z0-9]{8,10}-[a-z0-9]{5}$/.test(host);

interface Prompt {
  host?: string;
  command: string;
  bare?: true;
  /** an ansible-console prompt: the hosts answer in sections after it */
  ansible?: true;
}

/** The program a command line starts with, without its directory (the first word only: a line may be 400 kB of JSON). */
function firstWord(cmd: string): string {
  const word = /^\S*/.exec(cmd.trimStart())![0];
  return word.slice(word.lastIndexOf('/') + 1);
}

/** The prompt on a line, if it is one: the host it names and the command after it. */
export function promptOf(text: string): Prompt | undefined {
  let m = ANSIBLE.exec(text);
  if (m) return { command: m[1].trim(), ansible: true };
  m = BRACKET.exec(text);
  if (m) return { host: m[2], command: m[3].trim() };
  m = USER_AT.exec(text);
  if (m && (m[3].trim() === '' || PROGRAMS.has(firstWord(m[3])))) return { host: m[2], command: m[3].trim() };
  m = HOST_ONLY.exec(text);
  if (m && PROGRAMS.has(firstWord(m[2]))) return { host: m[1], command: m[2].trim() };
  m = BARE.exec(text);
  if (m && PROGRAMS.has(firstWord(m[1])) && !/^#\s*(Generated|Completed|Warning)/.test(text.trim())) return { command: m[1].trim() };
  return undefined;
}

/** A line that is nothing but a command flanctl reads (`arp -e | grep 10.27.13.0`), as posts show them without a prompt. */
// words a command line flanctl reads may hold; any other plain word (`arp table on other nodes`) makes it prose
const COMMAND_WORDS = new Set(['show', 'list', 'link', 'addr', 'address', 'route', 'neigh', 'neighbour', 'neighbor', 'table', 'main', 'type', 'bridge', 'veth', 'vxlan', 'master', 'grep', 'egrep', 'exec', 'netns', 'ruleset', 'sudo', 'docker', 'kubectl', 'node', 'nodes', 'yaml', 'json', 'flannel', 'nat', 'filter', 'ipip', 'self', 'permanent', 'ether', 'head', 'tail']);

function bareCommand(text: string): Prompt | undefined {
  const t = text.trim();
  if (!PROGRAMS.has(firstWord(t)) || CJK.test(t) || /[`:.,]$|`/.test(t)) return undefined;
  if (t.split(/\s+/).slice(1).some((w) => /^[a-z]{4,}$/.test(w) && !COMMAND_WORDS.has(w) && !PROGRAMS.has(w))) return undefined;
  const r = recogniseCommand(t);
  return r?.kind === undefined ? undefined : { command: t, bare: true };
}

// a markdown heading (`## Current Behavior`; iptables-save comments have one `#`), a mail trailer (`Signed-off-by: A <a@b>`)
const isProse = (text: string): boolean => CJK.test(text) || isSentence(text) || /^\s*#{2,6}\s+\S/.test(text) || /<[^@\s<>]+@[^@\s<>]+>/.test(text);

/** The pod a `kubectl exec [-it] POD [-c C] -- cmd` enters. */
function execPod(command: string): string | undefined {
  const m = /^(?:sudo\s+)?kubectl\s+(?:-n\s+\S+\s+)?exec\s+(.*)$/.exec(command);
  if (!m) return undefined;
  const words = m[1].split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '--') break;
    if (w === '-c' || w === '-n' || w === '--namespace' || w === '--container') i++;
    else if (!w.startsWith('-')) return w.replace(/^pod\//, '');
  }
  return undefined;
}

/** An output the paste wrapped in markdown emphasis (`_Kernel IP routing table` … `cni0_`): the underscores are not output. */
function unwrapEmphasis(rows: string[]): void {
  const first = rows.findIndex((r) => r.trim() !== '');
  if (first >= 0 && /^\s*_[A-Za-z]/.test(rows[first])) rows[first] = rows[first].replace('_', '');
  const last = rows.length - 1;
  if (last >= 0 && /[\w.]_\s*$/.test(rows[last])) rows[last] = rows[last].replace(/_(\s*)$/, '$1');
}

/** Split a paste into command outputs. Text with no prompt and no fence is one block. */
export function splitTranscript(text: string): Transcript {
  const rows = splitRows(text);
  const blocks: Block[] = [];
  const prose: number[] = [];
  let cur: Block | undefined;
  let ansiblePrompt = false;
  let inFence = false;
  const fenced = rows.some((r) => FENCE.test(r));
  let host: string | undefined;
  // the pod a `kubectl exec -it POD -- bash` entered: later shell prompts (`bash-5.1#`) are inside it
  let shellPod: string | undefined;
  const close = (): void => {
    if (cur) {
      // drop trailing blank rows so the block's line count is its output
      while (cur.rows.length > 0 && cur.rows[cur.rows.length - 1].trim() === '') cur.rows.pop();
      unwrapEmphasis(cur.rows);
      // an empty prompt (`[root@node ~]# ` at the end of a paste) is no command; an ansible prompt's output is in its sections
      const printed = cur.rows.some((r) => r.trim() !== '');
      if (printed || (cur.command && !ansiblePrompt)) blocks.push(cur);
    }
    cur = undefined;
  };
  const open = (line: number, prompt?: Prompt): Block => {
    close();
    ansiblePrompt = prompt?.ansible === true;
    // a container's prompt right after `docker exec` on a node: the container runs on that node
    const inContainer = /\b(docker|crictl|nerdctl|podman)\s*exec\b/.test(blocks[blocks.length - 1]?.command ?? '');
    let blockHost = prompt?.host ?? (prompt === undefined ? host : undefined);
    let pod: string | undefined;
    if (prompt?.host !== undefined && isShellPrompt(prompt.host)) {
      pod = shellPod;
      blockHost = host;
    } else if (prompt?.host !== undefined && isPodName(prompt.host)) {
      pod = prompt.host;
      blockHost = inContainer ? host : undefined;
    } else if (prompt?.host !== undefined) host = prompt.host;
    else blockHost = prompt?.ansible ? undefined : host;
    const inner = prompt ? execPod(prompt.command) : undefined;
    if (inner !== undefined) {
      const dashes = prompt!.command.indexOf(' -- ');
      const innerCmd = dashes < 0 ? '' : prompt!.command.slice(dashes + 4).trim();
      if (innerCmd === '' || /^(ba|z|a)?sh$/.test(innerCmd)) shellPod = inner;
      else pod = inner;
    }
    cur = { ...(blockHost ? { host: blockHost } : {}), ...(pod ? { pod } : {}), ...(prompt ? { command: prompt.command } : {}), ...(prompt?.bare ? { bare: true as const } : {}), line, first: line + (prompt ? 1 : 0), rows: [], trimmed: [] };
    return cur;
  };
  // `┌──[user@host]-[dir]`: the host of the `└─$ cmd` line under it
  let fancyHost: string | undefined;
  // `ssh [user@]TARGET` then a prompt naming HOST: TARGET and HOST are one machine, named HOST
  let sshTarget: string | undefined;
  const aliases = new Map<string, string>();
  rows.forEach((raw, i) => {
    const no = i + 1;
    if (FENCE.test(raw)) {
      inFence = !inFence;
      close();
      return;
    }
    const top = FANCY_TOP.exec(raw);
    if (top) {
      close();
      fancyHost = top[2];
      if (sshTarget !== undefined && sshTarget !== host && fancyHost !== host) aliases.set(sshTarget, fancyHost);
      sshTarget = undefined;
      return;
    }
    const fancy = FANCY_CMD.exec(raw);
    if (fancy && fancyHost !== undefined) {
      const command = fancy[1].trim();
      open(no, { host: fancyHost, command });
      sshTarget = /^ssh\s+(?:-\S+\s+)*(?:[\w.-]+@)?([\w.-]+)\s*$/.exec(command)?.[1];
      return;
    }
    // an ansible host's section: the same command's output on that host
    const section = ANSIBLE_HOST.exec(raw);
    if (section && cur?.command !== undefined) {
      const command = cur.command;
      open(no, { host: section[1], command });
      cur!.first = no + 1;
      return;
    }
    // a blog post often shows the command on its own line, without a prompt
    const prompt = promptOf(raw) ?? bareCommand(raw);
    if (prompt) {
      open(no, prompt);
      return;
    }
    if (!inFence && cur === undefined && raw.trim() === '') return;
    // in a paste that fences its outputs, what stands outside a fence and after no prompt is prose
    if (!inFence && (isProse(raw) || (fenced && cur === undefined))) {
      close();
      prose.push(no);
      return;
    }
    const block = cur ?? open(no);
    // keep the paste's numbering: a row's index in the block is its distance from `first`
    while (block.first + block.rows.length < no) block.rows.push('');
    if (TRIM.test(raw)) {
      block.trimmed.push(no);
      block.rows.push('');
    } else block.rows.push(raw);
  });
  close();
  // the machine an ssh reached is named by the prompt it answered with
  if (aliases.size) for (const b of blocks) if (b.host !== undefined && aliases.has(b.host)) b.host = aliases.get(b.host);
  return { blocks, prose };
}

/** A block's output as text, blank where the paste had prose or trims, so parser line numbers are block-relative. */
export const blockText = (b: Block): string => b.rows.join('\n');
