// `iptables [-t TABLE] -S` / `--list-rules` (also ip6tables, -nft, -legacy): one table's chains and rules
//   -P FORWARD DROP                     -> built-in chain, its policy
//   -N FLANNEL-FWD                      -> user chain (policy `-`, as iptables-save prints it)
//   -A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
// The table is not in the output: it comes from the command line (`-t nat`), default filter. The result is the
// same IptablesRuleset model as iptables-save's, so every check reads both alike.
import { IptablesRuleset } from '../model/iptables.js';
import { fail, lines, validate } from './common.js';
import { rule } from './iptables-save.js';

const CMD = 'iptables -S';
const TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);

export function parseIptablesS(text: string, table = 'filter'): IptablesRuleset {
  if (!TABLES.has(table)) fail(CMD, `unknown table ${JSON.stringify(table)}`);
  const chains: { name: string; policy: string }[] = [];
  const rules: Record<string, unknown>[] = [];
  for (const line of lines(text)) {
    const s = line.text.trim();
    const policy = /^-P (\S+) (\S+)$/.exec(s);
    const user = /^-N (\S+)$/.exec(s);
    if (policy) chains.push({ name: policy[1], policy: policy[2] });
    else if (user) chains.push({ name: user[1], policy: '-' });
    else if (/^-[AI]\s/.test(s)) rules.push(rule(s, line));
    else fail(CMD, 'expected -P CHAIN POLICY, -N CHAIN or -A rule', line);
  }
  return validate(CMD, IptablesRuleset, { tables: [{ name: table, chains, rules }] });
}
