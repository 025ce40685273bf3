// The extension's end-to-end flow in Debian's Firefox ESR, driven over WebDriver BiDi by
// puppeteer-core (no browser download). tests/e2e/test_extension_firefox.py runs it: it
// starts the shop site and `clausewatch serve` (behind its request log), then this script,
// and answers the script's questions on stdin — one JSON line each way:
//   script → pytest  {"ask": "record_change", "site", "material"} | {"ask": "log"} |
//                    {"ask": "refuse_next", ...} ; the answer is one JSON line back
//   script → pytest  {"done": {...}} at the end, or {"error": "..."} (exit 1)
// The same scenarios as tests/e2e/test_extension.py (Chromium), asserted here where they
// are about the browser and in pytest where they are about the server's log.
//
// Firefox specifics: every host resolves to 127.0.0.1 (network.dns.forceResolve), so
// *.test sites reach the shop site; the extension's moz-extension:// UUID is pinned by a
// pref; extension pages are reached with MOZ_REMOTE_ALLOW_SYSTEM_ACCESS=1, and their
// navigation is awaited from the extension's own view of its pages, then by readyState
// (page.goto never resolves for moz-extension://; waits.mjs says why and what can race).
// Headless Firefox closes a notification after about a second, so what the extension
// passed to notifications.create is read from its "notified" event.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

import puppeteer from "puppeteer-core";

import { described, settled, waiter } from "./waits.mjs";

const config = JSON.parse(process.argv[2]);
const { serverUrl, shopPort, uuid, geckoId, extension, output, axe: axePath } = config;
const BASE = `moz-extension://${uuid}`;
const SITE = "shop.test";
const SOLD_SITE = "sold.test";
const OTHER_SITE = "newshop.test";
const POPUP = { width: 364, height: 600 };
const AXE = readFileSync(axePath, "utf8");

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function ask(question) {
  process.stdout.write(`${JSON.stringify(question)}\n`);
  const { value, done } = await lines.next();
  if (done) throw new Error("pytest closed stdin");
  return JSON.parse(value);
}

