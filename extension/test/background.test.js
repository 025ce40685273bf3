// background.js loaded as the browser loads it, against an in-memory chrome and the
// in-memory contract server: listeners, router, badge, polling, notifications, clicks.

import assert from "node:assert/strict";
import { before, test } from "node:test";

import { createApp, LOOKUP_TTL_MS, POLL_ALARM } from "../lib/app.js";
import { createFakeChrome } from "./support/fake-chrome.js";
import { createFakeServer, siteHash } from "./support/fake-server.js";

const SITE = "shop.example";
let chrome;
let control;
let server;

before(async () => {
  ({ chrome, control } = createFakeChrome());
  server = createFakeServer();
  await chrome.storage.sync.set({ options: { serverUrl: server.baseUrl, pollMinutes: 30 } });
  globalThis.chrome = chrome;
  globalThis.fetch = server.fetch;
  await import("../background.js");
});


test("every listener is registered when the module is evaluated", () => {
  for (const event of [
    chrome.runtime.onInstalled,
    chrome.runtime.onStartup,
    chrome.runtime.onMessage,
    chrome.alarms.onAlarm,
    chrome.tabs.onActivated,
    chrome.tabs.onUpdated,
    chrome.notifications.onClicked,
  ]) {
    assert.equal(event.listeners.length, 1);
  }
});

test("install schedules the polling alarm at the chosen interval", async () => {
  await Promise.all(chrome.runtime.onInstalled.dispatch({ reason: "install" }));
  assert.equal(control.alarms.get(POLL_ALARM).periodInMinutes, 30);
});

test("the router answers the extension's own pages and nobody else", async () => {
  assert.equal((await control.send({ type: "options/get" })).ok, true);
  const refused = [
    { id: "another-extension", url: "chrome-extension://another-extension/popup.html" },
    { id: chrome.runtime.id, url: "https://evil.example/page", tab: { id: 3 } }, // a content script
    { id: chrome.runtime.id },
    null,
  ];
  for (const sender of refused) {
    const answer = await control.send({ type: "watch/add", site: "evil.example" }, sender);
    assert.deepEqual(answer, { ok: false, error: "messages are accepted from this extension's pages only" });
  }
  assert.deepEqual(await chrome.storage.sync.get("watch:evil.example"), {});
  const unknown = await control.send({ type: "constructor" });
  assert.match(unknown.error, /unknown message type/);
});

test("badge: untracked, tracked, then material since last looked — learned by prefix only", async () => {
  const untracked = await control.visit(`https://www.${SITE}/`);
  assert.equal(control.badges.get(untracked).text, "");
  assert.equal(control.badges.get(untracked).title, `Clausewatch does not track ${SITE}`);

  server.track(SITE);
  server.addChange(SITE, { material: false, summary: "wording" });
  // The cached "not tracked" answer holds for its TTL; a new prefix-mate tab reuses it.
  const cachedTab = await control.visit(`https://${SITE}/about`);
  assert.equal(control.badges.get(cachedTab).text, "");
  await chrome.storage.local.remove("lookups");

  const tracked = await control.visit(`https://${SITE}/`);
  assert.equal(control.badges.get(tracked).text, "✓");
  assert.equal(control.badges.get(tracked).title, `Clausewatch tracks the privacy policy of ${SITE}`);

  server.addChange(SITE, { material: true, summary: "adds sale of data" });
  await chrome.storage.local.remove("lookups");
  const material = await control.visit(`https://${SITE}/cart`);
  assert.equal(control.badges.get(material).text, "!");
  assert.equal(control.badges.get(material).color, "#c5221f");

  const none = await control.visit("chrome://newtab/");
  assert.equal(control.badges.get(none).text, "");
  for (const entry of server.log) {
    assert.match(entry.url, /\/api\/v1\/lookup\/[0-9a-f]{2}$/);
    assert.ok(!entry.url.includes(SITE));
  }
});

