import { benchContentCodec } from './content-codec.bench.ts';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(`Usage: pnpm bench [--quick]

Runs Kith's benchmarks and prints, for each, the time per operation of Kith and of a raw
baseline measured in the same run, and their ratio (Kith / baseline).

  --quick   fewer operations and rounds: checks the benchmarks run, figures are rough`);
  process.exit(0);
}
benchContentCodec(args.includes('--quick'));
