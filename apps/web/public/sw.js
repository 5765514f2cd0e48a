/* global self, caches, fetch, URL */
// Kith's service worker: keeps the app shell (this origin's page, scripts, styles) so the app opens
// without the network. Messages are never here: they stay in IndexedDB. The page is fetched from
// the network first (a new build is picked up at once); hashed assets from the cache first.
const CACHE = 'kith-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(['./', './manifest.webmanifest', './icon.svg']))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  const put = (response) => {
    if (response.ok) {
      const copy = response.clone();
      void caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  };
  if (url.pathname.includes('/assets/')) {
    event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request).then(put)));
  } else {
    event.respondWith(
      fetch(request)
        .then(put)
        .catch(() => caches.match(request).then((hit) => hit ?? caches.match('./'))),
    );
  }
});
