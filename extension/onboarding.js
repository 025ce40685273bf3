// The first page a new install opens: choose a server (the local `make run` one is offered),
// and read what the extension sends and what it never sends. Nothing is sent anywhere
// before this page saves a server.

import { localize, t } from "./lib/i18n.js";
import { renderPrivacy } from "./lib/privacy.js";
import {
  checkServerUrl,
  LOCAL_SERVER,
  originPattern,
  requestServerPermission,
} from "./lib/server.js";

const ext = globalThis.browser ?? globalThis.chrome;
const form = document.getElementById("server-form");

async function send(type, payload = {}) {
  const answer = await ext.runtime.sendMessage({ type, ...payload });
  if (!answer?.ok) throw new Error(answer?.error ?? "no answer from the background");
  return answer.result;
}

function say(id, message) {
  document.getElementById(id).textContent = message;
}

async function save(serverUrl, granted) {
  try {
    if (!(await granted)) {
      say("error", t("optionsPermissionDenied", [originPattern(serverUrl)]));
      return;
    }
    await send("options/set", { options: { serverUrl } });
    say("saved", t("onboardingSaved"));
    document.getElementById("saved").className = "saved-ready";
  } catch (error) {
    say("error", error.message);
  }
}

// Synchronous up to the permission request: Firefox honours it only inside the gesture.
form.addEventListener("submit", (event) => {
  event.preventDefault();
  say("error", "");
  say("saved", "");
  let serverUrl;
  try {
    serverUrl = checkServerUrl(form.serverUrl.value);
  } catch (error) {
    say("error", error.message);
    return;
  }
  save(serverUrl, requestServerPermission(ext.permissions, serverUrl));
});

const useLocal = document.getElementById("use-local");
useLocal.textContent = t("onboardingUseLocal", [LOCAL_SERVER]);
useLocal.addEventListener("click", () => {
  form.serverUrl.value = LOCAL_SERVER;
  form.serverUrl.focus();
});

localize(document);
renderPrivacy(document.getElementById("onboarding-privacy"), t);
send("options/get")
  .then((options) => {
    if (options.serverUrl) form.serverUrl.value = options.serverUrl;
  })
  .catch((error) => say("error", error.message));
