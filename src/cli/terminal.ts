// How wide human output may be, and whether verdicts are coloured: the terminal's own width; when stdout is not
// a terminal, COLUMNS if set, else 100 columns. Colour only on a terminal, never with NO_COLOR (no-color.org).
import type { View } from '../render/layout.js';

const DEFAULT_WIDTH = 100;

export function terminalView(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): View {
  const columns = Number.parseInt(env.COLUMNS ?? '', 10);
  const width = stream.isTTY && stream.columns ? stream.columns : columns > 0 ? columns : DEFAULT_WIDTH;
  return { width, colour: stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb' };
}
