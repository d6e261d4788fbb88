/* The door page's service worker: keeps the page and its scripts so a door phone that reloads (or restarts
 * its browser) while offline still opens the page; the door data and the scans themselves are in
 * localStorage (checkin.js). Pages are fetched from the network first and the copy is used only when the
 * network fails, so an online device always runs the current page. API calls are left to the page, which
 * knows how to wait for the network. */
"use strict";

var CACHE = "duijie-door-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// The page asks to keep what it loaded before the worker controlled it (its own address and its scripts).
self.addEventListener("message", function (event) {
  var urls = event.data && event.data.keep;
  if (!Array.isArray(urls)) return;
  var mine = urls.filter(function (u) { return new URL(u).origin === self.location.origin; });
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(mine); }).catch(function () {}));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = request.mode === "navigate";
  if (!page && url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(request).then(function (hit) {
          return hit || cache.match(request, { ignoreSearch: true });
        });
      }).then(function (hit) { return hit || Response.error(); });
    })
  );
});
