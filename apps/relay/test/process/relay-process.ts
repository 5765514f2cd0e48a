// The relay tests start relays through the shared launcher (src/launch/relay-process.ts, also
// `@kith/relay/process` for the CLI, the demo and the benchmarks); re-exported here under the
// names the tests have always used (its types, Exit and LogLine, come from there).
export { RelayProcess, runRelay, tempDir, WAIT_MS } from '../../src/launch/relay-process.ts';
