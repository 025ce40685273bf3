// What the extension costs the network and what it reveals, against the in-memory contract
// server (extension/test/support/fake-server.js) driven through the real background logic.
//
//     node bench/extension_traffic.mjs [--sites 5000] [--changes 20000] [--watches 50]
//
// Figures, each beside a baseline measured in the same run:
//   - the first catch-up of a fresh install, vs. the size of the whole feed;
//   - a quiet poll (nothing new): requests/bytes with cursor + ETag, vs. re-reading the
//     watched buckets from the beginning (no cursor, no ETag);
//   - a poll with news: bytes for the watched buckets, vs. the whole feed (no buckets);
//   - browsing: lookup requests for 500 page views over 60 sites with the 5-minute cache,
//     vs. one lookup per page view;
//   - privacy: how many tracked sites share each request's prefix/bucket (the crowd a
//     request hides in), vs. naming the site (a crowd of 1).

import { appendFileSync } from "node:fs";
import { createApp, LOOKUP_TTL_MS } from "../extension/lib/app.js";
import { createFakeChrome } from "../extension/test/support/fake-chrome.js";
import { createFakeServer, siteHash } from "../extension/test/support/fake-server.js";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), Number(all[i + 1])]);
    return pairs;
  }, []),
);
const SITES = args.sites ?? 5000;
const CHANGES = args.changes ?? 20000;
const WATCHES = args.watches ?? 50;

// A deterministic pseudo-random stream, so two runs compare.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const server = createFakeServer();
const sites = Array.from({ length: SITES }, (_, i) => `site${i}.example`);
for (const site of sites) server.track(site);
for (let i = 0; i < CHANGES; i++) {
  server.addChange(sites[Math.floor(rand() * SITES)], {
    material: rand() < 0.2,
    summary: "adds sale of personal information to data brokers",
    at: "2024-01-01T00:00:00Z",
  });
}

let bytes = 0;
async function countingFetch(input, init) {
  const response = await server.fetch(input, init);
  const body = await response.clone().text();
  bytes += body.length;
  return response;
}

function measure() {
  const start = { requests: server.log.length, bytes };
  return () => ({ requests: server.log.length - start.requests, bytes: bytes - start.bytes });
}

const { chrome, control } = createFakeChrome();
let clock = Date.parse("2024-06-01T00:00:00Z");
const app = createApp({ chrome, fetch: countingFetch, now: () => clock });
await chrome.storage.sync.set({ options: { serverUrl: server.baseUrl } });
const sender = { id: chrome.runtime.id, url: `${control.base}popup.html` };
const watched = sites.slice(0, WATCHES);
for (const site of watched) await app.route({ type: "watch/add", site }, sender);

const fmt = (n) => n.toLocaleString("en-US");
const line = (name, value, baseline) =>
  console.log(`${name.padEnd(44)} ${value.padStart(28)}   baseline ${baseline}`);
// `make bench` (bench/run_all.py) reads one JSON line a figure from $BENCH_JSON (bench/report.py).
const figure = (name, value, unit, baseline, baselineValue, goal = null, met = null) => {
  if (!process.env.BENCH_JSON) return;
  const row = { bench: "extension_traffic", name, value, unit, baseline, baseline_value: baselineValue, goal, met };
  appendFileSync(process.env.BENCH_JSON, `${JSON.stringify(row)}\n`);
};

// First catch-up (a fresh install reads its buckets' history), then the figures.
let done = measure();
let polls = 0;
for (let more = true; more; polls++) more = (await app.poll()).more;
const catchUp = done();
line(
  "first catch-up (watched buckets' history)",
  `${polls} polls, ${catchUp.requests} req, ${fmt(catchUp.bytes)} B`,
  `whole feed: ${fmt(JSON.stringify({ changes: server.changes }).length)} B`,
);
figure("first catch-up", catchUp.bytes, "B", "whole feed", JSON.stringify({ changes: server.changes }).length);

