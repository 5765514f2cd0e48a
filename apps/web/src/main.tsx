import { render } from 'preact';
import { App } from './ui/app.tsx';

const root = document.getElementById('app');
if (root !== null) render(<App />, root);

// Installable as an app; the service worker keeps only the app shell (messages stay in IndexedDB).
if ('serviceWorker' in navigator && globalThis.isSecureContext) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('./sw.js').catch((error: unknown) => {
      console.warn('kith: no offline app shell:', error);
    });
  });
}
