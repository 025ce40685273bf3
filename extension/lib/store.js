// Where the extension keeps its state.
//   storage.sync  — what the person chose: options and watches, so they follow them across
//                   their own browsers. Never sent to the Clausewatch server.
//   storage.local — what this browser learned: feed cursor + ETag, lookup cache, the inbox of
//                   changes of watched sites, read state, "last looked" marks.

import { CATEGORIES } from "./feed.js";

// No server until the person chooses one (the onboarding page): there is no public
// Clausewatch server to default to, and an unconfigured extension makes no request at all.
export const NO_SERVER = "";

// What `make run` serves on; the onboarding page offers it.
export const LOCAL_SERVER = "http://127.0.0.1:8080";

export const DEFAULT_OPTIONS = Object.freeze({
  serverUrl: NO_SERVER,
  pollMinutes: 60,
  materialOnly: true,
  categories: [],
});

// storage.sync limits (Chrome's, Firefox's are the same or looser). One item a watch keeps
// each write small and lets watches be added without rewriting the whole list.
export const SYNC_QUOTA = Object.freeze({ bytes: 102_400, perItem: 8_192, items: 512 });
const WATCH_KEY = "watch:";
const OPTIONS_KEY = "options";
const MAX_READ_IDS = 5_000;
const MAX_SEEN_SITES = 2_000;

export class StoreError extends Error {
  constructor(message) {
    super(message);
    this.name = "StoreError";
  }
}

/** Options as stored, or a StoreError naming the first bad field. */
export function validateOptions(input) {
  const options = { ...DEFAULT_OPTIONS, ...input };
  let server;
  try {
    // No server chosen yet is a valid state (nothing is sent); a chosen one must be a URL.
    if (options.serverUrl === NO_SERVER) server = null;
    else server = new URL(options.serverUrl);
  } catch {
    throw new StoreError(`server URL is not a URL: ${options.serverUrl}`);
  }
  if (server && server.protocol !== "https:" && server.protocol !== "http:") {
    throw new StoreError("server URL must start with https:// or http://");
  }
  const minutes = Number(options.pollMinutes);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    throw new StoreError("polling interval must be a whole number of minutes from 1 to 1440");
  }
  if (!Array.isArray(options.categories)) throw new StoreError("categories must be a list");
  const unknown = options.categories.find((c) => !CATEGORIES.includes(c));
  if (unknown !== undefined) throw new StoreError(`unknown category: ${unknown}`);
  return {
    serverUrl: server ? server.href.replace(/\/+$/, "") : NO_SERVER,
    pollMinutes: minutes,
    materialOnly: Boolean(options.materialOnly),
    categories: [...new Set(options.categories)],
  };
}

function itemBytes(key, value) {
  // Chrome counts key length + JSON of the value.
  return key.length + new TextEncoder().encode(JSON.stringify(value)).length;
}

export function createStore({ sync, local }) {
  async function syncUsage() {
    const all = await sync.get(null);
    const entries = Object.entries(all);
    return {
      items: entries.length,
      bytes: entries.reduce((sum, [k, v]) => sum + itemBytes(k, v), 0),
    };
  }

  async function checkSyncRoom(newItems) {
    const usage = await syncUsage();
    const bytes = newItems.reduce((sum, [k, v]) => sum + itemBytes(k, v), 0);
    if (usage.items + newItems.length > SYNC_QUOTA.items || usage.bytes + bytes > SYNC_QUOTA.bytes) {
      throw new StoreError(
        `synced storage is full (${usage.items} items, ${usage.bytes} bytes): stop watching a site first`,
      );
    }
  }

  async function localGet(key, fallback) {
    const got = await local.get(key);
    return got[key] ?? fallback;
  }

  return {
    async getOptions() {
      const got = await sync.get(OPTIONS_KEY);
      return { ...DEFAULT_OPTIONS, ...(got[OPTIONS_KEY] ?? {}) };
    },

    async setOptions(input) {
      const options = validateOptions({ ...(await this.getOptions()), ...input });
      await sync.set({ [OPTIONS_KEY]: options });
      return options;
    },

    /** Watches keyed by site. */
    async getWatches() {
      const all = await sync.get(null);
      const watches = {};
      for (const [key, value] of Object.entries(all)) {
        if (key.startsWith(WATCH_KEY)) watches[key.slice(WATCH_KEY.length)] = value;
      }
      return watches;
    },

    async addWatch(watch) {
      const key = WATCH_KEY + watch.site;
      const existing = await sync.get(key);
      if (!existing[key]) await checkSyncRoom([[key, watch]]);
      await sync.set({ [key]: watch });
    },

    async removeWatch(site) {
      await sync.remove(WATCH_KEY + site);
    },

    /** Import: add watches not yet present in one write (sync allows few writes a minute). */
    async addWatches(watches) {
      const current = await this.getWatches();
      const fresh = watches.filter((w) => !current[w.site]);
      const items = fresh.map((w) => [WATCH_KEY + w.site, w]);
      if (items.length === 0) return 0;
      await checkSyncRoom(items);
      await sync.set(Object.fromEntries(items));
      return items.length;
    },

    async getFeedState() {
      return localGet("feed", { cursor: null, etag: null, buckets: "" });
    },
    async setFeedState(state) {
      await local.set({ feed: state });
    },

    /** The lookup width, in bits, the server last recommended (prefixBits clamps it). */
    async getPrefixBits() {
      return localGet("prefixBits", null);
    },
    async setPrefixBits(bits) {
      await local.set({ prefixBits: bits });
    },

    async getLookupCache() {
      return localGet("lookups", {});
    },
    async setLookupCache(cache) {
      await local.set({ lookups: cache });
    },

    /** Changes of watched sites, per site, newest first. */
    async getInbox() {
      return localGet("inbox", {});
    },
    async setInbox(inbox) {
      await local.set({ inbox });
    },

    async getRead() {
      return new Set(await localGet("read", []));
    },
    async markRead(ids) {
      const read = await this.getRead();
      for (const id of ids) read.add(id);
      // Keep the newest ids (change ids grow) so the list cannot grow without bound.
      const kept = [...read].sort((a, b) => b - a).slice(0, MAX_READ_IDS);
      await local.set({ read: kept });
    },

    /** The last change id the person has seen for each site hash ("last looked"). */
    async getSeen() {
      return localGet("seen", {});
    },
    async setSeen(siteHash, changeId) {
      const seen = await this.getSeen();
      delete seen[siteHash];
      seen[siteHash] = changeId;
      const keys = Object.keys(seen); // insertion order: oldest marks first
      for (const key of keys.slice(0, Math.max(0, keys.length - MAX_SEEN_SITES))) {
        delete seen[key];
      }
      await local.set({ seen });
    },

    /** Notification id -> change, so a click can open the change after a restart. */
    async getNotified() {
      return localGet("notified", {});
    },
    async setNotified(notified) {
      await local.set({ notified });
    },
  };
}