done = measure();
await app.poll(); // moves the ETag to the cursor's URL
await app.poll();
const quiet = done();
const buckets = [...new Set(watched.map((s) => siteHash(s).slice(0, 2)))];
done = measure();
const feedUrl = (after) =>
  `${server.baseUrl}/api/v1/changes?${after ? `after=${after}&` : ""}buckets=${buckets.join(",")}&limit=100`;
let page = await (await countingFetch(feedUrl(null))).json();
while (page.more) page = await (await countingFetch(feedUrl(page.next))).json();
const reread = done();
line("quiet poll x2 (cursor + ETag: 200, then 304)", `${quiet.requests} req, ${fmt(quiet.bytes)} B`, `re-read buckets: ${reread.requests} req, ${fmt(reread.bytes)} B`);
figure("quiet poll x2", quiet.bytes, "B", "re-read buckets", reread.bytes);

for (let i = 0; i < 200; i++) {
  server.addChange(sites[Math.floor(rand() * SITES)], { material: true, summary: "x" });
}
done = measure();
const report = await app.poll();
const news = done();
const whole = server.changes.slice(-200);
line(
  "poll with 200 new changes (watched buckets)",
  `${news.requests} req, ${fmt(news.bytes)} B, ${report.changes} chg`,
  `whole feed: ${fmt(JSON.stringify({ changes: whole }).length)} B, 200 chg`,
);
figure("poll with 200 new changes", news.bytes, "B", "whole feed", JSON.stringify({ changes: whole }).length);

done = measure();
// People return to a few sites often: site k of 60 is visited with weight 1/k (Zipf).
const weights = Array.from({ length: 60 }, (_, k) => 1 / (k + 1));
const total = weights.reduce((a, b) => a + b, 0);
function zipfSite() {
  let r = rand() * total;
  for (let k = 0; k < 60; k++) if ((r -= weights[k]) <= 0) return sites[WATCHES + k];
  return sites[WATCHES + 59];
}
for (let view = 0; view < 500; view++) {
  clock += 30_000; // a page view every 30 s
  const site = zipfSite();
  const tab = await chrome.tabs.create({ url: `https://www.${site}/page${view}` });
  await app.updateBadge(tab.id, tab.url);
}
const browsing = done();
line(
  `500 views (Zipf, 60 sites), TTL ${LOOKUP_TTL_MS / 60000} min`,
  `${browsing.requests} lookup requests`,
  "500 lookup requests",
);
figure("lookups for 500 page views", browsing.requests, "req", "one per view", 500);

const hashes = sites.map(siteHash);
const crowd = (prefixLength) => {
  const counts = new Map();
  for (const h of hashes) counts.set(h.slice(0, prefixLength), (counts.get(h.slice(0, prefixLength)) ?? 0) + 1);
  const mine = watched.map((s) => counts.get(siteHash(s).slice(0, prefixLength)));
  return { min: Math.min(...mine), mean: mine.reduce((a, b) => a + b, 0) / mine.length };
};
const bucketCrowd = crowd(2);
const prefixCrowd = crowd(2); // what the extension sends while the server recommends 2
const fixedCrowd = crowd(5); // the fixed 5-hex prefix of the first contract
line("crowd per feed bucket (2 hex), tracked sites", `min ${bucketCrowd.min}, mean ${bucketCrowd.mean.toFixed(1)}`, "naming the site: 1");
line("crowd per lookup prefix (2 hex), tracked sites", `min ${prefixCrowd.min}, mean ${prefixCrowd.mean.toFixed(1)}`, `fixed 5 hex: mean ${fixedCrowd.mean.toFixed(2)}`);
const named = server.log.filter((e) => watched.some((s) => e.url.includes(s) || e.body.includes(s)));
line("requests naming a watched or visited site", String(named.length), "0 by design");
figure("requests naming a watched site", named.length, "req", null, null, "0", named.length === 0);
