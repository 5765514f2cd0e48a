// `pnpm web`: builds the web messenger and serves it on 127.0.0.1, printing the URL.
//   --port N         the port (default 8180; 0 for any free one)
//   --no-build       serve the dist/ there is
//   --relay          also start a local relay (WebSockets on 127.0.0.1), prefilled in the page
import { parseArgs } from 'node:util';
import { RelayProcess } from '@kith/relay/process';
import { buildWebApp } from './build.ts';
import { startWebServer } from '@kith/relay/web-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8180' },
    'no-build': { type: 'boolean', default: false },
    relay: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not ${values.port}`);
  process.exit(2);
}
const dist = values['no-build']
  ? new URL('../dist', import.meta.url).pathname
  : await buildWebApp();
let relay: RelayProcess | undefined;
if (values.relay) {
  relay = await RelayProcess.start();
  const ws = relay.multiaddrs.find((a) => a.includes('/ws/'));
  console.log(`A local relay runs at ${ws ?? relay.multiaddrs.join(' ')}`);
}
// The relay's own web server (`kith-relay --web`): the same CSP and path checks in development
// as in production, and the local relay offered to the page as its default.
const server = await startWebServer({
  root: dist,
  address: { host: '127.0.0.1', port },
  multiaddrs: () => relay?.multiaddrs ?? [],
});
console.log(`Kith web runs at ${server.url}`);
console.log('(A static build is in apps/web/dist for any web server: serve it over https.)');

const stop = (): void => {
  void (async () => {
    await relay?.remove();
    await server.close();
    process.exit(0);
  })();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
