// The service worker (Chrome) / background script (Firefox). Listeners are registered
// synchronously at the top level, so an event that wakes the worker finds them in place.

import { createApp } from "./lib/app.js";

const ext = globalThis.browser ?? globalThis.chrome;
const app = createApp({ chrome: ext });

// A failed event handler is logged in the worker's console instead of vanishing.
function logged(handler) {
  return (...args) => {
    const out = handler(...args);
    if (out instanceof Promise) out.catch((error) => console.error("Clausewatch:", error));
    return out;
  };
}

ext.runtime.onInstalled.addListener(logged(app.onInstalled));
ext.runtime.onStartup.addListener(logged(app.onStartup));
ext.alarms.onAlarm.addListener(logged(app.onAlarm));
ext.tabs.onActivated.addListener(logged(app.onTabActivated));
ext.tabs.onUpdated.addListener(logged(app.onTabUpdated));
ext.notifications.onClicked.addListener(logged(app.onNotificationClicked));
ext.runtime.onMessage.addListener(app.onMessage);

// Reachable from the worker's own console (and the end-to-end test), never from pages.
globalThis.clausewatch = app;
