import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The machine edges (DESIGN.md): only these files run programs or open sockets. Everything else reaches the
// machine through them, so a review of what flanctl can do to a node reads these files and nothing else.
//   collect/runner.ts     runs the read-only commands (local, --netns)
//   cluster/transport.ts  runs ssh/kubectl for cluster mode; it owns ssh.ts and kube.ts, which build the argv
//                         and call its runProgram; its kubectl() is the one kubectl wrapper (also for --kube
//                         leases: leases/index.ts loads it on demand)
//   repair/apply.ts       runs the repair plan and its undo
//   leases/etcd.ts        the one HTTP client (etcd v2/v3)
//   probe/runner.ts       probe: tcpdump on each hop and the sender in the pod's netns, stopped on error/Ctrl-C
//   probe/sender.ts       probe: the UDP/TCP probe packets (run inside the pod's netns by `probe-send`)
const EXEC_EDGES = ['src/collect/runner.ts', 'src/cluster/transport.ts', 'src/repair/apply.ts', 'src/probe/runner.ts'];
const HTTP_EDGES = ['src/leases/etcd.ts', 'src/probe/sender.ts'];

const exec = ['execa', 'child_process', 'node:child_process'];
const net = ['http', 'https', 'net', 'node:http', 'node:https', 'node:net'];
const files = ['fs', 'fs/promises', 'node:fs', 'node:fs/promises'];
const WHY = new Map([
  ...exec.map((m) => [m, `runs programs: only ${EXEC_EDGES.join(', ')} may (DESIGN.md)`]),
  ...net.map((m) => [m, `opens sockets: only ${HTTP_EDGES.join(', ')} may (DESIGN.md)`]),
  ...files.map((m) => [m, 'parse/, analyze/, render/ and repair/plan are pure: files are read by collect/ and the services (DESIGN.md)']),
]);
// the edges themselves, reached only through the modules that own them
const EDGE_MODULES = ['collect/runner.js', 'cluster/transport.js'];
const EDGE_WHY = 'an edge module: the runner is reached through collect/, the transport through cluster/ (and leases/index.ts for --kube); declare a new edge in eslint.config.js';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** no-restricted-imports for static imports, no-restricted-syntax for `await import()` (which the former does not see). */
function restrict(modules, edges = []) {
  const patterns = edges.length ? [{ group: edges.map((m) => `**/${m}`), message: EDGE_WHY }] : [];
  const dynamic = [
    ...modules.map((m) => ({ selector: `ImportExpression[source.value='${m}']`, message: `import('${m}') ${WHY.get(m)}` })),
    ...edges.map((m) => ({ selector: `ImportExpression[source.value=/${escape(m)}$/]`, message: EDGE_WHY })),
  ];
  return {
    'no-restricted-imports': ['error', { paths: modules.map((name) => ({ name, message: WHY.get(name) })), patterns }],
    'no-restricted-syntax': ['error', ...dynamic],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'fixtures/**', 'bench/out/**', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: [...EXEC_EDGES, ...HTTP_EDGES],
    rules: restrict([...exec, ...net]),
  },
  // an edge is one kind of edge: a program runner opens no socket, a socket client runs no program
  { files: EXEC_EDGES, rules: restrict(net) },
  { files: HTTP_EDGES, rules: restrict(exec) },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/collect/**', 'src/cluster/**', 'src/leases/index.ts', ...EXEC_EDGES, ...HTTP_EDGES],
    rules: restrict([...exec, ...net], EDGE_MODULES),
  },
  {
    files: ['src/leases/index.ts'],
    rules: restrict([...exec, ...net], ['collect/runner.js']),
  },
  {
    files: ['src/parse/**/*.ts', 'src/analyze/**/*.ts', 'src/render/**/*.ts', 'src/repair/plan.ts', 'src/repair/verify.ts'],
    rules: restrict([...exec, ...net, ...files], EDGE_MODULES),
  },
);
