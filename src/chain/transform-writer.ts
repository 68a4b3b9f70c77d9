// A ResponseWriter that changes the next plugin's reply before it goes to the real writer (CoreDNS
// plugins wrap dns.ResponseWriter the same way: rewrite's ResponseReverter, loadbalance's
// RoundRobinResponseWriter). Everything the outer handlers read (written, rcode, size, reply)
// comes from the real writer.

import type { ResponseWriter } from './handler.ts';

export class TransformWriter implements ResponseWriter {
  readonly #inner: ResponseWriter;
  readonly #transform: (wire: Buffer) => Buffer;

  constructor(inner: ResponseWriter, transform: (wire: Buffer) => Buffer) {
    this.#inner = inner;
    this.#transform = transform;
  }

  get written(): boolean {
    return this.#inner.written;
  }
  get rcode(): number {
    return this.#inner.rcode;
  }
  get size(): number {
    return this.#inner.size;
  }
  get reply(): Buffer | undefined {
    return this.#inner.reply;
  }

  /** The layout hint describes the untransformed bytes, so it is not passed on. */
  write(wire: Buffer, plugin: string): void {
    this.#inner.write(this.#transform(wire), plugin);
  }
}
