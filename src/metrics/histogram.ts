// A histogram that costs one bucket search and three additions per observation: bucket counts
// live in a preallocated Float64Array (not cumulative; the renderer accumulates at scrape time).

/** CoreDNS TimeBuckets: 0.00025 · 2^i for i = 0..15, in seconds. */
export const TIME_BUCKETS: readonly number[] = Array.from(
  { length: 16 },
  (_, i) => 0.00025 * 2 ** i,
);

/** CoreDNS size buckets for request and response sizes, in bytes. */
export const SIZE_BUCKETS: readonly number[] = [
  0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000,
];

/** CoreDNS SlimTimeBuckets (health self-fetch), in seconds. */
export const SLIM_TIME_BUCKETS: readonly number[] = [0.00025, 0.0025, 0.025, 0.25, 2.5];

export class Histogram {
  /** Upper bounds, ascending; +Inf is implicit (the last count). */
  readonly bounds: Float64Array;
  /** counts[i] = observations in (bounds[i-1], bounds[i]]; counts[bounds.length] = above all. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = Float64Array.from(bounds);
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    // Linear: at most 16 comparisons, and most DNS latencies and sizes land in the first few.
    while (i < n && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }

  /** Adds another histogram's counts (same bounds) into this one. */
  add(other: Histogram): void {
    for (let i = 0; i < this.counts.length; i++)
      this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
    this.sum += other.sum;
    this.count += other.count;
  }
}
