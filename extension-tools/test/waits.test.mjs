// The Firefox e2e's waits (extension-tools/waits.mjs) against fake pages: no browser, and a
// fake clock, so nothing here sleeps.

import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { described, settled, tornDown, waiter } from "../waits.mjs";

// What puppeteer-core 24 throws when Firefox cuts an evaluation short because its document
// is being replaced (seen in the Firefox e2e: the first popup and first-sight popup waits).
function tornDownError() {
  const protocol = new Error(
    "Protocol error (script.evaluate): unknown error TypeError: right-hand side of 'in' should " +
      "be an object, got null #buildReturnValue@chrome://remote/content/webdriver-bidi/modules/" +
      "windowglobal/script.sys.mjs:95:21",
  );
  protocol.name = "ProtocolError";
  const waiting = new Error("Waiting failed");
  waiting.cause = protocol;
  return waiting;
}

function timeoutError() {
  const error = new Error("Waiting failed: 15000ms exceeded");
  error.name = "TimeoutError";
  return error;
}

/** A page whose waitForFunction fails with each of `failures` in turn, then answers. */
function fakePage(failures, clock, cost = 1) {
  const calls = [];
  return {
    calls,
    async waitForFunction(test, options, ...args) {
      calls.push({ test, options, args });
      clock.t += cost;
      if (calls.length <= failures.length) throw failures[calls.length - 1];
      return "handle";
    },
  };
}

function fakeClock() {
  const clock = { t: 1_000, slept: [] };
  clock.now = () => clock.t;
  clock.sleep = async (ms) => {
    clock.slept.push(ms);
    clock.t += ms;
  };
  return clock;
}

test("a wait that lands in a document being replaced waits again, past five back-to-back tries", async () => {
  // Before the fix the script tried five times back to back and failed on the fifth.
  const clock = fakeClock();
  const page = fakePage(Array.from({ length: 7 }, tornDownError), clock);
  const waitFor = waiter({ now: clock.now, sleep: clock.sleep, pause: 50 });
  assert.equal(await waitFor(page, "document.readyState === 'complete'", 1, 2), "handle");
  assert.equal(page.calls.length, 8);
  assert.deepEqual(clock.slept, Array(7).fill(50)); // paused before each new try, not spun
  assert.deepEqual(page.calls.at(-1).args, [1, 2]);
  // One deadline for the whole wait: each try gets what is left of it.
  assert.equal(page.calls[0].options.timeout, 15_000);
  assert.equal(page.calls.at(-1).options.timeout, 15_000 - 7 * 51);
});

test("a timeout or any other failure is thrown at once, not tried again", async () => {
  for (const failure of [timeoutError(), new Error("Waiting failed: Frame detached")]) {
    const clock = fakeClock();
    const page = fakePage([failure], clock);
    const waitFor = waiter({ now: clock.now, sleep: clock.sleep });
    await assert.rejects(waitFor(page, "true"), failure);
    assert.equal(page.calls.length, 1);
    assert.deepEqual(clock.slept, []);
  }
});

test("a document that stays torn down fails the wait at its deadline, with the reason", async () => {
  const clock = fakeClock();
  const page = fakePage(Array.from({ length: 1_000 }, tornDownError), clock, 1_000);
  const waitFor = waiter({ now: clock.now, sleep: clock.sleep, timeout: 5_000, pause: 50 });
  const error = await waitFor(page, "true").catch((e) => e);
  assert.equal(error.message, "Waiting failed");
  assert.ok(page.calls.length >= 4 && page.calls.length <= 6, String(page.calls.length));
  assert.match(described(error), /caused by: ProtocolError: .*right-hand side of 'in'/);
});

test("tornDown reads the cause chain; other failures are not taken for it", () => {
  assert.ok(tornDown(tornDownError()));
  const outer = new Error("in Firefox");
  outer.cause = tornDownError();
  assert.ok(tornDown(outer));
  assert.ok(!tornDown(timeoutError()));
  assert.ok(!tornDown(new Error("Waiting failed")));
  assert.ok(!tornDown(undefined));
});

afterEach(() => {
  delete globalThis.browser;
});

test("settled waits, from the control page, for the loaded document at that URL", async () => {
  const url = "moz-extension://x/popup.html?tabId=3&open=2";
  const dead = {
    get location() {
      throw new TypeError("can't access dead object");
    },
  };
  const view = (href, readyState, renders) => ({
    location: { href },
    document: { readyState, body: { dataset: renders === undefined ? {} : { renders } } },
  });
  let views = [dead, view("moz-extension://x/popup.html?tabId=3&open=1", "complete", "1")];
  const listeners = new Set();
  globalThis.browser = {
    extension: { getViews: ({ type }) => (type === "tab" ? views : []) },
    tabs: {
      onUpdated: {
        addListener: (f) => listeners.add(f),
        removeListener: (f) => listeners.delete(f),
      },
    },
  };
  // The control page's waitForFunction: the function once, its promise awaited.
  let answer;
  const control = {
    async waitForFunction(fn, options, ...args) {
      answer = fn(...args);
      return answer;
    },
  };
  let done = false;
  const waiting = settled(waiter(), control, url).then(() => {
    done = true;
  });
  const update = async (next) => {
    views = next;
    for (const f of [...listeners]) f();
    await new Promise((resolve) => setImmediate(resolve));
  };
  await update([view(url, "loading")]); // this opening, still loading
  assert.equal(done, false);
  await update([view(url, "complete", "stale")]); // the document a reload is replacing
  assert.equal(done, false);
  await update([dead, view(url, "complete")]); // loaded (its first render: the page's own wait)
  await waiting;
  assert.equal(await answer, true);
  assert.equal(listeners.size, 0); // the listener is gone with the wait
});

test("settled does not wait for an event when the page is already loaded", async () => {
  const url = "moz-extension://x/options.html?open=4";
  const listeners = new Set();
  globalThis.browser = {
    extension: {
      getViews: () => [{ location: { href: url }, document: { readyState: "complete", body: { dataset: {} } } }],
    },
    tabs: { onUpdated: { addListener: (f) => listeners.add(f), removeListener: (f) => listeners.delete(f) } },
  };
  const control = { waitForFunction: async (fn, options, ...args) => fn(...args) };
  await settled(waiter(), control, url);
  assert.equal(listeners.size, 0);
});
