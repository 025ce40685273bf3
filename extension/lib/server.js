// Pure helpers for pointing the extension at a server, and the one browser call that must
// stay inside the person's click.

import { LOCAL_SERVER, StoreError, validateOptions } from "./store.js";

/**
 * The host-permission pattern for a server URL: scheme and host, no port. Firefox match
 * patterns cannot carry a port (`permissions.contains` answers false for one), and a
 * pattern without a port covers every port in Chrome too.
 */
export function originPattern(serverUrl) {
  const url = new URL(serverUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

/** The server URL as it will be stored, or a StoreError saying what is wrong with it. */
export function checkServerUrl(text) {
  const serverUrl = String(text ?? "").trim();
  if (!serverUrl) throw new StoreError("enter the URL of a Clausewatch server");
  return validateOptions({ serverUrl }).serverUrl;
}

/**
 * Asks for the server's origin. Call it synchronously from the click or submit handler,
 * before any `await`: Firefox grants `permissions.request` only while the user gesture is
 * being handled, and an awaited call in front of it (`permissions.contains`) ends that.
 * When the origin is already granted, both browsers answer true without a prompt.
 */
export function requestServerPermission(permissions, serverUrl) {
  return permissions.request({ origins: [originPattern(serverUrl)] });
}

export { LOCAL_SERVER };
