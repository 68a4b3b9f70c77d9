#!/usr/bin/env node
// nodelocaldns: node-cache's command line. Parses the Go-style flags, starts the node agent and
// maps signals to a clean stop. The only file in the project that calls process.exit.

import { readFileSync } from 'node:fs';
import { parseFlags, UsageError } from './cli/flags.ts';
import { FLAG_SPECS } from './cli/node-cache-flags.ts';
import { toCliAction } from './cli/options.ts';
import { usageText } from './cli/usage.ts';
import { NodeAgent } from './node/agent.ts';
import { createLogger } from './util/log.ts';

/** Exit code for bad flags, as Go's flag package uses. */
const EXIT_USAGE = 2;
/** Bound on the whole shutdown; a stuck drain must not keep the rules' owner alive forever. */
const STOP_TIMEOUT_MS = 25_000;

function version(): string {
  try {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    const v = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function main(argv: readonly string[]): Promise<void> {
  let action: ReturnType<typeof toCliAction>;
  try {
    action = toCliAction(parseFlags(argv, FLAG_SPECS));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${usageText(FLAG_SPECS)}`);
    process.exit(EXIT_USAGE);
  }
  switch (action.kind) {
    case 'help':
      process.stdout.write(usageText(FLAG_SPECS));
      process.exit(0);
      break;
    case 'version':
      process.stdout.write(`nodelocaldns-${version()}\nnode-${process.version}\n`);
      process.exit(0);
      break;
    case 'plugins': {
      const { PLUGINS } = await import('./plugins/registry.ts');
      process.stdout.write(
        `Server types:\n  dns\n\nCaddyfile loaders:\n  flag\n\nOther plugins:\n${[...PLUGINS.keys()]
          .sort()
          .map((p) => `  dns.${p}\n`)
          .join('')}`,
      );
      process.exit(0);
      break;
    }
    case 'run':
      break;
  }
  const logSettings = { ...action.logging, timestamps: true };
  const log = createLogger({ settings: logSettings });
  log.info(`starting nodelocaldns ${version()} (node-cache compatible agent)`);
  const agent = new NodeAgent(action.options, { log, logSettings });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warning(`${signal} again: exiting now`);
      process.exit(1);
    }
    log.info(
      `${signal}: shutting down${action.options.skipTeardown ? ' (-skipteardown: rules and interface stay)' : ''}`,
    );
    const timer = setTimeout(() => {
      log.error(`shutdown took longer than ${STOP_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    agent.stop().then(
      () => {
        clearTimeout(timer);
        process.exit(0);
      },
      (e: unknown) => {
        log.error(`shutdown: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // SIGHUP is ignored, as caddy does. SIGUSR1 reloads, as in CoreDNS (and it must be handled:
  // Node's default for SIGUSR1 is to open the inspector).
  process.on('SIGHUP', () => log.info('SIGHUP ignored'));
  process.on('SIGUSR1', () => void agent.reloadNow());
  await agent.start();
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(
    `nodelocaldns: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
