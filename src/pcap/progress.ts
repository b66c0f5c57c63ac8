// A progress bar on stderr for large inputs, only when stderr is a terminal. Redrawn at most 5 times a second.

export type Progress = ((bytes: number, packets: number) => void) & { done(): void };

export function progressBar(totalBytes: number | undefined, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY || (totalBytes !== undefined && totalBytes < 32 * 1024 * 1024)) return undefined;
  let last = 0;
  let drawn = false;
  const draw = (bytes: number, packets: number): void => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    drawn = true;
    const count = packets >= 1e6 ? `${(packets / 1e6).toFixed(1)}M` : packets >= 1e3 ? `${(packets / 1e3).toFixed(0)}k` : String(packets);
    if (totalBytes) {
      const frac = Math.min(1, bytes / totalBytes);
      const width = 30;
      const fill = Math.round(frac * width);
      stream.write(`\rdecode [${'#'.repeat(fill)}${' '.repeat(width - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${count} packets`);
    } else stream.write(`\rdecode ${(bytes / 1048576).toFixed(0)} MiB ${count} packets`);
  };
  return Object.assign(draw, {
    done(): void {
      if (drawn) stream.write('\r\x1b[K');
    },
  });
}
