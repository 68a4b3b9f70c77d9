// A tiny benchmark loop: warm up, then time batches and report the median ns per operation.
// No library: the numbers only need to be comparable run to run on one machine.

export interface Result {
  readonly name: string;
  readonly nsPerOp: number;
}

export function measure(
  name: string,
  op: () => unknown,
  opsPerBatch = 100_000,
  batches = 15,
): Result {
  let sink: unknown;
  for (let i = 0; i < opsPerBatch; i++) sink = op(); // warm-up and JIT
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < opsPerBatch; i++) sink = op();
    samples.push(Number(process.hrtime.bigint() - start) / opsPerBatch);
  }
  if (sink === Symbol.for('never')) console.log(sink);
  samples.sort((a, b) => a - b);
  return { name, nsPerOp: samples[Math.floor(samples.length / 2)] as number };
}

export function report(title: string, results: readonly Result[]): void {
  console.log(`\n${title} (node ${process.version})`);
  for (const r of results)
    console.log(`  ${r.name.padEnd(52)} ${r.nsPerOp.toFixed(0).padStart(6)} ns/op`);
}
