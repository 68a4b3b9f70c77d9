// The chain order, after CoreDNS's plugin.cfg: a query meets the handlers in this order whatever
// order the Corefile lists them in. Directives that only configure the server (reload, bind,
// ready, health) have no handler and are here so that their position is explicit.

export const DIRECTIVES = [
  'metadata',
  'reload',
  'bufsize',
  'bind',
  'debug',
  'ready',
  'health',
  'prometheus',
  'errors',
  'log',
  'dns64',
  'loadbalance',
  'cache',
  'rewrite',
  'template',
  'hosts',
  'loop',
  'forward',
  'whoami',
] as const;

export type DirectiveName = (typeof DIRECTIVES)[number];

const ORDER = new Map<string, number>(DIRECTIVES.map((name, i) => [name, i]));

/** Position in the chain, or undefined for an unknown directive. */
export function directiveOrder(name: string): number | undefined {
  return ORDER.get(name);
}