test("lookups follow the server's recommended bits, never past 16", async () => {
  const ask = async (bits) => {
    server.recommendPrefixBits(bits);
    await chrome.storage.local.remove("lookups");
    await control.visit(`https://${SITE}/`); // learns the recommendation
    await chrome.storage.local.remove("lookups");
    const before = server.log.length;
    await control.visit(`https://${SITE}/`);
    return server.log.slice(before).map((e) => e.url.split("/").at(-1));
  };
  const hash = siteHash(SITE);
  const top = (bits) => parseInt(hash.slice(0, 4), 16) >> (16 - bits);
  const hex = (bits) =>
    (top(bits) << (4 * Math.ceil(bits / 4) - bits)).toString(16).padStart(Math.ceil(bits / 4), "0");
  assert.deepEqual(await ask(12), [hash.slice(0, 3)]);
  assert.deepEqual(await ask(15), [`${hex(15)}?bits=15`]);
  assert.deepEqual(await ask(9), [`${hex(9)}?bits=9`]);
  assert.deepEqual(await ask(20), [hash.slice(0, 4)]);
  assert.deepEqual(await ask(8), [hash.slice(0, 2)]);
  // Whatever the width, what left the browser were those leading bits and nothing more.
  for (const entry of server.log) assert.ok(!entry.url.includes(hash.slice(0, 5)));
});

test("a server that counts in hex digits is asked in whole digits, as it recommends", async () => {
  const { chrome: c2 } = createFakeChrome();
  const s2 = createFakeServer({ countsBits: false, prefixBits: 12 });
  s2.track("older.example");
  const app = createApp({ chrome: c2, fetch: s2.fetch });
  await c2.storage.sync.set({ options: { serverUrl: s2.baseUrl } });
  const tab = await c2.tabs.create({ url: "https://older.example/" });
  assert.equal(await app.updateBadge(tab.id, tab.url), "tracked");
  await c2.storage.local.remove("lookups");
  assert.equal(await app.updateBadge(tab.id, tab.url), "tracked");
  const hash = siteHash("older.example");
  assert.deepEqual(
    s2.log.map((e) => e.url.split("/").at(-1)),
    [hash.slice(0, 2), hash.slice(0, 3)],
  );
});

test("another server is asked at 8 bits until it recommends a width of its own", async () => {
  const { chrome: c2, control: k2 } = createFakeChrome();
  const first = createFakeServer({ prefixBits: 9 });
  const older = createFakeServer({ baseUrl: "https://older.example.org", countsBits: false });
  const fetch = (input, init) =>
    String(input instanceof Request ? input.url : input).startsWith(older.baseUrl)
      ? older.fetch(input, init)
      : first.fetch(input, init);
  const app = createApp({ chrome: c2, fetch });
  await c2.storage.sync.set({ options: { serverUrl: first.baseUrl } });
  const tab = await c2.tabs.create({ url: "https://moved.example/" });
  await app.updateBadge(tab.id, tab.url); // learns 9 bits from the first server
  await app.route({ type: "options/set", options: { serverUrl: older.baseUrl } }, page(k2));
  older.track("moved.example");
  assert.equal(await app.updateBadge(tab.id, tab.url), "tracked");
  assert.deepEqual(
    older.log.map((e) => e.url.split("/").at(-1)),
    [siteHash("moved.example").slice(0, 2)],
  );
});

test("tracking a site drops its cached lookup at the width it was asked at", async () => {
  // It was dropped at 2 hex digits only: at any other width the "not tracked" answer stayed
  // for its TTL, and the badge with it.
  const { chrome: c2, control: k2 } = createFakeChrome();
  const s2 = createFakeServer({ prefixBits: 12 });
  const app = createApp({ chrome: c2, fetch: s2.fetch });
  await c2.storage.sync.set({ options: { serverUrl: s2.baseUrl } });
  const tab = await c2.tabs.create({ url: "https://newly.example/" });
  assert.equal(await app.updateBadge(tab.id, tab.url), "untracked"); // learns 12 bits (3 hex digits)
  await c2.storage.local.remove("lookups");
  assert.equal(await app.updateBadge(tab.id, tab.url), "untracked"); // cached at 3 digits
  s2.track("newly.example");
  const answer = await app.route({ type: "site/track", site: "newly.example" }, page(k2));
  assert.equal(answer.state, "tracked");
  assert.equal(await app.updateBadge(tab.id, tab.url), "tracked");
});

