// The one yes/no question flanctl asks: before repair --apply changes anything, on a terminal, unless --yes.

export type Confirm = (plan: string, question: string) => Promise<boolean>;

/** Show the plan on stderr and ask on the terminal; anything but y/yes is no. */
export async function confirmOnTerminal(plan: string, question: string): Promise<boolean> {
  // imported on use: only repair --apply asks
  const { createInterface } = await import('node:readline/promises');
  process.stderr.write(`${plan}\n\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
