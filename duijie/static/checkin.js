/* The door page: checks badges with no network and syncs its scans when it can.
 *
 * Online, it downloads the event's door data (public keys as JWK, confirmed registrations with the digest of
 * their current badge nonce) into localStorage. Every scan — camera (jsQR), USB scanner (a text field that
 * receives the code and Enter) or a photo — is verified here with WebCrypto (ECDSA P-256, SHA-256, raw r||s),
 * judged against this device's own earlier scans of the day, shown in green, amber or red, and stored with an
 * id made here (crypto.randomUUID). Pending scans are sent to the server whenever the page is online; the
 * server's answer (one admission per badge and day across all devices) is shown beside each scan.
 */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("checkin-config").textContent);
  var T = cfg.text;
  var encoder = new TextEncoder();
  var prefix = "duijie.checkin." + cfg.slug + ".";

  function load(name, fallback) {
    try {
      var raw = localStorage.getItem(prefix + name);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function save(name, value) {
    localStorage.setItem(prefix + name, JSON.stringify(value));
  }
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }
  function $(id) { return document.getElementById(id); }

  var data = load("data", null);
  var scans = load("scans", []);
  var device = localStorage.getItem("duijie.checkin.device");
  if (!device) {
    device = "device-" + crypto.randomUUID().slice(0, 8);
    localStorage.setItem("duijie.checkin.device", device);
  }
  var gateInput = $("gate");
  if (!gateInput.value) gateInput.value = localStorage.getItem(prefix + "gate") || "";
  gateInput.addEventListener("change", function () { localStorage.setItem(prefix + "gate", gateInput.value.trim()); });

  // -- verifying -------------------------------------------------------------------------------------------------

  var keyCache = {};
  var registrations = {};
  function index() {
    registrations = {};
    if (!data) return;
    data.registrations.forEach(function (r) { registrations[r.id] = r; });
  }
  index();

  function bytesOf(b64url) {
    if (!/^[A-Za-z0-9_-]+$/.test(b64url)) throw new Error("not base64url");
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function publicKey(entry) {
    if (!keyCache[entry.key_id]) {
      keyCache[entry.key_id] = crypto.subtle.importKey(
        "jwk", entry.jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    }
    return keyCache[entry.key_id];
  }

  async function verify(token) {
    var parts = token.trim().split(".");
    if (parts.length !== 4 || parts[0] !== "DJ1" || !parts[1]) return { reason: "malformed" };
    var claims, signature;
    try {
      var fields = new TextDecoder("utf-8", { fatal: true }).decode(bytesOf(parts[2])).split("|");
      if (fields.length !== 5 || !/^\d+$/.test(fields[0]) || !/^\d+$/.test(fields[1])) throw new Error("fields");
      claims = { event: Number(fields[0]), registration: Number(fields[1]), nonce: fields[2], name: fields[4] };
      signature = bytesOf(parts[3]);
    } catch (e) {
      return { reason: "malformed" };
    }
    if (signature.length !== 64) return { reason: "malformed" };
    var entry = data.keys.find(function (k) { return k.key_id === parts[1]; });
    if (!entry) return { reason: "unknown_key" };
    var holds = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" }, await publicKey(entry), signature, encoder.encode(parts.slice(0, 3).join(".")));
    if (!holds) return { reason: "bad_signature" };
    if (claims.event !== data.event.id) return { reason: "other_event" };
    var registration = registrations[claims.registration];
    if (!registration) return { reason: "not_confirmed", name: claims.name, registration: claims.registration };
    var digest = hex(await crypto.subtle.digest("SHA-256", encoder.encode(claims.nonce))).slice(0, 16);
    if (digest !== registration.badge) return { reason: "revoked", name: registration.name, registration: registration.id };
    return { ok: true, registration: registration };
  }

  function eventDay(date) {
    // The event's own calendar day (en-CA writes YYYY-MM-DD), as the server counts days.
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: data.event.timezone, year: "numeric", month: "2-digit", day: "2-digit",
    }).format(date);
  }

  // -- showing ---------------------------------------------------------------------------------------------------

  function show(status, verdict, who, detail) {
    var box = $("result");
    box.dataset.status = status;
    $("verdict").textContent = verdict;
    $("who").textContent = who || "";
    $("detail").textContent = detail || "";
  }

  function displayName(registration) {
    if (!registration) return "";
    var en = cfg.locale === "en";
    var name = en && registration.name_en ? registration.name_en : registration.name;
    var other = en ? registration.name : registration.name_en;
    return other && other !== name ? name + " · " + other : name;
  }

  function renderList() {
    var list = $("scans");
    list.textContent = "";
    scans.slice(-20).reverse().forEach(function (s) {
      var li = document.createElement("li");
      li.dataset.clientId = s.client_id;
      var flagged = s.server && s.local.status === "admitted" && !s.server.admitted;
      if (flagged) li.className = "flagged";
      var left = document.createElement("span");
      var mark = document.createElement("span");
      mark.className = "s-" + s.local.status;
      mark.textContent = s.local.status === "admitted" ? T.admitted : s.local.status === "again" ? T.again : T.invalid;
      left.appendChild(mark);
      left.appendChild(document.createTextNode(" " + (s.local.name || T["reason_" + s.local.reason] || "")));
      var right = document.createElement("span");
      right.className = "server";
      var when = new Date(s.scanned_at).toLocaleTimeString(cfg.locale === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" });
      var server = !s.server ? T.waiting : flagged ? T.flagged : s.server.admitted ? T.server_admitted : (s.server.message || T.server_refused);
      right.textContent = when + " · " + server;
      li.appendChild(left);
      li.appendChild(right);
      list.appendChild(li);
    });
    var pending = scans.filter(function (s) { return !s.synced; }).length;
    $("pending").textContent = pending ? fmt(T.pending, { count: pending }) : (lastSync ? fmt(T.synced, { time: lastSync }) : "");
    $("pending").dataset.count = String(pending);
    $("network").textContent = navigator.onLine ? T.online : T.offline;
    $("network").className = "status-line" + (navigator.onLine ? "" : " offline");
    $("data-state").textContent = data
      ? fmt(T.data_loaded, { count: data.registrations.length, time: new Date(data.generated_at).toLocaleString(cfg.locale === "en" ? "en-GB" : "zh-CN") })
      : T.no_data;
  }

  // -- scanning --------------------------------------------------------------------------------------------------

  var busy = Promise.resolve();

  function handle(token) {
    // One scan at a time, in the order they came, so a repeated badge always sees the scan before it.
    busy = busy.then(function () { return judge(token); }).catch(function (e) { show("invalid", T.invalid, "", String(e)); });
    return busy;
  }

  async function judge(token) {
    token = token.trim();
    if (!token) return;
    if (!data) {
      show("invalid", T.invalid, "", T.no_data);
      return;
    }
    var now = new Date();
    var day = eventDay(now);
    var result = await verify(token);
    var local;
    if (result.ok) {
      var id = result.registration.id;
      var before = scans.some(function (s) {
        return s.day === day && s.local.status === "admitted" && s.local.registration_id === id;
      });
      local = { status: before ? "again" : "admitted", reason: before ? "duplicate" : null, registration_id: id, name: displayName(result.registration) };
    } else {
      local = { status: "invalid", reason: result.reason, registration_id: result.registration || null, name: result.name || "" };
    }
    scans.push({
      client_id: crypto.randomUUID(), token: token, gate: gateInput.value.trim(), scanned_at: now.toISOString(),
      day: day, local: local, synced: false, server: null,
    });
    save("scans", scans);
    if (local.status === "admitted") show("admitted", T.admitted, local.name, "");
    else if (local.status === "again") show("again", T.again, local.name, T.again_detail);
    else show("invalid", T.invalid, local.name, T["reason_" + local.reason] || local.reason);
    renderList();
    sync();
  }

  $("scan-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = $("scan-input");
    var value = input.value;
    input.value = "";
    input.focus();
    handle(value);
  });

  // -- camera and photo ------------------------------------------------------------------------------------------

  var video = $("camera");
  var canvas = $("frame");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var lastRead = { token: "", at: 0 };

  function decode(source, width, height, both) {
    var scale = Math.min(1, 960 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: both ? "attemptBoth" : "dontInvert" });
    return code && code.data ? code.data : null;
  }

  function tick() {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth) {
      var token = decode(video, video.videoWidth, video.videoHeight, false);
      var now = Date.now();
      // A badge held in front of the camera reads many times a second: one scan until it leaves for 3 s.
      if (token && (token !== lastRead.token || now - lastRead.at > 3000)) handle(token);
      if (token) lastRead = { token: token, at: now };
    }
    setTimeout(tick, 150);
  }

  async function startCamera() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) {
      stream = null;
      show("invalid", T.invalid, "", fmt(T.camera_error, { error: e.name || e }));
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    $("camera-toggle").textContent = T.camera_stop;
    tick();
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    $("camera-toggle").textContent = T.camera_start;
  }

  $("camera-toggle").addEventListener("click", function () { if (stream) stopCamera(); else startCamera(); });

  $("photo-input").addEventListener("change", async function (e) {
    var file = e.target.files && e.target.files[0];
    e.target.value = "";
    if (!file) return;
    try {
      var bitmap = await createImageBitmap(file);
      var token = decode(bitmap, bitmap.width, bitmap.height, true);
      if (token) handle(token);
      else show("invalid", T.invalid, "", T.photo_none);
    } catch (err) {
      show("invalid", T.invalid, "", T.photo_none);
    }
  });

  // -- syncing ---------------------------------------------------------------------------------------------------

  var syncing = false;
  var lastSync = "";

  async function sync() {
    var pending = scans.filter(function (s) { return !s.synced; });
    if (syncing || !pending.length || !navigator.onLine) { renderList(); return; }
    syncing = true;
    try {
      var response = await fetch(cfg.sync_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({
          device: device,
          scans: pending.map(function (s) {
            return { client_id: s.client_id, token: s.token, gate: s.gate, scanned_at: s.scanned_at };
          }),
        }),
      });
      if (response.status === 401) { $("pending").textContent = T.sign_in; return; }
      if (!response.ok) { $("pending").textContent = fmt(T.sync_failed, { status: response.status }); return; }
      var body = await response.json();
      var byId = {};
      scans.forEach(function (s) { byId[s.client_id] = s; });
      body.results.forEach(function (r) {
        var s = byId[r.client_id];
        if (!s) return;
        s.synced = true;
        s.server = { admitted: r.admitted, reason: r.reason, message: r.message, duplicate_of: r.duplicate_of };
      });
      save("scans", scans);
      lastSync = new Date().toLocaleTimeString(cfg.locale === "en" ? "en-GB" : "zh-CN");
    } catch (e) {
      // Offline after all: the scans stay here and go with the next sync.
    } finally {
      syncing = false;
      renderList();
    }
  }

  async function refreshData() {
    if (!navigator.onLine) return;
    try {
      var response = await fetch(cfg.door_data_url, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!response.ok) return;
      data = await response.json();
      keyCache = {};
      save("data", data);
      index();
    } catch (e) {
      // Keep the door data already on this device.
    } finally {
      renderList();
    }
  }

  $("sync-now").addEventListener("click", function () { refreshData().then(sync); });
  window.addEventListener("online", function () { refreshData().then(sync); });
  window.addEventListener("offline", renderList);
  setInterval(function () { refreshData().then(sync); }, 60000);

  // The page itself stays on the device (checkin-sw.js), so reopening it without a network still works.
  if ("serviceWorker" in navigator && cfg.sw_url) {
    navigator.serviceWorker.register(cfg.sw_url, { scope: cfg.sw_scope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        // This first load came before the worker: it keeps this page and what it loaded now.
        var urls = [location.href];
        document.querySelectorAll("script[src], link[rel=stylesheet][href]").forEach(function (el) {
          urls.push(el.src || el.href);
        });
        if (registration.active) registration.active.postMessage({ keep: urls });
      })
      .catch(function () {});
  }

  renderList();
  refreshData().then(sync);
})();
