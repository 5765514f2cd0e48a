import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BrowserCommand } from 'vitest/node';
import type { PeerRequest } from '../fixtures/peer-protocol.ts';

const PEER_MAIN = fileURLToPath(new URL('../fixtures/node-peer.ts', import.meta.url));

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

/** A KithNode process that the browser tests drive (fixtures/node-peer.ts). */
class NodePeerProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  #next = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: Reply) => {
      const waiting = this.#pending.get(message.id);
      if (waiting === undefined) return;
      this.#pending.delete(message.id);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(message.error));
    });
    child.once('exit', (code) => {
      for (const w of this.#pending.values())
        w.reject(new Error(`the Node peer exited (${String(code)})`));
      this.#pending.clear();
    });
  }

  static async start(): Promise<NodePeerProcess> {
    const child = fork(PEER_MAIN, [], {
      execArgv: ['--conditions=@kith/source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => {
        resolve();
      });
      child.once('exit', (code) => {
        reject(new Error(`the Node peer exited at start (${String(code)})`));
      });
    });
    return new NodePeerProcess(child);
  }

  request(request: PeerRequest): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ id, request });
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    await this.request({ op: 'close' }).catch(() => undefined);
    this.#child.kill('SIGTERM');
    await exited;
  }
}

// One registry per process: the config (commands) and the global setup (teardown) may load
// this module separately.
const REGISTRY = Symbol.for('kith.browser-tests.node-peers');
type Registry = Map<string, NodePeerProcess>;
function peers(): Registry {
  const g = globalThis as { [REGISTRY]?: Registry };
  const found = g[REGISTRY];
  if (found !== undefined) return found;
  const created: Registry = new Map();
  g[REGISTRY] = created;
  return created;
}

function peer(name: string): NodePeerProcess {
  const p = peers().get(name);
  if (p === undefined) throw new Error(`no Node peer named ${name}: start it first`);
  return p;
}

/** Starts a Node peer process named `name` (a test's own name keeps tests apart). */
const nodePeerStart: BrowserCommand<[name: string]> = async (_, name) => {
  if (peers().has(name)) throw new Error(`a Node peer named ${name} is running`);
  peers().set(name, await NodePeerProcess.start());
};

/** Sends a request to a Node peer and returns its answer. */
const nodePeer: BrowserCommand<[name: string, request: PeerRequest]> = (_, name, request) =>
  peer(name).request(request);

/** Stops a Node peer: its KithNode closes and its data directory goes. */
const nodePeerStop: BrowserCommand<[name: string]> = async (_, name) => {
  const p = peers().get(name);
  peers().delete(name);
  await p?.stop();
};

export const nodePeerCommands = { nodePeerStart, nodePeer, nodePeerStop };

/** Stops every Node peer still running (the project's teardown). */
export async function stopNodePeers(): Promise<void> {
  const all = [...peers().values()];
  peers().clear();
  await Promise.all(all.map((p) => p.stop()));
}
