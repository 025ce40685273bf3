// The Clausewatch server's API, as docs/extension-api.md describes it, and nothing more.
// Every call has a timeout and a body-size cap; errors come back as one readable ApiError.

import { lookupPath, MAX_PREFIX_BITS, MIN_PREFIX_BITS } from "./hash.js";

const TIMEOUT_MS = 15_000;
const MAX_BODY_CHARS = 2_000_000;
const MAX_FEED_PAGES = 20; // a bound per poll; the cursor carries on at the next alarm

export class ApiError extends Error {
  constructor(message, { status = 0, type = "", retryAfter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = type;
    this.retryAfter = retryAfter;
  }
}

/** The viewer URL of a change or site: `url` in the API is relative to the server's base. */
export function viewerUrl(baseUrl, relative) {
  return `${trimSlash(baseUrl)}${relative.startsWith("/") ? "" : "/"}${relative}`;
}

function trimSlash(url) {
  return String(url).replace(/\/+$/, "");
}

export function changesQuery({ after = null, buckets = [], limit = 100 } = {}) {
  const params = new URLSearchParams();
  if (after) params.set("after", after);
  if (buckets.length) params.set("buckets", [...buckets].sort().join(","));
  params.set("limit", String(limit));
  return params.toString();
}

export function createApi({
  baseUrl,
  fetch = (...args) => globalThis.fetch(...args),
  timeoutMs = TIMEOUT_MS,
}) {
  const base = trimSlash(baseUrl);

  async function request(path, { method = "GET", body, etag } = {}) {
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response;
    let text;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // Our own ETag bookkeeping is the cache; the HTTP cache would hide the 304s.
        cache: "no-store",
        credentials: "omit",
        signal: controller.signal,
      });
      const length = Number(response.headers.get("Content-Length") ?? 0);
      if (length > MAX_BODY_CHARS) {
        throw new ApiError(`server answer too large (${length} bytes)`, {
          status: response.status,
        });
      }
      text = response.status === 304 ? "" : await response.text();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (controller.signal.aborted) {
        throw new ApiError(`server did not answer within ${Math.round(timeoutMs / 1000)} s`);
      }
      throw new ApiError(`cannot reach the server at ${base}`);
    } finally {
      clearTimeout(timer);
    }
    const answer = { status: response.status, etag: response.headers.get("ETag"), body: null };
    if (response.status === 304) return answer;
    if (text.length > MAX_BODY_CHARS) throw new ApiError("server answer too large");
    if (!response.ok) throw problem(response, text);
    try {
      answer.body = text ? JSON.parse(text) : null;
    } catch {
      throw new ApiError(`server answered ${response.status} with something that is not JSON`, {
        status: response.status,
      });
    }
    return answer;
  }

  return {
    baseUrl: base,

    /**
     * Status of the tracked sites in a bucket ({hex, bits}: lookupBucket in hash.js), asked
     * at its one URL; `etag` revalidates a cached answer.
     */
    lookup(bucket, { etag } = {}) {
      const { hex, bits } = bucket ?? {};
      if (
        !/^[0-9a-f]{1,4}$/.test(hex ?? "") ||
        !Number.isInteger(bits) ||
        bits < MIN_PREFIX_BITS ||
        bits > MAX_PREFIX_BITS ||
        hex.length !== Math.ceil(bits / 4) ||
        parseInt(hex, 16) % 2 ** (4 * hex.length - bits) !== 0
      ) {
        throw new ApiError(`bad lookup bucket ${JSON.stringify(bucket)}`);
      }
      return request(lookupPath({ hex, bits }), { etag });
    },

    /**
     * Every change after `after` in `buckets`, following `next` while `more` is true.
     * `etag` belongs to the first page's URL; the answer's `etag` belongs to the returned
     * cursor's URL, or is null when the feed moved on and no request was made for it yet.
     */
    async changesSince({ after = null, buckets, etag = null, limit = 100 }) {
      const changes = [];
      let cursor = after;
      for (let page = 0; page < MAX_FEED_PAGES; page++) {
        const query = changesQuery({ after: cursor, buckets, limit });
        const res = await request(`/api/v1/changes?${query}`, {
          etag: page === 0 ? etag : null,
        });
        if (res.status === 304) return { changes, cursor, etag, more: false, notModified: true };
        const feed = res.body ?? {};
        if (!Array.isArray(feed.changes)) throw new ApiError("change feed without `changes`");
        changes.push(...feed.changes);
        const next = feed.next ?? cursor;
        if (next === cursor) return { changes, cursor, etag: res.etag, more: false };
        cursor = next;
        if (!feed.more) return { changes, cursor, etag: null, more: false };
      }
      return { changes, cursor, etag: null, more: true };
    },

    /** Ask the server to track a site: the one call that names a site, after a click. */
    async track(site) {
      const res = await request("/api/v1/sites", { method: "POST", body: { site } });
      return res.body;
    },

    /** A tracked site's documents and latest changes, or null when it is not tracked. */
    async site(site) {
      try {
        const res = await request(`/api/v1/sites/${encodeURIComponent(site)}`);
        return res.body;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  };
}

function problem(response, text) {
  let detail = "";
  let type = "";
  try {
    const body = JSON.parse(text);
    detail = [body.title, body.detail].filter(Boolean).join(": ");
    type = body.type ?? "";
  } catch {
    // Not problem+json (a proxy's HTML page, say): the status line is all we can say.
  }
  const retryAfter = response.headers.get("Retry-After");
  const message = detail || `server answered ${response.status}`;
  return new ApiError(message, {
    status: response.status,
    type,
    retryAfter: retryAfter === null ? null : Number(retryAfter),
  });
}
