process.on('uncaughtException', (e) => { console.error('UNCAUGHT', e, (e as Error).stack); });
process.on('unhandledRejection', (e) => { console.error('UNHANDLED', e, (e as Error).stack); });
const { benchDeliveryLatency } = await import('/work/main/bench/src/delivery-latency.bench.ts');
const t = performance.now();
await benchDeliveryLatency(true);
console.log('took', performance.now() - t);