test("popup: status, last changes, Watch; opening it counts as looking", async () => {
  const tabId = await control.visit(`https://${SITE}/`);
  const view = (await control.send({ type: "popup/state", tabId })).result;
  assert.equal(view.site, SITE);
  assert.equal(view.state, "material");
  assert.deepEqual(view.changes.map((c) => c.summary), ["adds sale of data", "wording"]);
  assert.equal(control.badges.get(tabId).text, "✓");
  assert.equal((await control.send({ type: "watch/add", site: SITE })).ok, true);
  const watched = (await control.send({ type: "popup/state", tabId })).result;
  assert.equal(watched.watched, true);
  assert.deepEqual(watched.watches.map((w) => [w.site, w.unread]), [[SITE, 0]]);
  assert.deepEqual(control.missingMessages, []);
});

test("the popup reads a bucket of the feed on from its cursor, revalidating by ETag", async () => {
  const tabId = await control.visit(`https://${SITE}/`);
  const before = server.log.length;
  await control.send({ type: "watch/remove", site: SITE });
  const first = (await control.send({ type: "popup/state", tabId })).result;
  const second = (await control.send({ type: "popup/state", tabId })).result;
  assert.deepEqual(second.changes, first.changes);
  const feedCalls = server.log.slice(before).filter((e) => e.url.includes("/api/v1/changes"));
  // The first call catches up from the stored cursor; the second is a 304 for its ETag.
  assert.equal(feedCalls.length, 2);
  assert.ok(feedCalls[1].ifNoneMatch);
  assert.equal(new URL(feedCalls[1].url).searchParams.get("after"), String(server.changes.length));
  await control.send({ type: "watch/add", site: SITE });
});

test("alarm → feed of watched buckets → notification → click opens the viewer, marks read", async () => {
  const before = server.log.length;
  const noise = await control.fireAlarm(POLL_ALARM);
  assert.equal(noise[0].notified, 0, "changes from before the watch are not alerts");

  const change = server.addChange(SITE, {
    material: true,
    categories: ["third-party-sharing"],
    summary: "adds sale of personal information to data brokers",
  });
  server.addChange("unwatched.example", { material: true });
  const [report] = await control.fireAlarm(POLL_ALARM);
  assert.equal(report.notified, 1);
  const notification = control.notifications.get(`change-${change.id}`);
  assert.equal(notification.title, `${SITE}: material privacy policy change`);
  assert.equal(notification.message, "adds sale of personal information to data brokers");

  const tabId = await control.visit("chrome://newtab/");
  const view = (await control.send({ type: "popup/state", tabId })).result;
  assert.deepEqual(view.watches.map((w) => [w.site, w.unread]), [[SITE, 1]]);

  await control.clickNotification(`change-${change.id}`);
  const opened = [...control.tabs.values()].at(-1);
  assert.equal(opened.url, `${server.baseUrl}/sites/${SITE}/changes/${change.id}`);
  assert.equal(control.notifications.size, 0);
  const after = (await control.send({ type: "popup/state", tabId })).result;
  assert.deepEqual(after.watches.map((w) => [w.site, w.unread]), [[SITE, 0]]);

  // Nothing new: the feed answers 304 to our ETag and nothing is shown again.
  await control.fireAlarm(POLL_ALARM);
  const [quiet] = await control.fireAlarm(POLL_ALARM);
  assert.equal(quiet.notified, 0);
  const feedCalls = server.log.slice(before).filter((e) => e.url.includes("/changes"));
  const bucket = siteHash(SITE).slice(0, 2);
  for (const call of feedCalls) {
    assert.equal(new URL(call.url).searchParams.get("buckets"), bucket);
  }
});

