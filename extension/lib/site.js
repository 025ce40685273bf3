// The site (registrable domain) of a tab's URL: the unit people watch and the server tracks.
//
// The extension must name the same site the server names for a host, or the hash lookup
// misses. lib/psl.js is the ICANN part of the Public Suffix List from the very snapshot the
// server uses (tldextract's; regenerate with extension-tools/make_psl.py). Like the server,
// private-section suffixes (github.io, blogspot.com, …) are not suffixes here: their
// customers all share one site. A host under a suffix the list does not know (`.test`) is
// registered one label below it.

import { EXCEPTIONS, RULES, WILDCARDS } from "./psl.js";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The registrable domain of `url`, lower-case and IDNA-encoded, or null if it has none. */
export function siteOf(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  // URL already lower-cases and IDNA-encodes the host; only the root dot is left to drop.
  const host = parsed.hostname.replace(/\.$/, "");
  if (!host || host.startsWith("[") || IPV4.test(host)) return null;
  const labels = host.split(".");
  if (labels.length < 2 || labels.some((label) => label === "")) return null;
  const suffixLabels = suffixLength(labels);
  if (labels.length <= suffixLabels) return null; // the host is itself a public suffix
  return labels.slice(-(suffixLabels + 1)).join(".");
}

/** How many trailing labels form the public suffix, by the PSL algorithm. */
export function suffixLength(labels) {
  // Candidates from the longest; an exception wins, else the longest matching rule.
  for (let i = 0; i < labels.length; i++) {
    const candidate = labels.slice(i).join(".");
    const n = labels.length - i;
    if (EXCEPTIONS.has(candidate)) return n - 1;
    if (n > 1 && (RULES.has(candidate) || WILDCARDS.has(labels.slice(i + 1).join(".")))) {
      return n;
    }
  }
  return 1;
}

/** A site as a person typed it (`Example.COM`, `https://www.example.com/x`), normalised. */
export function normaliseSite(input) {
  const text = String(input ?? "").trim();
  if (!text) return null;
  return siteOf(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
}
