import { useEffect, useState } from 'preact/hooks';
import type { RoomId } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';

const KEY = 'kith.notifications';

/**
 * Browser notifications for DMs and mentions while the tab is hidden. Permission is asked when
 * the person turns them on (never on load); the choice is kept in localStorage.
 */
export function NotificationsToggle({
  messenger,
  onOpenRoom,
}: {
  messenger: Messenger;
  onOpenRoom: (roomId: RoomId) => void;
}) {
  const supported = typeof Notification !== 'undefined';
  const [on, setOn] = useState(
    () => supported && Notification.permission === 'granted' && localStorage.getItem(KEY) === 'on',
  );
  const [why, setWhy] = useState('');

  useEffect(() => {
    if (!on) return;
    return messenger.onNotice((n) => {
      if (document.visibilityState === 'visible') return;
      const shown = new Notification(n.title, { body: n.body, tag: n.roomId });
      shown.onclick = () => {
        window.focus();
        onOpenRoom(n.roomId);
        shown.close();
      };
    });
  }, [on, messenger, onOpenRoom]);

  if (!supported) return null;
  return (
    <button
      type="button"
      aria-pressed={on}
      title={why || undefined}
      onClick={() => {
        if (on) {
          localStorage.setItem(KEY, 'off');
          setOn(false);
          return;
        }
        void Notification.requestPermission().then((permission) => {
          const granted = permission === 'granted';
          localStorage.setItem(KEY, granted ? 'on' : 'off');
          setOn(granted);
          setWhy(granted ? '' : 'The browser did not allow notifications for this page');
        });
      }}
    >
      Notifications {on ? 'on' : 'off'}
    </button>
  );
}
