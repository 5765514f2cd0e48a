import { benchBrowserPipeline } from './browser/browser-pipeline.bench.ts';
import { benchBundleSize } from './browser/bundle-size.bench.ts';
import { benchBrowserLatency } from './browser/browser-latency.bench.ts';
import { benchColdStart } from './browser/cold-start.bench.ts';
import { benchBlobCodec } from './blob-codec.bench.ts';
import { benchMediaPreview } from './media-preview.bench.ts';
import { benchTimelineRender } from './browser/timeline-render.bench.ts';
import { benchCallSetup } from './call-setup.bench.ts';
import { benchCatchUp } from './catch-up.bench.ts';
import { benchCliStart } from './cli-start.bench.ts';
import { benchContentCodec } from './content-codec.bench.ts';
import { benchDeliveryLatency } from './delivery-latency.bench.ts';
import { benchDeviceLink } from './device-link.bench.ts';
import { benchDeliveryThroughput } from './delivery-throughput.bench.ts';
import { benchGroupScale } from './group-scale.bench.ts';
import { benchPipeline } from './pipeline.bench.ts';
import { benchReopen } from './reopen.bench.ts';
import { benchSframe } from './sframe.bench.ts';
import { benchRelayConnections } from './relay-connections.bench.ts';
import { benchRelayMailbox } from './relay-mailbox.bench.ts';
import { benchSyncDiff } from './sync-diff.bench.ts';
import { benchTelegramImport } from './telegram-import.bench.ts';

const benchmarks: Record<string, (quick: boolean) => unknown> = {
  'content-codec': benchContentCodec,
  'blob-codec': benchBlobCodec,
  'media-preview': benchMediaPreview,
  pipeline: benchPipeline,
  'sync-diff': benchSyncDiff,
  sframe: benchSframe,
  'call-setup': benchCallSetup,
  reopen: benchReopen,
  'group-scale': benchGroupScale,
  'delivery-latency': benchDeliveryLatency,
  'delivery-throughput': benchDeliveryThroughput,
  'catch-up': benchCatchUp,
  'relay-mailbox': benchRelayMailbox,
  'relay-connections': benchRelayConnections,
  'cli-start': benchCliStart,
  'browser-pipeline': benchBrowserPipeline,
  'browser-bundle': benchBundleSize,
  'browser-cold-start': benchColdStart,
  'browser-latency': benchBrowserLatency,
  'telegram-import': benchTelegramImport,
  'device-link': benchDeviceLink,
  'browser-timeline': benchTimelineRender,
};

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(`Usage: pnpm bench [--quick] [name...]

Runs Kith's benchmarks and prints, for each, the time per operation of Kith and of a raw
baseline measured in the same run, and their ratio (Kith / baseline), then whether the
figures meet their goals.

  --quick   fewer operations and rounds, smaller groups and conversations: checks the
            benchmarks run, figures are rough
  name      run only these: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(0);
}
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names) {
  if (!(name in benchmarks)) {
    console.error(`unknown benchmark ${name}; try --help`);
    process.exit(2);
  }
}
for (const [name, run] of Object.entries(benchmarks)) {
  if (names.length === 0 || names.includes(name)) await run(quick);
}
// Done: a handle a dependency left open (the browser latency benchmark leaves one) must not keep
// the run, and CI's bench step, waiting. Unreferenced: a clean run ends by itself before.
setTimeout(() => process.exit(0), 2000).unref();
