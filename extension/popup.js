// The toolbar popup: status of the site in the current tab, its last changes, the watch list.
// Everything goes through the background's message router; this page holds no state.
// `popup.html?tabId=N` shows tab N (how tests and the options page can open it in a tab).

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

function date(iso) {
  const parsed = new Date(iso);
  return Number.isNaN(parsed.getTime()) ? iso : parsed.toLocaleDateString(undefined, { dateStyle: "medium" });
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
  const node = document.getElementById("error");
  node.textContent = t("popupError", [message]);
  node.hidden = !message;
}

function changeLink(view, change) {
  const href = `${view.serverUrl}${change.url}`;
  return el(
    "a",
    {
      href,
      class: "change-link",
      "data-change-id": String(change.id),
      onclick: (event) => {
        event.preventDefault();
        act(() => send("change/open", { changeId: change.id, url: change.url }));
      },
    },
    change.summary || t("popupNoSummary"),
  );
}

function changeItem(view, change) {
  return el(
    "li",
    { class: "change" },
    el("span", { class: `tag ${change.material ? "material" : "minor"}` },
      t(change.material ? "popupMaterial" : "popupMinor")),
    change.read === false ? el("span", { class: "tag unread" }, t("popupUnreadTag")) : null,
    changeLink(view, change),
    el("div", { class: "muted" }, date(change.detected_at)),
  );
}

function renderCurrent(view) {
  document.getElementById("site").textContent = view.site ?? t("popupNoSite");
  const status = document.getElementById("status");
  // No key: the server could not be asked; the error line says why.
  status.textContent = view.site && STATUS_KEYS[view.state] ? t(STATUS_KEYS[view.state]) : "";
  status.className = `state-${view.state}`;
  const dates = [];
  if (view.entry) {
    if (view.entry.last_change) dates.push(t("popupLastChange", [date(view.entry.last_change)]));
    if (view.entry.last_material_change) {
      dates.push(t("popupLastMaterial", [date(view.entry.last_material_change)]));
    }
    if (!dates.length) dates.push(t("popupNoChangeYet"));
  }
  if (view.watched) dates.unshift(t("popupWatching"));
  if (view.requested) dates.unshift(t("popupRequested", [view.requested]));
  document.getElementById("dates").textContent = dates.join(" · ");

  const actions = document.getElementById("actions");
  actions.replaceChildren();
  const hint = document.getElementById("track-hint");
  hint.hidden = true;
  if (!view.site) return;
  if (view.entry) {
    actions.append(
      view.watched
        ? button("unwatch", "popupUnwatch", () => send("watch/remove", { site: view.site }))
        : button("watch", "popupWatch", () => send("watch/add", { site: view.site })),
      el("a", { href: `${view.serverUrl}/sites/${view.site}`, target: "_blank", rel: "noreferrer" },
        t("popupOpenViewer")),
    );
  } else if (view.watched) {
    actions.append(button("unwatch", "popupUnwatch", () => send("watch/remove", { site: view.site })));
  } else if (view.state === "untracked") {
    actions.append(button("track", "popupTrack", () => send("site/track", { site: view.site })));
    hint.hidden = false;
  }
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
        " ",
        w.unread ? el("span", { class: "tag material" }, t("popupUnread", [String(w.unread)])) : null,
        w.latest ? el("div", {}, changeLink(view, w.latest)) : null,
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
    ? t("popupLastPoll", [new Date(view.lastPoll.at).toLocaleString()])
    : "";
  // Tests wait on this instead of sleeping.
  document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
}

localize(document);
document.getElementById("options").addEventListener("click", (event) => {
  event.preventDefault();
  ext.runtime.openOptionsPage();
});
render();
