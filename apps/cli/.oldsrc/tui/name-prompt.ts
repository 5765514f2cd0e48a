import { createInterface } from 'node:readline';

/**
 * Asks for a display name on the normal screen, before the chat takes it over: the first run's
 * one question. `prefill` (from --name) is typed in already, to accept with Enter. Resolves to
 * undefined when the person gives up (Ctrl-C, Ctrl-D).
 */
export function askName(
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  prefill: string,
  problem?: string,
): Promise<string | undefined> {
  const rl = createInterface({ input, output, terminal: true });
  return new Promise((resolve) => {
    let answered = false;
    rl.on('SIGINT', () => {
      rl.close();
    });
    rl.on('close', () => {
      if (!answered) output.write('\n');
      resolve(answered ? answer : undefined);
    });
    let answer = '';
    if (problem !== undefined) output.write(`${problem}\n`);
    else {
      output.write(
        'Welcome to Kith. Your name is shown to the people you add and in your contact link.\n',
      );
    }
    rl.question('Your name: ', (text) => {
      answered = true;
      answer = text.trim();
      rl.close();
    });
    if (prefill !== '') rl.write(prefill);
  });
}
