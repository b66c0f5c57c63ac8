// The framing of a collection script's outputs, shared by the cluster's remote script (cluster/remote-script.ts)
// and the local launcher (launcher.ts): a POSIX sh function `step NAME ARGV…` prints, on its stdout,
//   \n@@flanctl-NONCE begin NAME\n  <the command's stdout, byte for byte>  \n@@flanctl-NONCE end NAME RC FIRST-STDERR-LINE\n
// The nonce is random per run: a program cannot print a marker of this run unless it reads our argv. Pure but for
// newNonce.

export const MARK = '@@flanctl';

/** A run's nonce. Web Crypto's global, not node:crypto: importing that at load costs every command's start-up ≈ 2 ms. */
export const newNonce = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');

/**
 * sh function definitions (dash: no `local`, fd numbers 0-9). `step` needs fd 3 open on the stream the markers go to
 * (`exec 3>&1`): the command's stdout goes there, its stderr is captured apart and only its first line reported.
 */
export const SHELL_FUNCTIONS = [
  // a newline, to cut stderr to its first line in the shell itself: `| head -n 1` cost two processes per step
  "nl='",
  "'",
  'step() { f="$1"; shift; printf "\\n%s begin %s\\n" "@@flanctl-$m" "$f"; e=$( { "$@"; } 2>&1 >&3 ); rc=$?; e=${e%%"$nl"*}; printf "\\n%s end %s %s %s\\n" "@@flanctl-$m" "$f" "$rc" "$e"; return $rc; }',
  // one line of a file, as `hostname` / `uname -r` print it; fails (the program runs instead) when it cannot be read
  'rd() { v=; IFS= read -r v < "$1" || [ -n "$v" ] || return 1; printf "%s\\n" "$v"; }',
  // `sysctl -e KEY…`: `KEY = VALUE` per line of /proc/sys/K/E/Y, a key without a file skipped. Exact for one-character
  // values only, as the 0/1 switches collect reads are: an integer file answers only a read at offset 0 and dash's
  // `read` takes one byte at a time (`4096 131072 …` comes back as `4`, and nothing tells it was cut)
  'sysctls() { for k; do p=/proc/sys; r=$k; while :; do case $r in *.*) p=$p/${r%%.*}; r=${r#*.};; *) p=$p/$r; break;; esac; done; [ -e "$p" ] || continue; while IFS= read -r v || [ -n "$v" ]; do printf "%s = %s\\n" "$k" "$v"; done < "$p" || return 1; done; }',
];

// argv elements are constants from the step lists; quoted anyway so a script never depends on their spelling
export const shQuote = (s: string): string => (/^[A-Za-z0-9_./=-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

export interface Section {
  name: string;
  /** the command's stdout exactly as it printed it (the newline the framing adds before the end marker removed) */
  text: string;
  exitCode?: number;
  /** the first line of its stderr ('' when none) */
  stderr: string;
}

/**
 * Splits a framed stream into sections as it arrives: push() the stream's text in pieces of any size, in order;
 * each returns the sections its piece completed. Text outside a section is ignored (a hostile node's noise).
 */
export class SectionReader {
  private readonly begin: string;
  private readonly end: string;
  private partial = '';
  private current: { name: string; lines: string[] } | undefined;

  constructor(nonce: string) {
    this.begin = `${MARK}-${nonce} begin `;
    this.end = `${MARK}-${nonce} end `;
  }

  push(text: string): Section[] {
    const out: Section[] = [];
    const lines = (this.partial + text).split('\n');
    // the last piece has no newline yet: a marker is only known once its line is complete
    this.partial = lines.pop()!;
    for (const line of lines) this.line(line, out);
    return out;
  }

  /** The section that began and has not ended (its program is still running), with what it printed so far: its complete lines, then the rest. */
  unfinished(): { name: string; text: string } | undefined {
    return this.current && { name: this.current.name, text: this.current.lines.map((l) => `${l}\n`).join('') + this.partial };
  }

  private line(line: string, out: Section[]): void {
    if (line.startsWith(this.begin)) {
      this.current = { name: line.slice(this.begin.length), lines: [] };
    } else if (line.startsWith(this.end) && this.current) {
      const m = /^(\S+) (\d+) ?(.*)$/.exec(line.slice(this.end.length));
      // the lines between the markers joined back: the output, plus the newline step() printed before the end marker,
      // which the split already took as this line's start
      out.push({ name: this.current.name, text: this.current.lines.join('\n'), ...(m ? { exitCode: Number(m[2]) } : {}), stderr: m?.[3] ?? '' });
      this.current = undefined;
    } else if (this.current) {
      this.current.lines.push(line);
    }
  }
}

/** Every section of a whole framed stream. Pure. */
export const splitSections = (stream: string, nonce: string): Section[] => new SectionReader(nonce).push(stream);
