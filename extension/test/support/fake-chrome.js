// An in-memory chrome.* with just the surface Clausewatch uses, behaving like Chrome where
// it matters to us: storage copies values and enforces sync quotas, i18n reads the real
// _locales file, events call their listeners, tabs/action/notifications/alarms keep state.

import { readFileSync } from "node:fs";

const MESSAGES = JSON.parse(
  readFileSync(new URL("../../_locales/en/messages.json", import.meta.url), "utf8"),
);

class FakeEvent {
  constructor() {
    this.listeners = [];
  }
  addListener(fn) {
    this.listeners.push(fn);
  }
  hasListeners() {
    return this.listeners.length > 0;
  }
  /** Calls every listener; returns what they returned (promises included). */
  dispatch(...args) {
    return this.listeners.map((fn) => fn(...args));
  }
}

const SYNC_LIMITS = { QUOTA_BYTES: 102_400, QUOTA_BYTES_PER_ITEM: 8_192, MAX_ITEMS: 512 };

class FakeStorageArea {
  constructor(limits = null) {
    this.data = new Map();
    this.limits = limits;
    this.writes = 0;
    Object.assign(this, limits ?? {});
  }
  async get(keys) {
    const out = {};
    if (keys === null || keys === undefined) {
      for (const [k, v] of this.data) out[k] = structuredClone(v);
      return out;
    }
    const list = typeof keys === "string" ? [keys] : Array.isArray(keys) ? keys : Object.keys(keys);
    for (const k of list) {
      if (this.data.has(k)) out[k] = structuredClone(this.data.get(k));
      else if (keys && typeof keys === "object" && !Array.isArray(keys)) out[k] = keys[k];
    }
    return out;
  }
  async set(items) {
    const next = new Map(this.data);
    for (const [k, v] of Object.entries(items)) next.set(k, JSON.parse(JSON.stringify(v)));
    if (this.limits) {
      let bytes = 0;
      for (const [k, v] of next) {
        const size = k.length + Buffer.byteLength(JSON.stringify(v));
        if (size > this.limits.QUOTA_BYTES_PER_ITEM) throw new Error("QUOTA_BYTES_PER_ITEM quota exceeded");
        bytes += size;
      }
      if (bytes > this.limits.QUOTA_BYTES) throw new Error("QUOTA_BYTES quota exceeded");
      if (next.size > this.limits.MAX_ITEMS) throw new Error("MAX_ITEMS quota exceeded");
    }
    this.data = next;
    this.writes += 1;
  }
  async remove(keys) {
    for (const k of typeof keys === "string" ? [keys] : keys) this.data.delete(k);
  }
  async clear() {
    this.data.clear();
  }
}

export function createFakeChrome({ id = "lhjploppaobkgcggfblihpininohkcdi" } = {}) {
  const base = `chrome-extension://${id}/`;
  const tabs = new Map();
  let nextTabId = 1;
  let activeTabId = null;
  const badges = new Map();
  const notifications = new Map();
  const alarms = new Map();
  const missingMessages = [];

  const chrome = {
    runtime: {
      id,
      getURL: (path) => base + String(path).replace(/^\//, ""),
      onInstalled: new FakeEvent(),
      onStartup: new FakeEvent(),
      onMessage: new FakeEvent(),
      async openOptionsPage() {},
    },
    i18n: {
      getMessage(key, substitutions) {
        const entry = MESSAGES[key];
        if (!entry) {
          missingMessages.push(key);
          return "";
        }
        const subs = substitutions === undefined ? [] : [].concat(substitutions);
        const placeholders = entry.placeholders ?? {};
        return entry.message.replace(/\$([A-Za-z0-9_]+)\$/g, (_, name) => {
          const content = placeholders[name.toLowerCase()]?.content ?? "";
          return content.replace(/\$(\d)/g, (__, n) => subs[Number(n) - 1] ?? "");
        });
      },
    },
    storage: {
      sync: new FakeStorageArea(SYNC_LIMITS),
      local: new FakeStorageArea(),
    },
    alarms: {
      onAlarm: new FakeEvent(),
      async create(name, info) {
        alarms.set(name, { name, ...info });
      },
      async get(name) {
        return alarms.get(name);
      },
      async getAll() {
        return [...alarms.values()];
      },
      async clear(name) {
        return alarms.delete(name);
      },
    },
    tabs: {
      onActivated: new FakeEvent(),
      onUpdated: new FakeEvent(),
      async get(tabId) {
        const tab = tabs.get(tabId);
        if (!tab) throw new Error(`No tab with id: ${tabId}.`);
        return { ...tab };
      },
      async query({ active } = {}) {
        return [...tabs.values()].filter((t) => !active || t.id === activeTabId);
      },
      async create({ url }) {
        const tab = { id: nextTabId++, url };
        tabs.set(tab.id, tab);
        activeTabId = tab.id;
        return { ...tab };
      },
    },
    action: {
      async setBadgeText({ tabId, text }) {
        badges.set(tabId, { ...badges.get(tabId), text });
      },
      async setBadgeBackgroundColor({ tabId, color }) {
        badges.set(tabId, { ...badges.get(tabId), color });
      },
      async setTitle({ tabId, title }) {
        badges.set(tabId, { ...badges.get(tabId), title });
      },
    },
    notifications: {
      onClicked: new FakeEvent(),
      async create(notificationId, options) {
        for (const field of ["type", "iconUrl", "title", "message"]) {
          if (!options[field]) throw new Error(`notifications.create: missing ${field}`);
        }
        notifications.set(notificationId, options);
        return notificationId;
      },
      async clear(notificationId) {
        return notifications.delete(notificationId);
      },
      async getAll() {
        return Object.fromEntries([...notifications.keys()].map((k) => [k, true]));
      },
    },
  };

  /** Test-side controls: what a person or the browser would do. */
  const control = {
    base,
    badges,
    notifications,
    alarms,
    tabs,
    missingMessages,
    /** Opens a page the way the browser reports it: created, then loaded, then activated. */
    async visit(url) {
      const tab = await chrome.tabs.create({ url });
      await Promise.all(chrome.tabs.onUpdated.dispatch(tab.id, { status: "complete" }, tab));
      await Promise.all(chrome.tabs.onActivated.dispatch({ tabId: tab.id }));
      return tab.id;
    },
    /** Sends a message to the background like runtime.sendMessage from `senderUrl`. */
    send(message, sender = { id, url: `${base}popup.html` }) {
      return new Promise((resolve) => {
        const kept = chrome.runtime.onMessage.dispatch(message, sender, resolve);
        if (!kept.includes(true)) resolve(undefined);
      });
    },
    async fireAlarm(name) {
      return Promise.all(chrome.alarms.onAlarm.dispatch({ name, scheduledTime: 0 }));
    },
    async clickNotification(notificationId) {
      return Promise.all(chrome.notifications.onClicked.dispatch(notificationId));
    },
  };

  return { chrome, control };
}
