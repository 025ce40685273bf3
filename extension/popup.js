// The toolbar popup: status of the site in the current tab, its last changes, the watch list.
// Everything goes through the background's message router; this page holds no state.
// `popup.html?tabId=N` shows tab N (how tests and the options page can open it in a tab).

import { changeDates, formatDay, formatMoment } from "./lib/dates.js";
import { localize, t } from "./lib/i18n.js";

const ext = globalThis.browser ?? globalThis.chrome;
const params = new URLSearchParams(location.search);
const tabId = params.has("tabId") ? Number(params.get("tabId")) : null;

async function send(type, payload = {}) {
  const answer = await ext.runtime.sendMessage({ type, ...payload });
  if (!answer?.ok) throw new Error(answer?.error ?? "no answer from the background");
  return answer.result;
}

const STATUS_KEYS = {
  unconfigured: "stateUnconfigured",
  untracked: "stateUntracked",
  tracked: "stateTracked",
  changed: "stateChanged",
  material: "stateMaterial",
};

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function button(id, key, action) {
  return el("button", { id, type: "button", onclick: () => act(action) }, t(key));
}

async function act(action) {
  try {
    await action();
  } catch (error) {
    showError(error.message);
    return;
  }
  await render();
}

function showError(message) {
  // The line is a live region: a new message is read out, an empty one hides it.
  document.getElementById("error").textContent = message ? t("popupError", [message]) : "";
}

function changeLink(view, change) {
  const summary = change.summary || t("popupNoSummary");
  return el(
    "a",
    {
      href: `${view.serverUrl}${change.url}`,
      class: "change-link reason",
      title: summary,
      "data-change-id": String(change.id),
      onclick: (event) => {
        event.preventDefault();
        act(() => send("change/open", { changeId: change.id, url: change.url }));
      },
    },
    summary,
  );
}

function changeDate(change) {
  const { day, from, to } = changeDates(change);
  const node = el("time", { datetime: change.to_captured_at ?? change.detected_at ?? "" }, day);
  if (from) node.title = t("popupChangedBetween", [from, to]);
  return node;
}

function changeItem(view, change) {
  return el(
    "li",
    { class: change.fresh ? "change fresh" : "change" },
    el(
      "span",
      {},
      el("span", { class: `tag ${change.material ? "material" : "minor"}` },
        t(change.material ? "popupMaterial" : "popupNotMaterial")),
      change.fresh ? el("span", { class: "tag new" }, t("popupNewTag")) : null,
    ),
    changeLink(view, change),
    changeDate(change),
  );
}

/** One status line for a site whose tracking this browser asked for. */
function requestStatus(request) {
  switch (request.state) {
    case "failed":
      return request.detail ? t("trackFailed", [request.detail]) : t("trackFailedNoReason");
    case "error":
      return t("trackError", [request.detail ?? ""]);
    case "tracked":
      return t("trackTracked");
    default:
      return t("trackPending", [formatDay(request.at)]);
  }
}

function renderCurrent(view) {
  document.getElementById("site").textContent = view.site ?? t("popupNoSite");
  const status = document.getElementById("status");
  const actions = document.getElementById("actions");
  const hint = document.getElementById("track-hint");
  actions.replaceChildren();
  hint.hidden = true;
  const dates = [];
  let state = view.state;
  let text = STATUS_KEYS[view.state] && (view.site || !view.configured) ? t(STATUS_KEYS[view.state]) : "";
  if (view.request) {
    state = view.request.state === "pending" || view.request.state === "tracked" ? "requested" : view.request.state;
    text = requestStatus(view.request);
  }
  status.textContent = text;
  status.className = `state-${state}`;

  if (!view.configured) {
    actions.append(button("choose-server", "popupChooseServer", () =>
      ext.tabs.create({ url: ext.runtime.getURL("onboarding.html") })));
  } else if (view.entry) {
    if (view.watched) dates.push(t("popupWatchingShort"));
    if (view.entry.last_change) dates.push(t("popupLastChange", [formatDay(view.entry.last_change)]));
    if (view.entry.last_material_change) {
      dates.push(t("popupLastMaterial", [formatDay(view.entry.last_material_change)]));
    }
    if (!view.entry.last_change) dates.push(t("popupNoChangeYet"));
    actions.append(
      view.watched
        ? button("unwatch", "popupUnwatch", () => send("watch/remove", { site: view.site }))
        : button("watch", "popupWatch", () => send("watch/add", { site: view.site })),
      el("a", { href: `${view.serverUrl}/sites/${view.site}`, target: "_blank", rel: "noreferrer" },
        t("popupOpenViewer")),
    );
  } else if (view.request) {
    if (view.watched) dates.push(t("popupWatchingShort"));
    if (view.request.state === "failed" || view.request.state === "error") {
      actions.append(button("retry", "popupRetry", () => send("site/track", { site: view.site })));
    } else if (view.request.state === "pending") {
      actions.append(button("check-status", "popupCheckStatus", () => send("site/status", { site: view.site })));
    }
    if (view.watched) {
      actions.append(button("unwatch", "popupUnwatch", () => send("watch/remove", { site: view.site })));
    }
  } else if (view.watched) {
    dates.push(t("popupWatchingShort"));
    actions.append(button("unwatch", "popupUnwatch", () => send("watch/remove", { site: view.site })));
  } else if (view.state === "untracked") {
    actions.append(button("track", "popupTrack", () => send("site/track", { site: view.site })));
    hint.hidden = false;
  }
  document.getElementById("dates").textContent = dates.join(" · ");
}

function renderChanges(view) {
  const section = document.getElementById("changes-section");
  section.hidden = view.changes.length === 0;
  document.getElementById("changes").replaceChildren(...view.changes.map((c) => changeItem(view, c)));
}

function renderWatches(view) {
  const list = document.getElementById("watches");
  if (!view.watches.length) {
    list.replaceChildren(el("li", { class: "muted" }, t("popupNoWatches")));
    return;
  }
  list.replaceChildren(
    ...view.watches.map((w) =>
      el(
        "li",
        { class: "watch", "data-site": w.site },
        el("strong", {}, w.site),
        w.unread ? el("span", { class: "tag new" }, t("popupUnread", [String(w.unread)])) : null,
        w.latest ? changeLink(view, w.latest) : null,
      ),
    ),
  );
}

async function render() {
  let view;
  try {
    view = await send("popup/state", { tabId });
  } catch (error) {
    showError(error.message);
    return;
  }
  renderCurrent(view);
  renderChanges(view);
  renderWatches(view);
  showError(view.error ?? view.lastPoll?.error ?? "");
  document.getElementById("last-poll").textContent = view.lastPoll
    ? t("popupLastPoll", [formatMoment(view.lastPoll.at)])
    : "";
  // Tests wait on this instead of sleeping.
  document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
  document.body.dataset.state = view.request ? `request-${view.request.state}` : view.state;
}

localize(document);
// The feed of watched sites is read on an alarm; this reads it now (the demo's loop).
document.getElementById("check-now").addEventListener("click", () => act(() => send("poll/now")));
document.getElementById("options").addEventListener("click", (event) => {
  event.preventDefault();
  ext.runtime.openOptionsPage();
});
render();
