// A minimal page with a Kith device in it: it shows the device's contact link, joins the rooms
// it is invited to, shows the latest room's messages and sends what is typed.
//
//   pnpm --filter @kith/example-browser-page dev     then open http://localhost:5173/?relay=<multiaddr>
//
// The relay is a `kith-relay` reachable from browsers (wss://, or ws:// on localhost in
// development); `VITE_KITH_RELAY` at build time sets a default.
import { BrowserError, KithBrowser } from '@kith/browser';
import { messageText, type RoomId } from '@kith/core';

/** The page's element at `selector`, of the type the code expects. */
function element<T extends HTMLElement>(selector: string, type: new () => T): T {
  const found = document.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`the page has no ${selector}`);
  return found;
}
const status = element('#status', HTMLParagraphElement);
const notice = element('#notice', HTMLParagraphElement);
const link = element('#link', HTMLTextAreaElement);
const roomTitle = element('#room', HTMLHeadingElement);
const list = element('#messages', HTMLUListElement);
const form = element('#compose', HTMLFormElement);
const input = element('#text', HTMLInputElement);

const relay =
  new URLSearchParams(location.search).get('relay') ??
  (import.meta.env['VITE_KITH_RELAY'] as string | undefined);
// Browsers dial only wss:// and public addresses; a page served from this machine is in
// development and may reach a relay on ws://127.0.0.1.
const development = ['localhost', '127.0.0.1'].includes(location.hostname);

async function openDevice(): Promise<KithBrowser | undefined> {
  if (relay === undefined) {
    status.textContent = 'No relay: open this page with ?relay=<the relay multiaddr>.';
    return undefined;
  }
  try {
    return await KithBrowser.open({
      // One device per origin here; its IndexedDB database and tab lock are named after it.
      name: 'main',
      deviceName: 'browser-page',
      relays: [relay],
      dialInsecure: development,
      onStorageNotPersisted: () => {
        notice.hidden = false;
        notice.textContent =
          'This browser may clear this page’s storage when space runs low, and the keys with it.';
      },
    });
  } catch (error) {
    // Typed errors say what the user can do about them.
    if (error instanceof BrowserError && error.code === 'OPEN_IN_ANOTHER_TAB') {
      status.textContent = 'Kith is open in another tab: close it, or use that one.';
    } else if (error instanceof BrowserError && error.code === 'NOT_SECURE_CONTEXT') {
      status.textContent = 'Kith needs https (or localhost).';
    } else {
      status.textContent = `Kith could not start: ${String(error)}`;
    }
    return undefined;
  }
}

const device = await openDevice();
if (device !== undefined) {
  let current: RoomId | undefined = device.client.rooms()[0]?.roomId;

  const render = (): void => {
    if (current === undefined) return;
    roomTitle.textContent = device.client.room(current).name || 'Untitled room';
    list.replaceChildren(
      ...device.client.timeline(current).map((m) => {
        const item = document.createElement('li');
        item.textContent = messageText(m.content);
        item.dataset['sender'] = m.sender;
        return item;
      }),
    );
    input.disabled = false;
    form.querySelector('button')?.removeAttribute('disabled');
  };

  // Events come after the engine has stored the change: rendering from the client is current.
  device.client.on('joined', ({ roomId }) => {
    current = roomId;
    render();
  });
  device.client.on('timeline', ({ roomId }) => {
    if (roomId === current) render();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (current === undefined || text === '') return;
    input.value = '';
    // The message is stored (outbox) before it leaves, and resent until a member has it.
    device.client.send(current, text).catch((error: unknown) => {
      status.textContent = `Not sent: ${String(error)}`;
    });
  });
  // Closing stores every room and lets another tab open the device.
  addEventListener('pagehide', () => void device.close());

  // Others reach a browser through its relay: the contact link is worth sharing once the relay
  // holds a reservation for this device (its circuit address is then in the link).
  const showReach = (): void => {
    link.value = device.contactLink('Browser page');
    const reachable = device.relayStatus().some((r) => r.reserved);
    status.textContent = reachable ? 'Ready: reachable through the relay.' : 'Reaching the relay…';
  };
  device.libp2p.addEventListener('self:peer:update', showReach);
  document.body.dataset['userId'] = device.userId;
  showReach();
  render();
}
