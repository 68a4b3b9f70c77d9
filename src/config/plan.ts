// From the parsed Corefile to a validated plan: each block's zones, port, listen addresses and
// its directives parsed into typed configs, in chain order. Pure: no sockets are opened here,
// so a bad Corefile fails before anything of the running config is touched.

import type { BlockInfo, PluginDefinition } from '../chain/definition.ts';
import { CorefileError } from '../corefile/errors.ts';
import { parseServerKey } from '../corefile/keys.ts';
import {
  type Corefile,
  type Directive,
  DirectiveReader,
  type ServerBlock,
} from '../corefile/model.ts';

export interface PlannedPlugin {
  readonly definition: PluginDefinition<unknown>;
  readonly config: unknown;
  readonly lines: readonly Directive[];
}

export interface PlannedBlock {
  readonly zones: readonly string[];
  readonly port: number;
  /** Listen addresses; [''] means every address. */
  readonly listen: readonly string[];
  /** Plugins in chain order (repeatable plugins without `merge` appear once per line). */
  readonly plugins: readonly PlannedPlugin[];
  readonly source: ServerBlock;
}

export interface PlanOptions {
  /** Port for keys without one (`-dns.port`). */
  readonly defaultPort: number;
}

/** `plugins` is the registry: every known directive by name, iterated in chain order. */
export function planCorefile(
  corefile: Corefile,
  plugins: ReadonlyMap<string, PluginDefinition<unknown>>,
  options: PlanOptions,
): PlannedBlock[] {
  const blocks = corefile.blocks.map((block) => planBlock(block, plugins, options));
  checkOverlaps(blocks);
  return blocks;
}

function planBlock(
  block: ServerBlock,
  plugins: ReadonlyMap<string, PluginDefinition<unknown>>,
  options: PlanOptions,
): PlannedBlock {
  const zones: string[] = [];
  let port: number | undefined;
  for (const key of block.keys) {
    const parsed = parseServerKey(key, options.defaultPort);
    if (port !== undefined && parsed.port !== port) {
      throw new CorefileError(
        'ERR_COREFILE_VALUE',
        `server block keys use different ports (${port} and ${parsed.port})`,
        key,
      );
    }
    port = parsed.port;
    zones.push(...parsed.zones);
  }
  const info: BlockInfo = { zones, port: port ?? options.defaultPort };
  const byName = new Map<string, Directive[]>();
  for (const line of block.directives) {
    const definition = plugins.get(line.name);
    if (definition === undefined) {
      const known = [...plugins.keys()].join(', ');
      throw new CorefileError(
        'ERR_COREFILE_UNKNOWN_DIRECTIVE',
        `unknown directive '${line.name}' (supported: ${known})`,
        line,
      );
    }
    const lines = byName.get(line.name) ?? [];
    if (lines.length > 0 && definition.repeatable !== true) {
      throw new CorefileError(
        'ERR_COREFILE_DUPLICATE',
        'this plugin can only be used once per server block',
        { ...line, directive: line.name },
      );
    }
    lines.push(line);
    byName.set(line.name, lines);
  }
  const planned: PlannedPlugin[] = [];
  let listen: string[] = [''];
  // `plugins` iterates in chain order (src/plugins/registry.ts), whatever the line order.
  for (const [name, definition] of plugins) {
    const lines = byName.get(name);
    if (lines === undefined) continue;
    const configs = lines.map((line) => definition.parse(new DirectiveReader(line), info));
    const listenOf = definition.listenAddresses;
    if (listenOf !== undefined) listen = [...new Set(configs.flatMap((c) => listenOf(c)))];
    if (definition.merge !== undefined) {
      planned.push({ definition, config: definition.merge(configs), lines });
    } else {
      for (const [i, config] of configs.entries()) {
        planned.push({ definition, config, lines: [lines[i] as Directive] });
      }
    }
  }
  return { zones, port: info.port, listen, plugins: planned, source: block };
}

/** Two blocks may not serve the same zone on the same address and port. */
function checkOverlaps(blocks: readonly PlannedBlock[]): void {
  const seen = new Map<string, PlannedBlock>();
  for (const block of blocks) {
    for (const address of block.listen) {
      for (const zone of block.zones) {
        const key = `${zone}|${address}|${block.port}`;
        const other = seen.get(key);
        if (other !== undefined && other !== block) {
          throw new CorefileError(
            'ERR_COREFILE_DUPLICATE',
            `zone '${zone}' is defined twice for ${address === '' ? '*' : address}:${block.port} (also at ${other.source.file}:${other.source.line})`,
            block.source,
          );
        }
        seen.set(key, block);
      }
    }
  }
}
