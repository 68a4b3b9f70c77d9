// Runs every micro benchmark: `npm run bench`.
await import('./cache.bench.ts');
