// Logs every error the rest of the chain returns, as CoreDNS does:
// `[ERROR] plugin/errors: 2 example.org. A: <error>`; `consolidate` rules count matching errors
// and print one summary line per period instead.

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { PluginError, PluginFailure, type Result } from '../../chain/handler.ts';
import { Rcode, typeName } from '../../dns/constants.ts';
import { readName } from '../../dns/name.ts';
import { formatGoDuration } from '../../util/duration.ts';
import type { Logger } from '../../util/log.ts';
import { LineBudget } from './budget.ts';
import type { ConsolidateRule, ErrorsConfig } from './setup.ts';

export class ErrorsHandler implements Handler {
  readonly name = 'errors';
  readonly #next: Handler;
  readonly #config: ErrorsConfig;
  readonly #log: Logger;
  readonly #counts: number[];
  readonly #timers: Array<NodeJS.Timeout | undefined>;
  readonly #budget: LineBudget;
  readonly #report = (err: unknown, req: Request): never => {
    this.#logError(err, req);
    throw err;
  };

  constructor(
    next: Handler,
    config: ErrorsConfig,
    log: Logger,
    budget: LineBudget = new LineBudget({ suppressed: 0 }),
  ) {
    this.#next = next;
    this.#config = config;
    this.#log = log;
    this.#budget = budget;
    this.#counts = config.consolidate.map(() => 0);
    this.#timers = config.consolidate.map(() => undefined);
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    let outcome: Outcome;
    try {
      outcome = this.#next.serveDNS(req, w);
    } catch (err) {
      return this.#report(err, req);
    }
    if (!(outcome instanceof Promise)) return this.#logFailure(outcome, req);
    return outcome.then(
      (result) => this.#logFailure(result, req),
      (err: unknown) => this.#report(err, req),
    );
  }

  /** An expected failure returned as a value is logged like a thrown error. */
  #logFailure(result: Result, req: Request): Result {
    if (result instanceof PluginFailure) this.#logError(result, req);
    return result;
  }

  /** Prints pending consolidated counts (at shutdown). */
  flush(): void {
    for (const [i, rule] of this.#config.consolidate.entries()) this.#emitSummary(rule, i);
  }

  #logError(err: unknown, req: Request): void {
    const text = err instanceof Error || err instanceof PluginFailure ? err.message : String(err);
    const index = this.#config.consolidate.findIndex((rule) => rule.pattern.test(text));
    if (index >= 0) {
      this.#counts[index] = (this.#counts[index] as number) + 1;
      if (this.#timers[index] === undefined) {
        const rule = this.#config.consolidate[index] as ConsolidateRule;
        this.#timers[index] = setTimeout(
          () => this.#emitSummary(rule, index),
          rule.periodMs,
        ).unref();
      }
      return;
    }
    if (!this.#budget.take((line) => this.#log.warning(line))) return;
    const rcode =
      err instanceof PluginError || err instanceof PluginFailure ? err.rcode : Rcode.SERVFAIL;
    let name = '?';
    try {
      name = readName(req.query.wire, 12).toLowerCase();
    } catch {
      // the query scanned, so its name reads; keep '?' if not
    }
    const stack =
      this.#config.stacktrace && err instanceof Error && err.stack !== undefined
        ? `\n${err.stack}`
        : '';
    this.#log.error(`${rcode} ${name} ${typeName(req.query.qtype)}: ${text}${stack}`);
  }

  #emitSummary(rule: ConsolidateRule, index: number): void {
    const timer = this.#timers[index];
    if (timer !== undefined) clearTimeout(timer);
    this.#timers[index] = undefined;
    const count = this.#counts[index] as number;
    if (count === 0) return;
    this.#counts[index] = 0;
    const line = `${count} errors like '${rule.source}' occurred in last ${formatGoDuration(rule.periodMs)}`;
    if (rule.level === 'warning') this.#log.warning(line);
    else if (rule.level === 'info') this.#log.info(line);
    else if (rule.level === 'debug') this.#log.debug(line);
    else this.#log.error(line);
  }
}