test("Track this site is the only call that names a site", async () => {
  const site = "newshop.example";
  const tabId = await control.visit(`https://www.${site}/`);
  const namedBefore = server.log.filter((e) => (e.url + e.body).includes(site));
  assert.deepEqual(namedBefore, []);
  const answer = await control.send({ type: "site/track", site });
  assert.equal(answer.result.state, "pending");
  const named = server.log.filter((e) => (e.url + e.body).includes(site));
  assert.deepEqual(named.map((e) => e.method), ["POST"]);
  const view = (await control.send({ type: "popup/state", tabId })).result;
  assert.equal(view.request.state, "pending");
  assert.equal(view.watched, true);
  // Opening the popup again names the site to nobody: the request's state is local.
  await control.send({ type: "popup/state", tabId });
  assert.equal(server.log.filter((e) => (e.url + e.body).includes(site)).length, 1);
});

test("two polls at once share one feed request", async () => {
  const before = server.log.length;
  const [a, b] = await Promise.all([control.fireAlarm(POLL_ALARM), control.fireAlarm(POLL_ALARM)]);
  assert.equal(a[0], b[0]);
  assert.equal(server.log.length - before, 1);
});

test("a long history is read over several polls, the next one soon", async () => {
  const { chrome: c2, control: k2 } = createFakeChrome();
  const s2 = createFakeServer();
  for (let i = 0; i < 2100; i++) s2.addChange("long.example", { at: "2020-01-01T00:00:00Z" });
  const app = createApp({ chrome: c2, fetch: s2.fetch });
  await c2.storage.sync.set({ options: { serverUrl: s2.baseUrl } });
  await app.route({ type: "watch/add", site: "long.example" }, { id: c2.runtime.id, url: `${k2.base}popup.html` });
  const first = await app.onAlarm({ name: POLL_ALARM });
  assert.deepEqual([first.changes, first.more], [2000, true]);
  assert.ok(k2.alarms.get("poll-more"));
  const second = await app.onAlarm({ name: "poll-more" });
  assert.deepEqual([second.changes, second.more, second.notified], [100, false, 0]);
});

test("a dead server leaves a readable error, not an exception", async () => {
  server.failNext(() => Promise.reject(new TypeError("fetch failed")));
  const [report] = await control.fireAlarm(POLL_ALARM);
  assert.match(report.error, /cannot reach the server/);
  const tabId = await control.visit("chrome://newtab/");
  const view = (await control.send({ type: "popup/state", tabId })).result;
  assert.match(view.lastPoll.error, /cannot reach the server/);
});

test("lookups are cached for the TTL on an injected clock, then revalidated by ETag", async () => {
  const { chrome: c2, control: k2 } = createFakeChrome();
  const s2 = createFakeServer();
  s2.track("cached.example");
  let clock = 1_000_000;
  const app = createApp({ chrome: c2, fetch: s2.fetch, now: () => clock });
  await c2.storage.sync.set({ options: { serverUrl: s2.baseUrl } });
  const tab = await c2.tabs.create({ url: "https://cached.example/" });
  await app.updateBadge(tab.id, tab.url);
  await app.updateBadge(tab.id, tab.url);
  assert.equal(s2.log.length, 1);
  clock += LOOKUP_TTL_MS;
  await app.updateBadge(tab.id, tab.url);
  assert.equal(s2.log.length, 2);
  assert.equal(k2.badges.get(tab.id).text, "✓");
  // Options changes: a new interval reschedules; a bad one is refused.
  await app.route({ type: "options/set", options: { pollMinutes: 5 } }, { id: c2.runtime.id, url: k2.base + "options.html" });
  assert.equal(k2.alarms.get(POLL_ALARM).periodInMinutes, 5);
  await assert.rejects(
    app.route({ type: "options/set", options: { pollMinutes: -1 } }, { id: c2.runtime.id, url: k2.base + "options.html" }),
    /polling interval/,
  );
});

test("tab events of one navigation share one lookup request", async () => {
  const { chrome: c2 } = createFakeChrome();
  const s2 = createFakeServer();
  const app = createApp({ chrome: c2, fetch: s2.fetch });
  await c2.storage.sync.set({ options: { serverUrl: s2.baseUrl } });
  const tab = await c2.tabs.create({ url: "https://www.burst.example/" });
  await Promise.all([
    app.onTabUpdated(tab.id, { url: tab.url }, tab),
    app.onTabUpdated(tab.id, { status: "complete" }, tab),
    app.onTabActivated({ tabId: tab.id }),
  ]);
  assert.equal(s2.log.length, 1);
});

