// Node built-ins loaded with require() on first use rather than by `import` at startup. The agent
// loads every module of its graph when it starts, so a static import of a built-in that only some
// Corefiles need costs every node its memory: `node:tls` about 4.6 MiB of RSS (forward's
// `tls://` upstreams), `node:inspector/promises` about 1.6 MiB (pprof's CPU profile), measured
// in an empty Node 24 (bench/README.md, "Memory"). Built-ins are cached by require(), so a
// later call is a lookup.

import { createRequire } from 'node:module';

export const requireBuiltin = createRequire(import.meta.url);

/** `node:tls`, loaded the first time a TLS upstream is parsed or dialled. */
export function nodeTls(): typeof import('node:tls') {
  return requireBuiltin('node:tls');
}
