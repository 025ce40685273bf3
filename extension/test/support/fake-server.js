// An in-memory Clausewatch server speaking docs/extension-api.md, as a `fetch` function.
// It keeps a log of every request so tests can check what the extension told it.

import { createHash } from "node:crypto";

export function siteHash(site) {
  return createHash("sha256").update(site, "utf8").digest("hex");
}

function etagOf(body) {
  return `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
}

// `countsBits: false` speaks as servers did before prefix_bits: hex prefixes of 2 to 5
// digits, `prefix_length` only.
export function createFakeServer({
  baseUrl = "https://cw.example.org",
  prefixBits = 8,
  countsBits = true,
} = {}) {
  const sites = new Map(); // site -> {site, hash, state}
  const changes = []; // oldest first
  const log = [];
  let nextId = 1;
  let failures = [];

  function json(status, value, headers = {}) {
    const body = JSON.stringify(value);
    return new Response(body, {
      status,
      headers: { "Content-Type": "application/json", ETag: etagOf(body), ...headers },
    });
  }

  function problem(status, title, detail, headers = {}) {
    return new Response(JSON.stringify({ type: "about:blank", title, status, detail }), {
      status,
      headers: { "Content-Type": "application/problem+json", ...headers },
    });
  }

  function cached(request, response) {
    const tag = response.headers.get("ETag");
    if (tag && request.headers.get("If-None-Match") === tag) {
      return new Response(null, { status: 304, headers: { ETag: tag } });
    }
    return response;
  }

  function lookupEntry(record) {
    const own = changes.filter((c) => c.site === record.site);
    const last = own.at(-1);
    const lastMaterial = own.filter((c) => c.material).at(-1);
    return {
      site_hash: record.hash,
      status: "ok",
      last_change: last?.detected_at ?? null,
      last_change_id: last?.id ?? null,
      last_material_change: lastMaterial?.detected_at ?? null,
      last_material_change_id: lastMaterial?.id ?? null,
    };
  }

  async function handle(request) {
    const url = new URL(request.url);
    const path = url.pathname;
    let match;
    if (request.method === "GET" && (match = path.match(/^\/api\/v1\/lookup\/([0-9a-f]{1,5})$/))) {
      const hex = match[1];
      const raw = url.searchParams.get("bits");
      const bits = raw === null ? 4 * hex.length : Number(raw);
      const spare = 4 * hex.length - bits;
      const canonical = countsBits
        ? [...url.searchParams.keys()].every((k) => k === "bits") &&
          url.searchParams.getAll("bits").length <= 1 &&
          (raw === null ||
            (/^[1-9][0-9]?$/.test(raw) &&
              bits <= 20 &&
              bits % 4 !== 0 &&
              hex.length === Math.ceil(bits / 4) &&
              parseInt(hex, 16) % 2 ** spare === 0))
        : url.search === "" && hex.length >= 2;
      if (!canonical) return problem(400, "Bad lookup", `${path}${url.search}`);
      const top = (hash) => parseInt(hash.slice(0, hex.length), 16) >> spare;
      const found = [...sites.values()].filter(
        (s) => s.state === "tracked" && top(s.hash) === parseInt(hex, 16) >> spare,
      );
      const prefixLength = Math.min(5, Math.max(2, Math.floor(prefixBits / 4)));
      const body = countsBits
        ? { prefix: hex, bits, prefix_bits: prefixBits, prefix_length: prefixLength }
        : { prefix: hex, prefix_length: prefixLength };
      body.sites = found.map(lookupEntry);
      return cached(request, json(200, body));
    }
    if (request.method === "GET" && path === "/api/v1/changes") {
      const after = Number(url.searchParams.get("after") ?? 0);
      const buckets = (url.searchParams.get("buckets") ?? "").split(",").filter(Boolean);
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const matching = changes.filter(
        (c) => c.id > after && (!buckets.length || buckets.includes(c.site_hash.slice(0, 2))),
      );
      const page = matching.slice(0, limit);
      const next = String(page.length ? page.at(-1).id : after);
      return cached(
        request,
        json(200, { changes: page, next, more: matching.length > page.length }),
      );
    }
    if (request.method === "POST" && path === "/api/v1/sites") {
      const body = JSON.parse(await request.text());
      if (typeof body.site !== "string" || !body.site.includes(".")) {
        return problem(400, "Bad request", "site must be a registrable domain");
      }
      const existing = sites.get(body.site);
      const record = existing ?? { site: body.site, hash: siteHash(body.site), state: "pending" };
      sites.set(body.site, record);
      return json(existing ? 200 : 202, {
        site: record.site,
        status_url: `/api/v1/sites/${record.site}`,
        state: record.state,
        detail: record.detail ?? null,
      });
    }
    if (request.method === "GET" && (match = path.match(/^\/api\/v1\/sites\/([^/]+)$/))) {
      const record = sites.get(decodeURIComponent(match[1]));
      if (!record) return problem(404, "Not found", "site is not tracked");
      const own = changes.filter((c) => c.site === record.site).reverse();
      return json(200, {
        site: record.site,
        site_hash: record.hash,
        state: record.state,
        detail: record.detail ?? null,
        documents: [],
        changes: own.slice(0, 20),
        viewer_url: `/sites/${record.site}`,
      });
    }
    return problem(404, "Not found", path);
  }

  const server = {
    baseUrl,
    log,
    sites,
    changes,
    /** The prefix width, in bits, lookups recommend from now on. */
    recommendPrefixBits(bits) {
      prefixBits = bits;
    },
    track(site, state = "tracked", detail = null) {
      sites.set(site, { site, hash: siteHash(site), state, detail });
    },
    /** Records a change of `site`, as the monitor would after a diff. */
    addChange(site, fields = {}) {
      const at = fields.at ?? new Date().toISOString();
      const change = {
        id: nextId++,
        site,
        site_hash: siteHash(site),
        document: "privacy",
        detected_at: at,
        from_captured_at: fields.from ?? at,
        to_captured_at: fields.captured ?? at,
        material: fields.material ?? false,
        categories: fields.categories ?? [],
        summary: fields.summary ?? "",
        url: `/sites/${site}/changes/${nextId - 1}`,
      };
      changes.push(change);
      return change;
    },
    /** The next requests answer `response` (a Response, or a function returning one). */
    failNext(...responses) {
      failures = responses;
    },
    async fetch(input, init = {}) {
      const request = new Request(input, init);
      const body = request.method === "POST" ? await request.clone().text() : "";
      log.push({
        method: request.method,
        url: request.url,
        body,
        ifNoneMatch: request.headers.get("If-None-Match"),
      });
      if (failures.length) {
        const failure = failures.shift();
        return typeof failure === "function" ? failure(request) : failure;
      }
      return handle(request);
    },
  };
  server.fetch = server.fetch.bind(server);
  return server;
}
