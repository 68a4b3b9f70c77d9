// The node agent: node-cache's startup, periodic sync and teardown around the DNS server.
//   1. metrics listener, leftovers of other rule backends out, Corefile rendered (or the last
//      good one kept);
//   2. interface and rules in: the rules divert packets only while an agent socket is bound
//      (rules.ts), so they are safe before the server listens and after it dies;
//   3. server started, reusing the addresses (SO_REUSEPORT) of an agent that may still run;
//   4. every -syncinterval: interface and rules re-checked (and repaired, never duplicated);
//   5. stop: server drained and closed, then rules and interface removed, unless another agent
//      serves on the node (a rolling upgrade) or -skipteardown.

import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { planCorefile } from '../config/plan.ts';
import type { Corefile } from '../corefile/model.ts';
import { lookupServiceHost, serviceHostEnvName } from '../kube/service-env.ts';
import { PLUGINS } from '../plugins/registry.ts';
import { createLogger, type Logger, type LogSettings } from '../util/log.ts';
import { ConfigSync } from './config-sync.ts';
import { resolveWorkers } from './cpu-quota.ts';
import { selectBackend } from './detect.ts';
import { type CommandRunner, ExecFileRunner } from './exec.ts';
import { InProcessServer } from './in-process.ts';
import { IptablesBackend } from './iptables.ts';
import { LinkManager } from './link.ts';
import { type MetricsListener, startMetricsServer } from './metrics-server.ts';
import { NftablesBackend } from './nftables.ts';
import { otherInstanceOn } from './peer.ts';
import { errorText, Reconciler } from './reconciler.ts';
import { SetupErrors } from './setup-errors.ts';
import { enableTcpRequestMigration } from './sysctl.ts';
import { type AgentOptions, familyOf } from './types.ts';

export const DEFAULT_KUBE_DNS_CONFIG_DIR = '/etc/kube-dns';

export interface AgentDeps {
  readonly runner?: CommandRunner;
  readonly log?: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How worker threads log (`-log-format`, `-log-level`); they cannot share `log`. */
  readonly logSettings?: LogSettings;
}

export class NodeAgent {
  readonly errors = new SetupErrors();
  readonly reconciler: Reconciler;
  readonly server: InProcessServer;
  readonly #o: AgentOptions;
  readonly #log: Logger;
  readonly #sync: ConfigSync;
  readonly #runner: CommandRunner;
  #metrics: MetricsListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped: Promise<void> | undefined;
  #pidfileWritten = false;

