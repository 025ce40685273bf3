// The background's logic, with its world injected (chrome.*, fetch, clock) so the unit
// tests drive it through an in-memory chrome and background.js stays a list of listeners.

import { ApiError, createApi, viewerUrl } from "./api.js";
import { badgeFor, firstSightMark, siteState } from "./badge.js";
import {
  bucketsOf,
  changesOfSite,
  isNewForWatch,
  isUnread,
  mergeInbox,
  notificationsFor,
  siteChanges,
  unreadCounts,
} from "./feed.js";
import { bucketHolds, bucketKey, bucketOf, lookupBucket, prefixBits, sha256Hex } from "./hash.js";
import { normaliseSite, siteOf } from "./site.js";
import { createStore, NO_SERVER } from "./store.js";
import { exportWatchlist, parseWatchlist } from "./watchlist.js";

export const POLL_ALARM = "poll";
export const CATCH_UP_ALARM = "poll-more";
// The server says `max-age=300` for lookups; we keep answers as long, then revalidate.
export const LOOKUP_TTL_MS = 5 * 60 * 1000;
const LOOKUP_CACHE_MAX = 500;
const NOTIFIED_MAX = 200;
const RECENT_PER_SITE = 5;
const BUCKET_CACHE_MAX = 32;
export const ONBOARDING_PAGE = "onboarding.html";

/**
 * The width an answer recommends, in bits: `prefix_bits`, or from an older server that
 * counts in hex digits, `prefix_length` (whose buckets it also answers by hex alone).
 */
export function recommendedBits(answer) {
  if (Number.isInteger(answer?.prefix_bits)) return answer.prefix_bits;
  if (Number.isInteger(answer?.prefix_length)) return 4 * answer.prefix_length;
  return null;
}

