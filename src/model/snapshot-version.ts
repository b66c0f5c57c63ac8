// The snapshot format's version alone: collect/assemble.ts stamps it on every snapshot it builds, and importing
// it from snapshot.ts would build the Snapshot schema in every command that reads pasted outputs.
export const SNAPSHOT_SCHEMA_VERSION = 1;