  constructor(options: AgentOptions, deps: AgentDeps = {}) {
    this.#o = options;
    this.#log = deps.log ?? createLogger();
    const runner = deps.runner ?? new ExecFileRunner();
    this.#runner = runner;
    const env = deps.env ?? process.env;
    const link = options.setupInterface
      ? new LinkManager(runner, {
          name: options.interfaceName,
          type: options.interfaceType,
          ips: options.localIps,
        })
      : undefined;
    const clusterDns = lookupServiceHost(options.upstreamSvc, env);
    if (clusterDns === undefined)
      this.#log.warning(
        `${serviceHostEnvName(options.upstreamSvc)} is not set to an IP; __PILLAR__CLUSTER__DNS__ cannot be filled`,
      );
    this.reconciler = new Reconciler({
      localIps: options.localIps,
      dnsPort: options.dnsPort,
      healthPort: options.healthPort,
      fallback: clusterDns === undefined ? {} : { [familyOf(clusterDns)]: clusterDns },
      link,
      backend: options.setupRules
        ? () => selectBackend(runner, options.rulesBackend, options.iptablesWaitSeconds)
        : undefined,
      errors: this.errors,
      log: this.#log,
      onStatus: (state) => this.server.setInterception(state),
    });
    const kubeDir =
      options.kubeDnsConfigDir ??
      (existsSync(DEFAULT_KUBE_DNS_CONFIG_DIR) ? DEFAULT_KUBE_DNS_CONFIG_DIR : undefined);
    this.#sync = new ConfigSync({
      baseCorefile: options.baseCorefile,
      corefilePath: options.corefilePath,
      kubeDnsConfigDir: kubeDir,
      params: {
        localIps: options.localIps,
        clusterDns,
        resolvConf: options.resolvConf,
        prometheusEndpoint: options.prometheusListenAddress,
        dnsPort: options.dnsPort,
      },
      intervalMs: options.configSyncIntervalMs,
      validate: (corefile: Corefile) => {
        planCorefile(corefile, PLUGINS, { defaultPort: options.dnsPort });
      },
      errors: this.errors,
      log: this.#log,
      onChange: async () => {
        try {
          await this.server.reload();
          this.#log.info('server: reloaded the new Corefile');
        } catch (e) {
          this.errors.count('configmap');
          this.#log.error(
            `server: reload failed, the previous config keeps serving: ${errorText(e)}`,
          );
        }
      },
    });
    const workers = resolveWorkers(options.workers ?? 1);
    if (workers > 1) this.#log.info(`serving DNS from ${workers} threads (-workers)`);
    this.server = new InProcessServer(
      options.corefilePath,
      options.dnsPort,
      options.restartDelayMs,
      this.#log,
      { workers, ...(deps.logSettings === undefined ? {} : { workerLog: deps.logSettings }) },
      options.tcpLimits,
    );
    this.errors.onChange((counts) => this.server.setSetupErrors(counts));
  }

  /** The bound metrics listener, if any. */
  get metricsAddress(): { address: string; port: number } | undefined {
    return this.#metrics?.address;
  }

  async start(): Promise<void> {
    this.#metrics = await startMetricsServer(this.#o.metricsListenAddress, this.errors, this.#log);
    this.server.setSetupErrors(this.errors.snapshot());
    // A config error at first start ends here, before anything on the node is touched.
    await this.#sync.start();
    await this.reconciler.ensureInterface();
    if (this.#o.setupRules || this.#o.setupInterface) await enableTcpRequestMigration(this.#log);
    // Our own rules are adopted as they are (an agent still running beside us needs them), so
    // the backend is chosen and synced first; then rules of the other backends (ours or
    // node-cache's) are removed.
    await this.reconciler.setRulesWanted(true);
    if (this.#o.setupRules) await this.#purgeOtherBackends();
    this.server.start({ onServing: () => void this.#writePidfile() });
    this.#timer = setInterval(() => void this.reconciler.sync(), this.#o.syncIntervalMs);
  }

  /**
   * Leftovers in the backends not in use: best effort, logged but not counted (a node without
   * nft or without legacy iptables is normal).
   */
  async #purgeOtherBackends(): Promise<void> {
    const inUse = this.reconciler.backendName;
    const others = [
      new IptablesBackend(this.#runner, 'iptables-nft', this.#o.iptablesWaitSeconds),
      new IptablesBackend(this.#runner, 'iptables-legacy', this.#o.iptablesWaitSeconds),
    ];
    for (const backend of others) {
      // plain `iptables` of an unknown flavour may be either one: leave both alone
      if (backend.name === inUse || inUse === 'iptables') continue;
      try {
        const removed = await backend.purge(this.reconciler.families);
        if (removed > 0) this.#log.info(`${backend.name}: removed ${removed} leftover rules`);
      } catch (e) {
        this.#log.debug(`${backend.name}: leftover check skipped: ${errorText(e)}`);
      }
    }
    if (inUse !== 'nftables') {
      try {
        const r = await new NftablesBackend(this.#runner).sync([], this.reconciler.families);
        if (r.removed > 0) this.#log.info(`nftables: removed ${r.removed} leftover rules`);
      } catch (e) {
        this.#log.debug(`nftables: leftover check skipped: ${errorText(e)}`);
      }
    }
  }

  /** SIGUSR1 (CoreDNS: reload): re-read template and ConfigMap now and reload the server. */
  async reloadNow(): Promise<void> {
    await this.#sync.poll();
    try {
      await this.server.reload();
      this.#log.info('server: reloaded on request');
    } catch (e) {
      this.errors.count('configmap');
      this.#log.error(`server: reload failed, the previous config keeps serving: ${errorText(e)}`);
    }
  }

  async #writePidfile(): Promise<void> {
    if (this.#o.pidfile === undefined || this.#pidfileWritten) return;
    this.#pidfileWritten = true;
    try {
      await writeFile(this.#o.pidfile, `${process.pid}\n`);
    } catch (e) {
      this.#log.error(`pidfile: ${errorText(e)}`);
    }
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#log.info('stopping');
    clearInterval(this.#timer);
    this.#sync.stop();
    await this.server.stop();
    if (!this.#o.skipTeardown) {
      const peer = await otherInstanceOn(this.#o.localIps, this.#o.dnsPort);
      if (peer === undefined) await this.reconciler.teardown();
      else this.#log.info(`another agent serves on ${peer}: leaving the interface and rules to it`);
    }
    if (this.#o.pidfile !== undefined) await rm(this.#o.pidfile, { force: true });
    await this.#metrics?.close();
    this.#log.info('stopped');
  }
}
