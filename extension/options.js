// Options: server URL, polling interval, which changes alert, topics; watch list export/import.

import { CATEGORIES } from "./lib/feed.js";
import { localize, t } from "./lib/i18n.js";
import { renderPrivacy } from "./lib/privacy.js";
import { checkServerUrl, originPattern, requestServerPermission } from "./lib/server.js";

const ext = globalThis.browser ?? globalThis.chrome;
const form = document.getElementById("options-form");

async function send(type, payload = {}) {
  const answer = await ext.runtime.sendMessage({ type, ...payload });
  if (!answer?.ok) throw new Error(answer?.error ?? "no answer from the background");
  return answer.result;
}

function showError(message) {
  document.getElementById("error").textContent = message;
}

function categoryBoxes(selected) {
  const fieldset = document.getElementById("categories");
  for (const slug of CATEGORIES) {
    const box = Object.assign(document.createElement("input"), {
      type: "checkbox",
      name: "category",
      value: slug,
      checked: selected.includes(slug),
    });
    const label = document.createElement("label");
    label.append(box, " ", t(`category_${slug.replaceAll("-", "_")}`));
    fieldset.append(label);
  }
}

async function load() {
  const options = await send("options/get");
  form.serverUrl.value = options.serverUrl;
  form.pollMinutes.value = String(options.pollMinutes);
  form.alerts.value = options.materialOnly ? "material" : "all";
  categoryBoxes(options.categories);
}

async function save(serverUrl, granted) {
  try {
    if (!(await granted)) {
      showError(t("optionsPermissionDenied", [originPattern(serverUrl)]));
      return;
    }
    await send("options/set", {
      options: {
        serverUrl,
        pollMinutes: Number(form.pollMinutes.value),
        materialOnly: form.alerts.value === "material",
        categories: [...form.querySelectorAll("input[name=category]:checked")].map((b) => b.value),
      },
    });
    document.getElementById("saved").textContent = t("optionsSaved");
  } catch (error) {
    showError(error.message);
  }
}

// Not an async handler: the permission request must be made before anything is awaited,
// while the browser still counts this as the person's click (see requestServerPermission).
form.addEventListener("submit", (event) => {
  event.preventDefault();
  showError("");
  document.getElementById("saved").textContent = "";
  let serverUrl;
  try {
    serverUrl = checkServerUrl(form.serverUrl.value);
  } catch (error) {
    showError(error.message);
    return;
  }
  save(serverUrl, requestServerPermission(ext.permissions, serverUrl));
});

document.getElementById("export").addEventListener("click", async () => {
  try {
    const text = await send("watchlist/export");
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(new Blob([text], { type: "application/json" })),
      download: "clausewatch-watchlist.json",
    });
    link.click();
    URL.revokeObjectURL(link.href);
  } catch (error) {
    showError(error.message);
  }
});

document.getElementById("import").addEventListener("change", async (event) => {
  const [file] = event.target.files;
  if (!file) return;
  try {
    const { added, total } = await send("watchlist/import", { text: await file.text() });
    document.getElementById("watchlist-status").textContent = t("optionsImported", [
      String(added),
      String(total),
    ]);
    showError("");
  } catch (error) {
    showError(error.message);
  }
  event.target.value = "";
});

localize(document);
renderPrivacy(document.getElementById("privacy"), t);
load().catch((error) => showError(error.message));
