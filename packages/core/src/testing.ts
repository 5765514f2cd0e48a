// @kith/core/testing: what runtime packages need to test themselves against core's contracts.
// Not part of the main entry point: nothing here belongs in an app.

export { runStorageTests, type StorageSetup } from './storage/storage-port-tests.ts';
export {
  runTransportTests,
  type TestNetwork,
  type TransportSetup,
} from './ports/transport-port-tests.ts';
export type { Assertion, ExpectFn, TestApi } from './testing/test-api.ts';
export { EventLog } from './testing/event-log.ts';
export { createMemoryNetwork, type MemoryNetwork } from './testing/memory-transport.ts';
export { SeededRandom } from './testing/seeded-random.ts';
export { SimulatedNetwork } from './testing/simulated-network.ts';
export {
  reliableConditions,
  type DropReason,
  type NetworkConditions,
  type SimulatedNetworkOptions,
  type SimulationStats,
  type TraceEvent,
} from './testing/simulation-options.ts';
export { SimWorld, timelineTexts, type SimWorldOptions } from './testing/sim-world.ts';
export {
  runChaos,
  type ChaosBehaviour,
  type ChaosContext,
  type ChaosEnd,
  type ChaosOptions,
  type ChaosReport,
} from './testing/chaos-scenario.ts';
export { removedMemberAttack } from './testing/removed-member-attack.ts';
export { jpegHeader, oggOpus, pngHeader } from './testing/media-samples.ts';
