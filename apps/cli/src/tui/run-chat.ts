export interface ChatOptions {
  readonly dataDir: string;
  readonly name?: string;
  readonly listen?: readonly string[];
  readonly relays?: readonly string[];
  readonly mdns: boolean;
}

/** The interactive chat (being written). */
export function runChat(options: ChatOptions): Promise<void> {
  return Promise.reject(
    new Error(`the terminal chat is not ready yet (data dir ${options.dataDir})`),
  );
}
