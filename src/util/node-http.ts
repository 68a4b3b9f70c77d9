// `node:http` loaded with require() instead of `import`. Node's ESM namespace of a built-in
// module reads every export, and `node:http` has lazy getters (WebSocket, CloseEvent,
// MessageEvent) that load undici, http2, zlib and worker_threads: about 14 MiB of RSS and
// 2.5 MiB of V8 heap for code the agent never runs (bench/README.md, "Memory"). require()
// leaves those getters untouched. Types still come from `node:http`.

import { requireBuiltin } from './builtin.ts';

const http: typeof import('node:http') = requireBuiltin('node:http');

export const { createServer, get } = http;
