import type { TestProject } from 'vitest/node';
import { stopNodePeers } from './node-peer-commands.ts';
import { stopTestRelays } from './relay-commands.ts';
import { RelayProcess } from './relay-process.ts';

/** One relay for the browser project, started before its files and stopped after them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const relay = await RelayProcess.start();
  project.provide('relayAddress', relay.address);
  return async () => {
    await stopNodePeers();
    await stopTestRelays();
    await relay.stop();
  };
}