export function createApp({ chrome, fetch = (...a) => globalThis.fetch(...a), now = Date.now }) {
  const store = createStore({ sync: chrome.storage.sync, local: chrome.storage.local });
  const events = new EventTarget();
  const extensionOrigin = new URL(chrome.runtime.getURL("")).origin;
  const t = (key, substitutions) => chrome.i18n.getMessage(key, substitutions) || key;

  async function server() {
    const options = await store.getOptions();
    // Callers check configured() first; this guards against a request to nowhere.
    if (options.serverUrl === NO_SERVER) throw new ApiError("no server chosen yet");
    return createApi({ baseUrl: options.serverUrl, fetch });
  }

  /** Whether the person has chosen a server; until then no request is made at all. */
  async function configured() {
    return (await store.getOptions()).serverUrl !== NO_SERVER;
  }

  async function scheduleAlarm() {
    const options = await store.getOptions();
    await chrome.alarms.create(POLL_ALARM, {
      delayInMinutes: 1,
      periodInMinutes: options.pollMinutes,
    });
  }

  /** The lookup entry of a site (null: not tracked), learned from a short prefix only. */
  async function lookupSite(site) {
    const hash = await sha256Hex(site);
    const bucket = lookupBucket(hash, prefixBits(await store.getPrefixBits()));
    const key = bucketKey(bucket);
    const cache = await store.getLookupCache();
    let cached = cache[key];
    if (!cached || now() - cached.at >= LOOKUP_TTL_MS) {
      try {
        cached = await refreshLookup(bucket, key, cached);
      } catch (error) {
        if (!cached) throw error; // a stale answer beats none while the server is away
      }
    }
    return { hash, entry: cached.sites.find((s) => s.site_hash === hash) ?? null };
  }

  // One navigation fires several tab events; they share one request per bucket.
  const lookupsInFlight = new Map();

  function refreshLookup(bucket, key, cached) {
    if (!lookupsInFlight.has(key)) {
      const request = (async () => {
        const answer = await (await server()).lookup(bucket, { etag: cached?.etag });
        const fresh =
          answer.status === 304
            ? { ...cached, at: now() }
            : { at: now(), etag: answer.etag, sites: answer.body?.sites ?? [] };
        if (answer.status !== 304) {
          const recommended = recommendedBits(answer.body);
          if (recommended !== null) await store.setPrefixBits(recommended);
        }
        const cache = await store.getLookupCache();
        cache[key] = fresh;
        await store.setLookupCache(pruneLookups(cache));
        return fresh;
      })().finally(() => lookupsInFlight.delete(key));
      lookupsInFlight.set(key, request);
    }
    return lookupsInFlight.get(key);
  }

  function pruneLookups(cache) {
    const entries = Object.entries(cache).sort((a, b) => b[1].at - a[1].at);
    return Object.fromEntries(entries.slice(0, LOOKUP_CACHE_MAX));
  }

  /** Drops cached lookups the feed has just made stale; no request is made for them now. */
  async function forgetLookups(siteHashes) {
    if (siteHashes.length === 0) return;
    const cache = await store.getLookupCache();
    // Every cached bucket holding one of them, whatever width it was asked at.
    for (const key of Object.keys(cache)) {
      if (siteHashes.some((hash) => bucketHolds(key, hash))) delete cache[key];
    }
    await store.setLookupCache(cache);
  }

  /**
   * State of the site shown in a tab; on first sight of a tracked site records its "last
   * looked" mark (firstSightMark: recent material changes stay news).
   */
  async function tabSiteState(url) {
    const site = siteOf(url ?? "");
    if (!(await configured())) return { site, state: "unconfigured" };
    if (!site) return { site: null, state: siteState({ site: null }) };
    const { hash, entry } = await lookupSite(site);
    const seen = await store.getSeen();
    let seenId = seen[hash];
    if (entry && seenId === undefined) {
      seenId = firstSightMark(entry, now());
      await store.setSeen(hash, seenId);
    }
    return { site, hash, entry, seenId, state: siteState({ site, entry, seenId }) };
  }

  async function updateBadge(tabId, url) {
    let state = "none";
    let site = null;
    try {
      ({ state, site } = await tabSiteState(url));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // Server unreachable and nothing cached: say nothing rather than "not tracked".
    }
    const badge = badgeFor(state);
    await chrome.action.setBadgeText({ tabId, text: badge.textKey ? t(badge.textKey) : "" });
    await chrome.action.setBadgeBackgroundColor({ tabId, color: badge.color });
    await chrome.action.setTitle({ tabId, title: t(badge.titleKey, site ? [site] : undefined) });
    events.dispatchEvent(new CustomEvent("badge", { detail: { tabId, site, state } }));
    return state;
  }

  // An alarm and a "check now" may meet; they share one poll.
  let polling = null;

  function poll() {
    polling ??= pollOnce().finally(() => {
      polling = null;
    });
    return polling;
  }

  async function pollOnce() {
    const [options, watches] = await Promise.all([store.getOptions(), store.getWatches()]);
    const buckets = bucketsOf(watches);
    const report = { buckets, changes: 0, notified: 0, more: false, error: null };
    try {
      if (buckets.length === 0 || options.serverUrl === NO_SERVER) return report;
      const feed = await store.getFeedState();
      const bucketKey = buckets.join(",");
      const result = await (await server()).changesSince({
        after: feed.cursor,
        buckets,
        etag: feed.buckets === bucketKey ? feed.etag : null,
      });
      const feedState = { cursor: result.cursor, etag: result.etag, buckets: bucketKey };
      await chrome.storage.local.set({ lastPoll: { at: now(), error: null } });
      if (result.notModified) {
        await store.setFeedState(feedState);
        return report;
      }
      report.changes = result.changes.length;
      await store.setInbox(mergeInbox(await store.getInbox(), result.changes, watches));
      await forgetLookups(result.changes.filter((c) => watches[c.site]).map((c) => c.site_hash));
      const shown = notificationsFor(result.changes, watches, options, await store.getRead());
      const notified = await store.getNotified();
      for (const n of shown) {
        const shownAs = {
          type: "basic",
          iconUrl: chrome.runtime.getURL("icons/icon-128.png"),
          title: t(n.material ? "notificationTitleMaterial" : "notificationTitle", [n.site]),
          message: n.summary || t("notificationNoSummary"),
          priority: n.material ? 2 : 0,
        };
        await chrome.notifications.create(n.notificationId, shownAs);
        notified[n.notificationId] = { changeId: n.changeId, site: n.site, url: n.url };
        // What was shown, for the end-to-end tests: headless Firefox closes a notification
        // after about a second, so the notification list cannot be read back there.
        events.dispatchEvent(
          new CustomEvent("notified", { detail: { notificationId: n.notificationId, ...shownAs } }),
        );
      }
      const kept = Object.entries(notified).slice(-NOTIFIED_MAX);
      await store.setNotified(Object.fromEntries(kept));
      // The cursor moves last: a worker stopped mid-poll reads the same changes again, and
      // showing a notification under the same id again replaces it instead of doubling it.
      await store.setFeedState(feedState);
      report.notified = shown.length;
      report.more = result.more;
      // Catching up (a first install reads its buckets' history): carry on soon, not at
      // the next regular poll.
      if (result.more) await chrome.alarms.create(CATCH_UP_ALARM, { delayInMinutes: 0.5 });
      return report;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      report.error = error.message;
      await chrome.storage.local.set({ lastPoll: { at: now(), error: error.message } });
      return report;
    } finally {
      events.dispatchEvent(new CustomEvent("polled", { detail: report }));
    }
  }

  async function openChange(changeId, relativeUrl) {
    if (typeof relativeUrl !== "string" || !relativeUrl.startsWith("/")) {
      throw new Error("a change link must be a path on the server");
    }
    const options = await store.getOptions();
    await store.markRead([changeId]);
    const tab = await chrome.tabs.create({ url: viewerUrl(options.serverUrl, relativeUrl) });
    return { tabId: tab?.id ?? null };
  }

  async function onNotificationClicked(notificationId) {
    const notified = await store.getNotified();
    const item = notified[notificationId];
    if (!item) return null;
    const opened = await openChange(item.changeId, item.url);
    delete notified[notificationId];
    await store.setNotified(notified);
    await chrome.notifications.clear(notificationId);
    return opened;
  }

  /** The popup's view of a tab: site status, its last changes, the watch list. */
  async function popupState({ tabId }) {
    const tab =
      tabId === undefined || tabId === null
        ? (await chrome.tabs.query({ active: true, currentWindow: true }))[0]
        : await chrome.tabs.get(tabId);
    const [options, watches, inbox, read] = await Promise.all([
      store.getOptions(),
      store.getWatches(),
      store.getInbox(),
      store.getRead(),
    ]);
    const view = {
      configured: options.serverUrl !== NO_SERVER,
      serverUrl: options.serverUrl,
      site: siteOf(tab?.url ?? ""),
      state: "none",
      entry: null,
      watched: false,
      request: null,
      changes: [],
      error: null,
    };
    view.watched = Boolean(view.site && watches[view.site]);
    if (view.configured) {
      try {
        const { site, hash, entry, seenId, state } = await tabSiteState(tab?.url);
        view.state = state;
        view.entry = entry ?? null;
        if (site && entry) {
          const history = await siteHistory(hash);
          view.changes = siteChanges({
            history,
            inbox: inbox[site] ?? [],
            watch: watches[site] ?? null,
            options,
            read,
            seenId,
          });
          await forgetRequest(site); // tracked now: the request is done
          // Opening the popup on a site is "looking" at it: the badge calms down.
          await store.setSeen(hash, entry.last_change_id ?? 0);
          if (tab?.id !== undefined) await updateBadge(tab.id, tab.url);
        }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        view.error = error.message;
      }
      // What the person asked of the server before: read from this browser, never asked
      // again on opening (the site is named only when the person clicks).
      if (view.site && !view.entry) view.request = (await getRequests())[view.site] ?? null;
    } else {
      view.state = "unconfigured";
    }
    const counts = unreadCounts(inbox, watches, options, read);
    view.watches = Object.keys(watches)
      .sort()
      .map((site) => ({
        site,
        unread: counts[site],
        latest:
          (inbox[site] ?? []).find((c) => isUnread(c, watches[site], options, read)) ?? null,
      }));
    view.lastPoll = (await chrome.storage.local.get("lastPoll")).lastPoll ?? null;
    return view;
  }

  /** A site's public history: its 2-hex bucket of the feed, read on from a stored cursor. */
  async function siteHistory(hash) {
    // The site's 2-hex bucket of the public feed, read on from where this browser last
    // stopped in it (cursor + ETag), keeping each site's last few.
    const bucket = bucketOf(hash);
    const cache = (await chrome.storage.local.get("buckets")).buckets ?? {};
    const known = cache[bucket] ?? { cursor: null, etag: null, sites: {} };
    const result = await (await server()).changesSince({
      after: known.cursor,
      buckets: [bucket],
      etag: known.etag,
    });
    const sites = { ...known.sites };
    for (const siteHash of new Set(result.changes.map((c) => c.site_hash))) {
      sites[siteHash] = changesOfSite(
        [...(sites[siteHash] ?? []), ...result.changes],
        siteHash,
        RECENT_PER_SITE,
      );
    }
    delete cache[bucket]; // re-inserted last: the oldest buckets are the first to go
    cache[bucket] = { cursor: result.cursor, etag: result.etag, sites };
    const kept = Object.entries(cache).slice(-BUCKET_CACHE_MAX);
    await chrome.storage.local.set({ buckets: Object.fromEntries(kept) });
    return sites[hash] ?? [];
  }

  // Tracking requests this browser made: site -> {at, state, detail}. `state` is the
  // server's word (pending, tracked, failed) or "error" when the request itself failed.
  async function getRequests() {
    return (await chrome.storage.local.get("requested")).requested ?? {};
  }

  async function saveRequest(site, record) {
    const requested = await getRequests();
    requested[site] = record;
    await chrome.storage.local.set({ requested });
    return record;
  }

  async function forgetRequest(site) {
    const requested = await getRequests();
    if (!requested[site]) return;
    delete requested[site];
    await chrome.storage.local.set({ requested });
  }

  async function addWatch(input) {
    const site = normaliseSite(input);
    if (!site) throw new Error(`not a web site: ${input}`);
    let sinceId = 0;
    let hash;
    try {
      const found = await lookupSite(site);
      hash = found.hash;
      sinceId = found.entry?.last_change_id ?? 0;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      hash = await sha256Hex(site);
    }
    await store.addWatch({ site, hash, since: new Date(now()).toISOString(), sinceId });
    return { site, watched: true };
  }

  async function removeWatch(input) {
    const site = normaliseSite(input);
    if (!site) throw new Error(`not a web site: ${input}`);
    await store.removeWatch(site);
    const inbox = await store.getInbox();
    delete inbox[site];
    await store.setInbox(inbox);
    return { site, watched: false };
  }

  /**
   * "Track this site" (and "Try again"): the one moment a site is named to the server,
   * after a click. A refusal or an unreachable server is kept with its reason, to show.
   */
  async function track(input) {
    const site = normaliseSite(input);
    if (!site) throw new Error(`not a web site: ${input}`);
    let answer;
    try {
      answer = await (await server()).track(site);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const record = { at: now(), state: "error", detail: error.message };
      if (error.retryAfter) record.retryAfter = error.retryAfter;
      await saveRequest(site, record);
      return { site, ...record };
    }
    const record = {
      at: now(),
      state: answer?.state ?? "pending",
      detail: answer?.detail ?? null,
    };
    await saveRequest(site, record);
    await forgetLookups([await sha256Hex(site)]);
    if (record.state !== "failed") await addWatch(site);
    return { site, ...record };
  }

  /** "Check again": the tracking state of a requested site, asked by name after a click. */
  async function trackingStatus(input) {
    const site = normaliseSite(input);
    if (!site) throw new Error(`not a web site: ${input}`);
    const before = (await getRequests())[site] ?? { at: now() };
    let record;
    try {
      const info = await (await server()).site(site);
      record = info
        ? { ...before, state: info.state, detail: info.detail ?? null }
        : { ...before, state: "error", detail: t("trackUnknownToServer") };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      record = { ...before, state: "error", detail: error.message };
    }
    await saveRequest(site, record);
    if (record.state === "tracked") await forgetLookups([await sha256Hex(site)]);
    return { site, ...record };
  }

  async function setOptions(input) {
    const before = await store.getOptions();
    const options = await store.setOptions(input);
    if (options.serverUrl !== before.serverUrl) {
      // Another server: its cursors, ETags and answers mean nothing here.
      await chrome.storage.local.remove([
        "feed",
        "lookups",
        "buckets",
        "inbox",
        "notified",
        "seen",
        "requested",
        "lastPoll",
        "prefixBits", // its recommendation is the other server's store size
        "prefixLength", // what versions before prefixBits kept
      ]);
    }
    if (options.pollMinutes !== before.pollMinutes) await scheduleAlarm();
    return options;
  }

  async function importWatchlist(text) {
    const sites = parseWatchlist(text);
    const since = new Date(now()).toISOString();
    const watches = [];
    for (const site of sites) watches.push({ site, hash: await sha256Hex(site), since, sinceId: 0 });
    const added = await store.addWatches(watches);
    return { added, total: sites.length };
  }

  const routes = {
    "popup/state": (m) => popupState(m),
    "watch/add": (m) => addWatch(m.site),
    "watch/remove": (m) => removeWatch(m.site),
    "site/track": (m) => track(m.site),
    "site/status": (m) => trackingStatus(m.site),
    "change/open": (m) => openChange(m.changeId, m.url),
    "options/get": () => store.getOptions(),
    "options/set": (m) => setOptions(m.options),
    "watchlist/export": async () => exportWatchlist(await store.getWatches()),
    "watchlist/import": (m) => importWatchlist(m.text),
    "poll/now": () => poll(),
  };

  /** Only this extension's own pages may drive it; content scripts and web pages may not. */
  function isOwnPage(sender) {
    if (!sender || sender.id !== chrome.runtime.id || typeof sender.url !== "string") return false;
    try {
      return new URL(sender.url).origin === extensionOrigin;
    } catch {
      return false;
    }
  }

  async function route(message, sender) {
    if (!isOwnPage(sender)) throw new Error("messages are accepted from this extension's pages only");
    const handler = Object.hasOwn(routes, message?.type ?? "") ? routes[message.type] : null;
    if (!handler) throw new Error(`unknown message type: ${message?.type}`);
    return handler(message);
  }

  return {
    events,
    store,
    poll,
    updateBadge,
    route,
    isNewForWatch,
    /** A first install opens the onboarding page: no server is chosen yet. */
    onInstalled: async (details) => {
      await scheduleAlarm();
      if (details?.reason === "install" && !(await configured())) {
        await chrome.tabs.create({ url: chrome.runtime.getURL(ONBOARDING_PAGE) });
      }
    },
    onStartup: async () => {
      if (!(await chrome.alarms.get(POLL_ALARM))) await scheduleAlarm();
    },
    onAlarm: (alarm) => ([POLL_ALARM, CATCH_UP_ALARM].includes(alarm.name) ? poll() : null),
    onTabActivated: async ({ tabId }) => {
      const tab = await chrome.tabs.get(tabId);
      return updateBadge(tabId, tab.url);
    },
    onTabUpdated: (tabId, changeInfo, tab) =>
      changeInfo.url || changeInfo.status === "complete" ? updateBadge(tabId, tab.url) : null,
    onNotificationClicked,
    /** runtime.onMessage: answers through sendResponse, so Chrome keeps the port open. */
    onMessage: (message, sender, sendResponse) => {
      route(message, sender).then(
        (result) => sendResponse({ ok: true, result }),
        (error) => sendResponse({ ok: false, error: error.message }),
      );
      return true;
    },
  };
}
