// Pure: the watch list as a file a person can keep, move or share — sites only; when each
// watch started is this browser's business and restarts on import.

import { normaliseSite } from "./site.js";

export const WATCHLIST_FORMAT = "clausewatch-watchlist";

export class WatchlistError extends Error {
  constructor(message) {
    super(message);
    this.name = "WatchlistError";
  }
}

export function exportWatchlist(watches) {
  const sites = Object.keys(watches).sort();
  return `${JSON.stringify({ format: WATCHLIST_FORMAT, version: 1, sites }, null, 2)}\n`;
}

/** Sites from an exported file (or a bare JSON list of sites), normalised and deduplicated. */
export function parseWatchlist(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw new WatchlistError("not a JSON file");
  }
  let entries;
  if (Array.isArray(data)) entries = data;
  else if (data && data.format === WATCHLIST_FORMAT && Array.isArray(data.sites)) {
    entries = data.sites;
  } else throw new WatchlistError("not a Clausewatch watch list");
  const sites = [];
  for (const entry of entries) {
    const site = typeof entry === "string" ? normaliseSite(entry) : null;
    if (!site) throw new WatchlistError(`not a web site: ${JSON.stringify(entry)}`);
    if (!sites.includes(site)) sites.push(site);
  }
  return sites;
}
