// The oclif side of the single executable: a bundle of its own (scripts/sea.sh SEA_ASSETS), which bin/binary.js
// compiles for help, completion and the command lines the fast path leaves to oclif. A node has no node_modules and no package.json beside the binary, so oclif gets
// the package data, the manifests and the command classes from the bundle: each plugin below answers from what
// was embedded at build time and nothing is read from disk.
import { dirname, join } from 'node:path';
import { Plugin } from '@oclif/core/config';
import { flush } from '@oclif/core/flush';
import { run } from '@oclif/core/run';
import { oclifCommand } from '../dist/cli/oclif.js';
import pjson from '../package.json' with { type: 'json' };
import manifest from '../oclif.manifest.json' with { type: 'json' };
import autocompletePjson from '../node_modules/@oclif/plugin-autocomplete/package.json' with { type: 'json' };
import autocompleteManifest from '../node_modules/@oclif/plugin-autocomplete/oclif.manifest.json' with { type: 'json' };
import helpPjson from '../node_modules/@oclif/plugin-help/package.json' with { type: 'json' };
import helpManifest from '../node_modules/@oclif/plugin-help/oclif.manifest.json' with { type: 'json' };

/** A plugin whose manifest and command classes come from the bundle (oclif's explicit strategy, target unused). */
class EmbeddedPlugin extends Plugin {
  constructor(root, pkg, embeddedManifest, loadCommand) {
    const oclif = { ...pkg.oclif, commands: { strategy: 'explicit', target: 'embedded', identifier: 'default' }, hooks: {} };
    // isRoot: take the root as given instead of searching the disk for the package (every plugin here is embedded)
    super({ isRoot: true, root, pjson: { ...pkg, oclif } });
    this.embeddedManifest = embeddedManifest;
    this.loadCommand = loadCommand;
  }

  async _manifest() {
    this.hasManifest = true;
    this.commandIDs = Object.keys(this.embeddedManifest.commands);
    // oclif's load() sorts the commands with localeCompare, whose first call builds ICU's collator: ≈ 10-20 ms of a
    // 70 ms start-up. It is handed no commands to sort; load() below lists them as oclif does, in code-unit order,
    // which is the same order for command ids (lower-case ASCII, '-' and ':'; checked by test/binary).
    return { ...this.embeddedManifest, commands: {} };
  }

  async load() {
    await super.load();
    this.manifest = this.embeddedManifest;
    this.commands = Object.entries(this.manifest.commands)
      .map(([id, c]) => ({ ...c, load: async () => this.findCommand(id, { must: true }), pluginAlias: this.alias, pluginType: c.pluginType === 'jit' ? 'jit' : this.type }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  // oclif's explicit strategy looks the id up in the map its loadCommandsFromTarget() returns (commandCache): the map
  // holds the commands asked for, each loaded when first asked
  async findCommand(id, opts = {}) {
    this.commandCache ??= {};
    if (Object.hasOwn(this.embeddedManifest.commands, id)) this.commandCache[id] ??= await this.loadCommand(id);
    return super.findCommand(id, opts);
  }
}

const autocompleteCommands = {
  autocomplete: () => import('../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js'),
  'autocomplete:create': () => import('../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/create.js'),
  'autocomplete:script': () => import('../node_modules/@oclif/plugin-autocomplete/lib/commands/autocomplete/script.js'),
};

/** oclif's run over the embedded plugins; loadCommand gives a command's spec. */
export async function runOclif(argv, loadCommand) {
  // oclif's index checks package.json's engines against the running node by reading the file next to it: the binary
  // has no such file, and carries its own node anyway
  process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
  // the plugins' command modules are imported only when a command runs (the bundler keeps these imports lazy)
  const root = dirname(process.execPath);
  const plugins = [
    new EmbeddedPlugin(root, pjson, manifest, async (id) => oclifCommand(await loadCommand(id))),
    // plugin-help has one command, help
    new EmbeddedPlugin(join(root, helpPjson.name), helpPjson, helpManifest, async () => (await import('../node_modules/@oclif/plugin-help/lib/commands/help.js')).default),
    new EmbeddedPlugin(join(root, autocompletePjson.name), autocompletePjson, autocompleteManifest, async (id) => (await autocompleteCommands[id]()).default),
  ];
  await Promise.all(plugins.map((p) => p.load()));
  await run(argv, { root, pjson, plugins: new Map(plugins.map((p) => [p.name, p])) });
  await flush();
}
