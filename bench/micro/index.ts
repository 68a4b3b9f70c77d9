// Runs every micro benchmark: `npm run bench`.
await import('./cache.bench.ts');
await import('./metrics.bench.ts');
