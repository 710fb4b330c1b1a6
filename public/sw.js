// Thi24's service worker: an attempt page stays readable while the network is down.
//
// - Attempt pages (`/bai-thi/…`): network first; the last copy the signed-in person
//   received is kept and served when the network is down. The attempt's answers
//   live in the page's own storage (outbox), not here. What the page loads
//   (`/pkg/*`, hashed names, `immutable` for a year) comes from the browser's HTTP
//   cache, which needs no network for it.
// - Every page response names its viewer (`X-Thi24-Viewer`, a hash of the session):
//   when it changes (another person, or nobody after logout), every kept page is
//   dropped at once, so no one is ever shown another person's attempt.
// Nothing else is cached: no API response, no other page.
const PAGES = "thi24-pages";
const VIEWER_KEY = "/__viewer__";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

const isAttemptPage = (url) => url.origin === self.location.origin && url.pathname.startsWith("/bai-thi/");

async function viewerChanged(viewer) {
  const pages = await caches.open(PAGES);
  const kept = await pages.match(VIEWER_KEY);
  const before = kept ? await kept.text() : null;
  if (before === viewer) return;
  await caches.delete(PAGES);
  if (viewer && viewer !== "-") {
    const fresh = await caches.open(PAGES);
    await fresh.put(VIEWER_KEY, new Response(viewer));
  }
}

async function keepPage(url, response) {
  if (response.type === "opaqueredirect") return;
  const viewer = response.headers.get("x-thi24-viewer") || "-";
  await viewerChanged(viewer);
  if (viewer !== "-" && response.ok && isAttemptPage(url)) {
    const pages = await caches.open(PAGES);
    await pages.put(url.pathname, response);
  }
}

async function page(event) {
  const request = event.request;
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    event.waitUntil(keepPage(url, response.clone()).catch(() => {}));
    return response;
  } catch (err) {
    if (isAttemptPage(url)) {
      const pages = await caches.open(PAGES);
      const kept = await pages.match(url.pathname);
      if (kept) return kept;
    }
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate" && url.origin === self.location.origin) event.respondWith(page(event));
});

// An attempt page opened before this worker controlled it asks to be kept.
self.addEventListener("message", (event) => {
  const href = event.data && event.data.keep;
  if (typeof href !== "string") return;
  const url = new URL(href, self.location.origin);
  if (url.origin !== self.location.origin || !isAttemptPage(url)) return;
  event.waitUntil(fetch(url, { credentials: "same-origin" }).then((res) => keepPage(url, res)).catch(() => {}));
});
