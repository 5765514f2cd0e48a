import { benchGroupScale } from '/work/main/bench/src/group-scale.bench.ts';
await benchGroupScale(process.argv.includes('--quick'));
