// The manifest and the shipped files agree: pinned id, strings in _locales, icons, permissions.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

/** The Chrome extension id the manifest `key` pins (the end-to-end test relies on it). */
export const EXTENSION_ID = "lhjploppaobkgcggfblihpininohkcdi";

const root = new URL("../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");
const manifest = JSON.parse(read("manifest.json"));
const messages = JSON.parse(read("_locales/en/messages.json"));

test("the manifest key pins the extension id", () => {
  const der = Buffer.from(manifest.key, "base64");
  const hex = createHash("sha256").update(der).digest("hex").slice(0, 32);
  const id = [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join("");
  assert.equal(id, EXTENSION_ID);
});

test("one manifest for both browsers", () => {
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.background.service_worker, "background.js");
  assert.deepEqual(manifest.background.scripts, ["background.js"]);
  assert.equal(manifest.background.type, "module");
  assert.ok(manifest.browser_specific_settings.gecko.id);
  assert.deepEqual(manifest.browser_specific_settings.gecko.data_collection_permissions, {
    required: ["none"],
  });
  assert.deepEqual(manifest.permissions.sort(), ["alarms", "notifications", "storage", "tabs"]);
  // No remote code: extension pages run only their own scripts.
  assert.match(manifest.content_security_policy.extension_pages, /script-src 'self'/);
});

function pngSize(path) {
  const bytes = readFileSync(new URL(path, root));
  assert.equal(bytes.subarray(1, 4).toString("ascii"), "PNG");
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test("icons exist at their declared sizes", () => {
  for (const [size, path] of Object.entries(manifest.icons)) {
    assert.deepEqual(pngSize(path), [Number(size), Number(size)]);
  }
});

test("every visible string is a message in _locales/en", () => {
  const used = new Set();
  for (const value of JSON.stringify(manifest).matchAll(/__MSG_(\w+)__/g)) used.add(value[1]);
  const files = [
    "popup.html",
    "options.html",
    "onboarding.html",
    "popup.js",
    "options.js",
    "onboarding.js",
    "lib/app.js",
    "lib/badge.js",
    "lib/privacy.js",
  ];
  for (const file of files) {
    const text = read(file);
    for (const m of text.matchAll(/data-i18n="(\w+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/\bt\("(\w+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/(?:textKey|titleKey): "(\w+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/\b(?:t|list)\("(\w+)"/g)) used.add(m[1]);
  }
  const missing = [...used].filter((key) => !messages[key]);
  assert.deepEqual(missing, []);
  assert.ok(used.size > 30);
});

test("no host permission for a server nobody runs: only this computer's", () => {
  assert.deepEqual(manifest.host_permissions, ["http://127.0.0.1/*", "http://localhost/*"]);
  assert.deepEqual(manifest.optional_host_permissions, ["https://*/*", "http://*/*"]);
});

test("the shipped folder holds no tooling", () => {
  const top = readdirSync(root);
  assert.ok(!top.includes("node_modules"));
  assert.ok(!top.includes("package-lock.json"));
});