test("the popup with the server away and nothing cached says why", async () => {
  const { chrome: c2, control: k2 } = createFakeChrome();
  const down = () => Promise.reject(new TypeError("fetch failed"));
  const app = createApp({ chrome: c2, fetch: down });
  await c2.storage.sync.set({ options: { serverUrl: "https://cw.example.net" } });
  const tab = await c2.tabs.create({ url: "https://away.example/" });
  const view = await app.route({ type: "popup/state", tabId: tab.id }, { id: c2.runtime.id, url: `${k2.base}popup.html` });
  assert.equal(view.site, "away.example");
  assert.equal(view.state, "none");
  assert.match(view.error, /cannot reach the server at https:\/\/cw.example.net/);
  const badge = await app.updateBadge(tab.id, tab.url);
  assert.equal(badge, "none");
});

test("watch list export and import through the router", async () => {
  const exported = (await control.send({ type: "watchlist/export" })).result;
  assert.deepEqual(JSON.parse(exported).sites, ["newshop.example", SITE]);
  const imported = await control.send({ type: "watchlist/import", text: '["a.example", "shop.example"]' });
  assert.deepEqual(imported.result, { added: 1, total: 2 });
  const bad = await control.send({ type: "watchlist/import", text: "nope" });
  assert.deepEqual(bad, { ok: false, error: "not a JSON file" });
});

function page(control, name = "popup.html") {
  return { id: "lhjploppaobkgcggfblihpininohkcdi", url: `${control.base}${name}` };
}

test("first run: no server chosen, no request at all; the onboarding page opens", async () => {
  const { chrome: c2, control: k2 } = createFakeChrome();
  const calls = [];
  const app = createApp({ chrome: c2, fetch: (...a) => calls.push(a) && Promise.reject(new Error("no")) });
  await app.onInstalled({ reason: "install" });
  assert.deepEqual([...k2.tabs.values()].map((t) => t.url), [`${k2.base}onboarding.html`]);
  const tab = await c2.tabs.create({ url: "https://www.visited.example/" });
  assert.equal(await app.updateBadge(tab.id, tab.url), "unconfigured");
  assert.equal(k2.badges.get(tab.id).text, "");
  assert.equal(k2.badges.get(tab.id).title, "Clausewatch: choose a server to start");
  const view = await app.route({ type: "popup/state", tabId: tab.id }, page(k2));
  assert.deepEqual([view.configured, view.state, view.error], [false, "unconfigured", null]);
  await app.route({ type: "watch/add", site: "visited.example" }, page(k2));
  assert.equal((await app.poll()).error, null);
  assert.deepEqual(calls, [], "nothing is sent before a server is chosen");
  // An update (not an install) does not open the page again.
  await app.onInstalled({ reason: "update" });
  assert.equal(k2.tabs.size, 2);
  // Choosing a server ends it.
  const s2 = createFakeServer();
  await app.route({ type: "options/set", options: { serverUrl: s2.baseUrl } }, page(k2, "onboarding.html"));
  const app2 = createApp({ chrome: c2, fetch: s2.fetch });
  assert.equal(await app2.updateBadge(tab.id, tab.url), "untracked");
});

