import Table from 'cli-table3';

/** A plain table that pastes cleanly into a ticket: no colours, ASCII-safe borders. */
export function renderTable(head: string[], rows: (string | number | boolean | undefined)[][]): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(row.map((c) => (c === undefined ? '' : String(c))));
  return table.toString();
}
