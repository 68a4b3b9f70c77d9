// Query logging: one line per query after its reply, for the first rule whose names contain
// the query name and whose classes include the reply's class. Off the hot path unless used.

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { isSubdomain, readName } from '../../dns/name.ts';
import type { Logger } from '../../util/log.ts';
import { classify, compileFormat } from './format.ts';
import type { LogRule } from './setup.ts';

interface CompiledRule {
  readonly rule: LogRule;
  readonly render: ReturnType<typeof compileFormat>;
}

export class LogHandler implements Handler {
  readonly name = 'log';
  readonly #next: Handler;
  readonly #rules: readonly CompiledRule[];
  readonly #log: Logger;

  constructor(next: Handler, rules: readonly LogRule[], log: Logger) {
    this.#next = next;
    this.#rules = rules.map((rule) => ({ rule, render: compileFormat(rule.format) }));
    this.#log = log;
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    let outcome: Outcome;
    try {
      outcome = this.#next.serveDNS(req, w);
    } catch (err) {
      this.#write(req, w);
      throw err;
    }
    if (outcome instanceof Promise) {
      return outcome.then(
        (result) => {
          this.#write(req, w);
          return result;
        },
        (err: unknown) => {
          this.#write(req, w);
          throw err;
        },
      );
    }
    this.#write(req, w);
    return outcome;
  }

  #write(req: Request, w: ResponseWriter): void {
    const name = readName(req.query.wire, 12).toLowerCase();
    for (const { rule, render } of this.#rules) {
      if (!rule.names.some((zone) => isSubdomain(name, zone))) continue;
      if (rule.classes.has(classify(w)))
        this.#log.info(render(req, w, performance.now() - req.receivedAt));
      return;
    }
  }
}