test("first sight of a site with a recent material change shows it; the popup calms it", async () => {
  const { chrome: c2, control: k2 } = createFakeChrome();
  const s2 = createFakeServer();
  const now = Date.parse("2026-12-07T12:00:00Z");
  const app = createApp({ chrome: c2, fetch: s2.fetch, now: () => now });
  await c2.storage.sync.set({ options: { serverUrl: s2.baseUrl } });
  s2.track("recent.example");
  s2.addChange("recent.example", { at: "2025-01-01T00:00:00Z", summary: "old wording" });
  const sale = s2.addChange("recent.example", {
    at: "2026-12-07T11:50:00Z",
    material: true,
    summary: "adds sale of personal information",
  });
  const tab = await c2.tabs.create({ url: "https://recent.example/" });
  assert.equal(await app.updateBadge(tab.id, tab.url), "material");
  assert.equal(k2.badges.get(tab.id).text, "!");
  const view = await app.route({ type: "popup/state", tabId: tab.id }, page(k2));
  assert.equal(view.state, "material");
  assert.deepEqual(view.changes.map((c) => [c.id, c.fresh]), [[sale.id, true], [sale.id - 1, false]]);
  assert.equal(k2.badges.get(tab.id).text, "✓", "looking at it in the popup calms the badge");

  // A material change older than 90 days is history on first sight.
  s2.track("old.example");
  s2.addChange("old.example", { at: "2026-06-01T00:00:00Z", material: true });
  const oldTab = await c2.tabs.create({ url: "https://old.example/" });
  assert.equal(await app.updateBadge(oldTab.id, oldTab.url), "tracked");
});

test("track failures: the server's reason, Try again, Check status — each on a click only", async () => {
  const { chrome: c2, control: k2 } = createFakeChrome();
  const s2 = createFakeServer();
  const app = createApp({ chrome: c2, fetch: s2.fetch });
  await c2.storage.sync.set({ options: { serverUrl: s2.baseUrl } });
  const site = "flaky.example";
  const tab = await c2.tabs.create({ url: `https://${site}/` });
  const named = () => s2.log.filter((e) => (e.url + e.body).includes(site)).length;

  s2.failNext(
    new Response(JSON.stringify({ title: "Too many requests", detail: "retry in 30 s", status: 429 }), {
      status: 429,
      headers: { "Content-Type": "application/problem+json", "Retry-After": "30" },
    }),
  );
  const refused = await app.route({ type: "site/track", site }, page(k2));
  assert.deepEqual([refused.state, refused.detail, refused.retryAfter], ["error", "Too many requests: retry in 30 s", 30]);
  let view = await app.route({ type: "popup/state", tabId: tab.id }, page(k2));
  assert.deepEqual([view.request.state, view.request.detail], ["error", "Too many requests: retry in 30 s"]);
  assert.equal(view.watched, false);
  assert.equal(named(), 1);

  // Try again: the server takes it, then its tracking fails with a reason.
  s2.track(site, "failed", "no privacy policy found (no candidate)");
  const retried = await app.route({ type: "site/track", site }, page(k2));
  assert.deepEqual([retried.state, retried.detail], ["failed", "no privacy policy found (no candidate)"]);
  view = await app.route({ type: "popup/state", tabId: tab.id }, page(k2));
  assert.equal(view.request.state, "failed");
  assert.equal(named(), 2, "opening the popup does not name the site");

  // Pending, then Check status (a click) learns it is tracked; the lookup then finds it.
  s2.sites.delete(site);
  assert.equal((await app.route({ type: "site/track", site }, page(k2))).state, "pending");
  s2.track(site);
  const status = await app.route({ type: "site/status", site }, page(k2));
  assert.equal(status.state, "tracked");
  assert.equal(named(), 4);
  view = await app.route({ type: "popup/state", tabId: tab.id }, page(k2));
  assert.deepEqual([view.state, view.request, view.watched], ["tracked", null, true]);
});

test("each notification shown is also told to listeners (what headless Firefox can check)", async () => {
  const { chrome: c2, control: k2 } = createFakeChrome();
  const s2 = createFakeServer();
  const app = createApp({ chrome: c2, fetch: s2.fetch });
  await c2.storage.sync.set({ options: { serverUrl: s2.baseUrl } });
  s2.track("told.example");
  await app.route({ type: "watch/add", site: "told.example" }, page(k2));
  const change = s2.addChange("told.example", { material: true, summary: "sells data" });
  const told = [];
  app.events.addEventListener("notified", (e) => told.push(e.detail));
  await app.poll();
  assert.equal(told.length, 1);
  assert.equal(told[0].notificationId, `change-${change.id}`);
  assert.equal(told[0].title, "told.example: material privacy policy change");
  assert.equal(told[0].message, "sells data");
});
