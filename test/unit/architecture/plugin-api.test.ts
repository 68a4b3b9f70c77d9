// The generic plugin API, driven with a plugin of the test's own (so no real plugin's behaviour
// hides a framework bug): init once per App, state shared by every config, config-wide shared
// objects, collectors and HTTP routes that only exist while their config is live, and the
// order of the lifecycle hooks across a reload, an aborted load and a final stop.

import assert from 'node:assert/strict';
import { get } from 'node:http';
import { it, type TestContext } from 'node:test';
import { Instance } from '../../../src/app/instance.ts';
import { RetainedObjects } from '../../../src/app/retained.ts';
import type { PluginDefinition } from '../../../src/chain/definition.ts';
import { planCorefile } from '../../../src/config/plan.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';
import { parseHttpAddress } from '../../../src/http/address.ts';
import { AppServices, type StagedServices } from '../../../src/lifecycle/services.ts';
import { ready } from '../../../src/plugins/ready/index.ts';
import type { Readiness } from '../../../src/plugins/ready/readiness.ts';
import { reload } from '../../../src/plugins/reload/index.ts';
import type { ReloadPoller } from '../../../src/plugins/reload/poller.ts';
import { memoryLogger } from '../../../src/util/log.ts';

interface ProbeState {
  readonly events: string[];
  inits: number;
}

const HTTP = parseHttpAddress('127.0.0.1:0');
if (typeof HTTP === 'string') throw new Error(HTTP);

/** `probe TAG`: records what the framework calls, tagged by the line's argument. */
const probe: PluginDefinition<string, ProbeState> = {
  name: 'probe',
  repeatable: true,
  init(app) {
    const state: ProbeState = { events: [], inits: 0 };
    state.inits++;
    app.onClose(() => {
      state.events.push('close');
    });
    return state;
  },
  parse: (d) => d.expectArgs(1)[0] ?? '',
  setup(tag, ctx) {
    const events = ctx.state.events;
    const config = tag.slice(0, 1);
    ctx.config.shared(() => {
      events.push(`shared ${config}`);
      ctx.onStartup(() => {
        events.push(`startup ${config}`);
      });
      ctx.onReplaced(() => events.push(`replaced ${config}`));
      ctx.onFinalShutdown(() => {
        events.push(`final ${config}`);
      });
      ctx.addCollector({
        collect: (w) => w.family(`probe_${config}`, `config ${config}`, 'gauge'),
      });
      ctx.addHttpHandler(HTTP, '/probe', (_req, res) => res.end(config));
      return true;
    });
    ctx.onShutdown(() => {
      events.push(`shutdown ${tag}`);
    });
    return undefined;
  },
};

function fetchText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${port}/probe`, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

type AnyDefinition = PluginDefinition<unknown, unknown>;
type Loaded = { instance: Instance; staged: StagedServices };

/** An AppServices over `plugins` with App.load's steps, and no DNS listener. */
function harness(t: TestContext, plugins: readonly AnyDefinition[]) {
  const log = memoryLogger();
  const services = new AppServices(
    plugins,
    {
      serving: Promise.resolve(),
      selfCheck: async () => true,
      reload: async () => {},
      readCorefile: async () => ({ text: '', file: 'Corefile' }),
      servers: () => [],
      setupErrors: () => ({}),
      interception: () => undefined,
      boundPort: () => undefined,
    },
    log,
  );
  // Also on a failed assertion: the HTTP listener and the process collector's timer would
  // keep the test process alive.
  t.after(() => services.close());
  const retained = new RetainedObjects();
  const registry = new Map(plugins.map((d) => [d.name, d]));
  const load = (text: string): Loaded => {
    const blocks = planCorefile(parseCorefile(text, 'Corefile'), registry, { defaultPort: 53 });
    const staged = services.stage();
    return { instance: new Instance(blocks, log, retained, staged), staged };
  };
  const goLive = async (l: Loaded): Promise<void> => {
    await l.staged.prepare();
    services.commit(l.staged, l.instance.blocks, l.instance.handlerNames);
    await l.instance.start();
  };
  return { services, load, goLive };
}

it('runs init once, scopes collectors and routes to the live config, and orders the hooks', async (t) => {
  const { services, load, goLive } = harness(t, [probe as AnyDefinition]);
  const a = load('.:53 {\n probe a1\n probe a2\n}\n');
  await goLive(a);
  const state = a.staged.stateOf('probe') as ProbeState;
  const seen = state.events;
  assert.deepEqual(seen, ['shared a', 'startup a'], 'shared() creates once for both lines');
  assert.match(services.renderMetrics(), /probe_a/);
  const port = services.http.port(HTTP.key);
  assert.ok(port !== undefined && port > 0);
  assert.equal(await fetchText(port), 'a');

  // A load that fails before going live (as App.load does it): no startup, replaced or final
  // hook runs and its collector never renders; its shutdown hooks still close what setup made.
  const c = load('.:53 {\n probe c1\n}\n');
  await c.staged.abort();
  await c.instance.stop();
  assert.deepEqual(seen.slice(2), ['shared c', 'shutdown c1']);
  assert.doesNotMatch(services.renderMetrics(), /probe_c/);
  assert.equal(await fetchText(port), 'a', 'the live config keeps its routes');

  const b = load('.:53 {\n probe b1\n}\n');
  assert.equal(b.staged.stateOf('probe'), state, 'init state is shared by every config');
  await goLive(b);
  assert.deepEqual(seen.slice(4), ['shared b', 'replaced a', 'startup b']);
  assert.equal(await fetchText(port), 'b', 'the same listener, with the new config routes');
  await a.instance.stop();
  assert.deepEqual(seen.slice(7), ['shutdown a1', 'shutdown a2']);
  const text = services.renderMetrics();
  assert.doesNotMatch(text, /probe_a/, 'a retired config takes its collector along');
  assert.match(text, /probe_b/);

  await services.beginShutdown();
  await b.instance.stop();
  await services.close();
  assert.deepEqual(seen.slice(9), ['final b', 'shutdown b1', 'close']);
  assert.equal(state.inits, 1, 'one init for the App');
});

it('disarms the reload poller and stops /ready when a config without them replaces one with them', async (t) => {
  const { services, load, goLive } = harness(t, [reload, ready] as AnyDefinition[]);
  const a = load('.:53 {\n reload 2s 1s\n ready 127.0.0.1:0\n}\n');
  await goLive(a);
  const poller = (a.staged.stateOf('reload') as { poller: ReloadPoller }).poller;
  const { readiness } = a.staged.stateOf('ready') as { readiness: Readiness };
  assert.equal(poller.periodArmed, true);
  assert.equal(readiness.running, true);
  const b = load('.:53 {\n ready 127.0.0.1:0\n}\n');
  await goLive(b);
  assert.equal(poller.periodArmed, false, 'no reload line: no poller');
  assert.equal(readiness.running, true, 'ready in both configs: it keeps running');
  const c = load('.:53 {\n reload 2s 1s\n}\n');
  await goLive(c);
  assert.equal(poller.periodArmed, true);
  assert.equal(readiness.running, false, 'no ready line: no self-queries');
  await services.beginShutdown();
  assert.equal(poller.periodArmed, false, 'a final stop disarms first');
  for (const l of [a, b, c]) await l.instance.stop();
});
