import type { PluginDefinition } from '../../chain/definition.ts';
import type { ExpositionWriter } from '../../metrics/exposition.ts';
import { corefileHash } from './hash.ts';
import { ReloadPoller } from './poller.ts';
import { parseReload, type ReloadConfig } from './setup.ts';

interface ReloadState {
  readonly poller: ReloadPoller;
  /** Hash of the running config, set by every config with a reload line when it goes live. */
  runningHash: string | undefined;
  /** SHA-512 of the config a detected change brought in (coredns_reload_version_info). */
  version: string | undefined;
  stopping: boolean;
  /** Only the primary thread polls; a worker thread gets its Corefile from it. */
  readonly primary: boolean;
}

/**
 * One Corefile poller per App, armed by the config now running (its first reload line's
 * settings win, as in CoreDNS) and disarmed when a config without `reload` replaces it.
 */
export const reload: PluginDefinition<ReloadConfig, ReloadState> = {
  name: 'reload',
  init(app) {
    const state: ReloadState = {
      poller: new ReloadPoller(
        {
          read: () => app.readCorefile(),
          reload: () => app.reload(),
          runningHash: () => state.runningHash,
          changed: (hash) => {
            state.version = hash;
          },
        },
        app.log,
      ),
      runningHash: undefined,
      version: undefined,
      stopping: false,
      primary: app.primary,
    };
    app.addCollector({ collect: (w) => collectVersion(w, state.version) });
    app.onClose(() => state.poller.stop());
    return state;
  },
  parse: (d) => parseReload(d),
  setup(config, ctx) {
    const state = ctx.state;
    ctx.config.shared(() => {
      ctx.onStartup(() => {
        if (state.stopping || !state.primary) return;
        state.runningHash = corefileHash(ctx.config.sources);
        ctx.log.info(`Running configuration SHA512 = ${state.runningHash}`);
        state.poller.arm(config);
      });
      ctx.onReplaced(() => state.poller.stop());
      ctx.onFinalShutdown(() => {
        state.stopping = true;
        state.poller.stop();
      });
      return config;
    });
    return undefined;
  },
};

function collectVersion(w: ExpositionWriter, version: string | undefined): void {
  w.family(
    'coredns_reload_version_info',
    "A metric with a constant '1' value labeled by hash, and value which type of hash generated.",
    'gauge',
    'max',
  );
  if (version !== undefined)
    w.sample(
      'coredns_reload_version_info',
      [
        ['hash', 'sha512'],
        ['value', version],
      ],
      1,
    );
}
