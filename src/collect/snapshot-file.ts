// Snapshot JSON files (`flanctl collect -o FILE`), validated against the zod model on the way in.
import { UsageError } from '../errors.js';
import { safeParseBounded } from '../model/fast-parse.js';
import { Snapshot } from '../model/snapshot.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../model/snapshot-version.js';
import { printable } from '../model/text.js';
import { MAX_JSON_DEPTH, readInputFile } from './input.js';
import { writeOutputFile } from './output.js';

/** Check parsed JSON is a snapshot this flanctl reads; `where` names it in the one-line error. */
export function parseSnapshotJson(text: string, where: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`${where}: not JSON (expected a snapshot written by \`flanctl collect -o FILE\`)`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('schemaVersion' in data)) {
    throw new UsageError(`${where}: not a flanctl snapshot (no schemaVersion; write one with \`flanctl collect -o FILE\`)`);
  }
  const version = (data as { schemaVersion: unknown }).schemaVersion;
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new UsageError(`${where}: snapshot schema version ${JSON.stringify(version)}, this flanctl reads version ${SNAPSHOT_SCHEMA_VERSION}`, 'collect it again with this flanctl');
  }
  // JSON.parse does not recurse; what nests deeper than the model (a loose object's other keys) is measured here
  const { result: parsed, tooDeep } = safeParseBounded(Snapshot, data, MAX_JSON_DEPTH);
  if (tooDeep) throw new UsageError(`${where}: JSON nested deeper than ${MAX_JSON_DEPTH} levels is not a flanctl snapshot`);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map(String).join('.') || '(top level)';
    throw new UsageError(`${where}: not a valid flanctl snapshot: ${path}: ${issue.message}`);
  }
  // the file is someone else's text: its host name is shown on the terminal
  return { ...parsed.data, host: printable(parsed.data.host) };
}

export async function readSnapshotFile(path: string): Promise<Snapshot> {
  return parseSnapshotJson(await readInputFile(path, 'snapshot'), path);
}

export const snapshotJson = (snapshot: Snapshot): string => JSON.stringify(snapshot, null, 2) + '\n';

/** Write then rename (collect/output.ts): a full disk keeps the old snapshot, a symlink there is replaced. */
export async function writeSnapshotFile(path: string, snapshot: Snapshot): Promise<void> {
  await writeOutputFile(path, snapshotJson(snapshot));
}
