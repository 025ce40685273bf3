// The site (registrable domain) of a tab's URL: the unit people watch and the server tracks.
//
// Limitation, on purpose: the full Public Suffix List is ~230 KB and changes weekly; shipping
// it would mean either a build step or a stale copy. We ship the multi-label suffixes people
// meet most often instead. A host under a suffix not listed here is cut after its last label
// (`a.b.example.xx` -> `example.xx`), which is right for every single-label TLD and wrong only
// for the rarer multi-label registries, where the badge then looks up the registry's suffix
// (e.g. `gov.xx`) and finds it untracked — a missed badge, never a leaked site.

const MULTI_LABEL_SUFFIXES = new Set([
  // Country-code second levels.
  "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "nhs.uk",
  "com.au", "net.au", "org.au", "edu.au", "gov.au", "id.au", "asn.au",
  "co.nz", "org.nz", "net.nz", "govt.nz", "ac.nz",
  "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "gr.jp", "ed.jp",
  "co.kr", "or.kr", "ne.kr", "go.kr", "ac.kr",
  "com.br", "net.br", "org.br", "gov.br", "edu.br",
  "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn",
  "com.hk", "org.hk", "edu.hk", "gov.hk",
  "com.tw", "org.tw", "edu.tw", "gov.tw",
  "com.sg", "org.sg", "edu.sg", "gov.sg",
  "com.my", "org.my", "gov.my",
  "co.in", "net.in", "org.in", "gov.in", "ac.in", "firm.in", "gen.in", "ind.in",
  "co.id", "or.id", "go.id", "ac.id",
  "co.th", "or.th", "go.th", "ac.th", "in.th",
  "com.mx", "org.mx", "gob.mx", "edu.mx",
  "com.ar", "org.ar", "gob.ar",
  "com.co", "org.co", "gov.co",
  "com.tr", "org.tr", "gov.tr", "edu.tr",
  "co.za", "org.za", "gov.za", "ac.za",
  "co.il", "org.il", "gov.il", "ac.il",
  "com.ua", "org.ua", "gov.ua",
  "com.pl", "org.pl", "net.pl",
  "co.at", "or.at", "gv.at", "ac.at",
  "com.es", "org.es", "gob.es",
  "com.pt", "org.pt", "gov.pt",
  "com.ph", "org.ph", "gov.ph",
  "com.vn", "org.vn", "gov.vn",
  "com.pk", "org.pk", "gov.pk",
  "com.sa", "org.sa", "gov.sa",
  "com.eg", "org.eg", "gov.eg",
  "com.ng", "org.ng", "gov.ng",
  "co.ke", "or.ke", "go.ke",
  // Hosting platforms whose customers each get a site of their own.
  "github.io", "gitlab.io", "herokuapp.com", "blogspot.com", "netlify.app", "vercel.app",
  "pages.dev", "workers.dev", "appspot.com", "web.app", "firebaseapp.com",
  "azurewebsites.net", "cloudfront.net", "wordpress.com", "substack.com", "myshopify.com",
]);

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

function suffixLength(labels) {
  // Longest listed suffix wins; our list has at most two labels.
  const lastTwo = labels.slice(-2).join(".");
  return MULTI_LABEL_SUFFIXES.has(lastTwo) ? 2 : 1;
}

/** A site as a person typed it (`Example.COM`, `https://www.example.com/x`), normalised. */
export function normaliseSite(input) {
  const text = String(input ?? "").trim();
  if (!text) return null;
  return siteOf(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
}