const axeResults = {};
const started = Date.now();
/** Progress on stderr (pytest keeps it in test-output/extension/firefox-e2e.log). */
function step(name) {
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s ${name}\n`);
}
const shots = [];

const waitFor = waiter({ log: (message) => step(`waitFor: ${message}`) });
let openings = 0;

async function loaded(page, predicate = "true") {
  await waitFor(
    page,
    `document.readyState === "complete" && location.protocol === "moz-extension:" && (${predicate})`,
  );
}

/**
 * Opens an extension page in a new tab. `control` (an extension page already open) sees it
 * loaded before the wait moves into the page; the first page has none and is waited for in
 * itself. The URL is unique per opening (`open=`), so the control waits for this one.
 */
async function openExtensionPage(browser, control, path, predicate, viewport) {
  const page = await browser.newPage();
  if (viewport) await page.setViewport(viewport);
  const url = `${BASE}/${path}${path.includes("?") ? "&" : "?"}open=${++openings}`;
  page.goto(url).catch(() => {}); // never resolves for moz-extension://: see waits.mjs
  if (control) await settled(waitFor, control, url);
  await loaded(page, predicate);
  return page;
}

async function popupFor(browser, control, tabId) {
  return openExtensionPage(
    browser,
    control,
    `popup.html?tabId=${tabId}`,
    `document.body.dataset.renders === "1"`,
    POPUP,
  );
}

/**
 * Reloads an extension page (page.reload would wait for an event that never comes); resolves
 * once the control sees the new document loaded (the old one is marked stale).
 */
async function reopen(control, page) {
  const url = await page.evaluate(() => location.href);
  await page.evaluate(() => {
    document.body.dataset.renders = "stale";
    setTimeout(() => location.reload(), 0);
  });
  await settled(waitFor, control, url);
}

async function renders(page, n) {
  await waitFor(page, `document.body.dataset.renders === "${n}"`);
}

async function text(page, selector) {
  return page.$eval(selector, (node) => node.textContent);
}

async function shot(page, state) {
  const path = `${output}/firefox-popup-${state}.png`;
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height <= 600, `popup ${state} is ${height} px tall`);
}

// Dark colours here (the scheme the issue measured failing): Firefox runs with its content
// colour scheme forced dark, since puppeteer cannot emulate prefers-color-scheme over BiDi
// (it needs CDP). The Chromium test checks both schemes on the same pages and stylesheets.
async function axeCheck(page, name) {
  assert.ok(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches));
  await page.evaluate(AXE);
  const found = {
    dark: await page.evaluate(() =>
      globalThis.axe.run(document, { resultTypes: ["violations"] }).then((r) =>
        r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(" ")),
        })),
      ),
    ),
  };
  axeResults[name] = found;
  const bad = found.dark.filter((v) => ["serious", "critical"].includes(v.impact));
  assert.deepEqual(bad, [], `${name}: ${JSON.stringify(bad)}`);
}

/** Opens `url` in a new tab; resolves with the badge event of `site` (state, tabId). */
async function visit(browser, control, url, site) {
  await control.evaluate((s) => {
    globalThis.badgeFor = browser.runtime.getBackgroundPage().then(
      (bg) =>
        new Promise((resolve) =>
          bg.clausewatch.events.addEventListener("badge", (e) => {
            if (e.detail.site === s) resolve({ ...e.detail });
          }),
        ),
    );
  }, site);
  const page = await browser.newPage();
  await page.goto(url);
  return control.evaluate(() => globalThis.badgeFor);
}

async function badgeText(control, tabId) {
  return control.evaluate((t) => browser.action.getBadgeText({ tabId: t }), tabId);
}

async function run(browser) {
  const checkpoints = {};
  // First run: the onboarding page opens by itself. Puppeteer sees moz-extension tabs as
  // about:blank, so the test opens its own copy to drive and counts the tabs showing it.
  const onboarding = await openExtensionPage(
    browser,
    null,
    "onboarding.html",
    `document.querySelector("#onboarding-privacy li")`,
  );
  await waitFor(
    onboarding,
    async (url) => (await browser.tabs.query({})).filter((t) => t.url.split("?")[0] === url).length === 2,
    `${BASE}/onboarding.html`,
  );
  const control = onboarding;

  step("first run: nothing sent");
  const unconfigured = await visit(browser, control, `http://www.${SITE}:${shopPort}/`, SITE);
  assert.equal(unconfigured.state, "unconfigured");
  let popup = await popupFor(browser, control, unconfigured.tabId);
  assert.equal(await popup.evaluate(() => document.body.dataset.state), "unconfigured");
  await shot(popup, "unconfigured");
  await popup.close();
  checkpoints.beforeServer = (await ask({ ask: "log" })).lines;

  step("onboarding");
  const privacy = await text(onboarding, "#onboarding-privacy");
  assert.match(privacy, /at most the first 16 bits/);
  await onboarding.click("#use-local");
  assert.equal(await onboarding.$eval("#server-url", (n) => n.value), "http://127.0.0.1:8080");
  await axeCheck(onboarding, "onboarding");
  // A self-hosted server on a port: the permission is asked inside the click (issue 25, 1).
  await onboarding.$eval("#server-url", (n) => {
    n.value = "";
  });
  await onboarding.type("#server-url", serverUrl);
  await onboarding.click("#save");
  await waitFor(
    onboarding,
    () => document.querySelector("#saved").textContent || document.querySelector("#error").textContent,
  );
  assert.equal(await text(onboarding, "#error"), "");
  assert.match(await text(onboarding, "#saved"), /^Ready\./);
  await onboarding.screenshot({ path: `${output}/firefox-onboarding.png` });

  step("options");
  // Options: shows the server; saving it again (the port-bearing URL) works in Firefox.
  const options = await openExtensionPage(browser, control, "options.html", `document.querySelector("#server-url").value !== ""`);
  assert.equal(await options.$eval("#server-url", (n) => n.value), serverUrl);
  await options.$eval("#poll-minutes", (n) => {
    n.value = "30";
  });
  await options.click("button[type=submit]");
  await waitFor(
    options,
    () => document.querySelector("#saved").textContent || document.querySelector("#error").textContent,
  );
  assert.equal(await text(options, "#error"), "");
  assert.equal(await text(options, "#saved"), "Saved.");
  await axeCheck(options, "options");
  await options.screenshot({ path: `${output}/firefox-options.png`, fullPage: true });
  await options.close();

  step("tracked badge, watch");
  // A tracked page lights the badge.
  const tracked = await visit(browser, control, `http://www.${SITE}:${shopPort}/`, SITE);
  assert.equal(tracked.state, "tracked");
  assert.equal(await badgeText(control, tracked.tabId), "✓");
  popup = await popupFor(browser, control, tracked.tabId);
  assert.equal(await text(popup, "#site"), SITE);
  assert.match(await text(popup, "#changes"), /not material/);
  await shot(popup, "tracked");
  await axeCheck(popup, "popup-tracked");
  await popup.click("#watch");
  await renders(popup, 2);
  assert.ok(await popup.$("#unwatch"));
  await shot(popup, "watched");

  step("first-sight material");
  // A recent material change shows on first sight.
  const sold = await visit(browser, control, `http://${SOLD_SITE}:${shopPort}/`, SOLD_SITE);
  assert.equal(sold.state, "material");
  assert.equal(await badgeText(control, sold.tabId), "!");
  const soldPopup = await popupFor(browser, control, sold.tabId);
  assert.equal(await text(soldPopup, "#status"), "Material change you have not seen yet.");
  assert.match(await text(soldPopup, ".change.fresh"), /material.*new/s);
  await shot(soldPopup, "material-first-sight");
  await axeCheck(soldPopup, "popup-material");
  await soldPopup.close();

  step("change, poll, notification");
  // A material change of the watched site; the alarm fires; the notification is shown.
  const change = await ask({ ask: "record_change", site: SITE, material: true });
  const [report, told] = await control.evaluate(async () => {
    const bg = await browser.runtime.getBackgroundPage();
    return new Promise((resolve) => {
      const seen = [];
      bg.clausewatch.events.addEventListener("notified", (e) => seen.push({ ...e.detail }));
      bg.clausewatch.events.addEventListener(
        "polled",
        (e) => resolve([{ ...e.detail }, seen]),
        { once: true },
      );
      browser.alarms.create("poll", { when: Date.now(), periodInMinutes: 30 });
    });
  });
  assert.equal(report.error, null, JSON.stringify(report));
  assert.equal(report.notified, 1);
  const notificationId = `change-${change.id}`;
  assert.deepEqual(
    told.map((n) => [n.notificationId, n.title, n.message]),
    [[notificationId, `${SITE}: material privacy policy change`, change.summary]],
  );

  await reopen(control, popup);
  await loaded(popup, `document.body.dataset.renders === "1"`);
  assert.match(await text(popup, "#watches"), /1 new/);
  await shot(popup, "unread");
  checkpoints.beforeClick = (await ask({ ask: "log" })).lines;

  step("notification click, viewer");
  // Clicking the notification opens the change in the viewer.
  const viewerUrl = `${serverUrl}${change.url}`;
  const opened = browser.waitForTarget((t) => t.url() === viewerUrl);
  await control.evaluate(async (id) => {
    const bg = await browser.runtime.getBackgroundPage();
    await bg.clausewatch.onNotificationClicked(id);
  }, notificationId);
  const viewer = await (await opened).page();
  await waitFor(viewer, () => document.readyState === "complete");
  assert.match(await text(viewer, "body"), new RegExp(SITE.replace(".", "\\.")));
  await axeCheck(viewer, "viewer-change");
  await viewer.goto(`${serverUrl}/sites/${SITE}`);
  await axeCheck(viewer, "viewer-site");

  step("reading it keeps the history");
  await reopen(control, popup);
  await loaded(popup, `document.body.dataset.renders === "1"`);
  assert.doesNotMatch(await text(popup, "#watches"), /new/);
  assert.equal(await popup.$$eval(".change", (n) => n.length), 2);

  step("track, refused, retried");
  // Track: refused with a reason, tried again, status checked.
  const other = await visit(browser, control, `http://www.${OTHER_SITE}:${shopPort}/`, OTHER_SITE);
  assert.equal(other.state, "untracked");
  const trackPopup = await popupFor(browser, control, other.tabId);
  assert.equal(await text(trackPopup, "#status"), "Not tracked yet.");
  await shot(trackPopup, "untracked");
  checkpoints.beforeTrack = (await ask({ ask: "log" })).lines;
  await ask({
    ask: "refuse_next",
    method: "POST",
    path: "/api/v1/sites",
    status: 429,
    title: "Too many tracking requests",
    detail: "try again in 30 s",
  });
  await trackPopup.click("#track");
  await waitFor(trackPopup, () => document.body.dataset.state === "request-error");
  assert.equal(
    await text(trackPopup, "#status"),
    "Could not ask the server: Too many tracking requests: try again in 30 s",
  );
  await shot(trackPopup, "track-error");
  await axeCheck(trackPopup, "popup-track-error");
  await trackPopup.click("#retry");
  await waitFor(trackPopup, () => document.body.dataset.state === "request-pending");
  assert.match(await text(trackPopup, "#status"), /^Tracking requested /);
  await shot(trackPopup, "track-pending");
  await reopen(control, trackPopup);
  await loaded(trackPopup, `document.body.dataset.state === "request-pending"`);
  await trackPopup.click("#check-status");
  await renders(trackPopup, 2);

  step("done");
  return { checkpoints, change, axe: axeResults, shots };
}

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: config.firefox,
  headless: true,
  protocol: "webDriverBiDi",
  extraPrefsFirefox: {
    "extensions.webextensions.uuids": JSON.stringify({ [geckoId]: uuid }),
    "network.dns.forceResolve": "127.0.0.1",
    "layout.css.prefers-color-scheme.content-override": 0, // dark: see axeCheck
  },
  env: { ...process.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: "1" },
});
let code = 0;
try {
  step("launched");
  await browser.installExtension(extension);
  const done = await run(browser);
  process.stdout.write(`${JSON.stringify({ done })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: described(error), axe: axeResults })}\n`);
  code = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(code);
