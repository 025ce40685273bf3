// Waiting on Firefox pages over WebDriver BiDi (puppeteer-core), for firefox-e2e.mjs.
//
// The race these guard against. An extension page is opened by navigating a new tab
// (about:blank) to its moz-extension:// URL, and puppeteer gets no navigation or load event
// for such a page (page.goto never resolves), so a wait on the page starts while the tab may
// still hold the document being replaced. Firefox runs each BiDi evaluation in whatever
// document the tab holds when the command arrives; one that lands in a document being torn
// down is cut short, and Firefox answers with an internal error: "unknown error TypeError:
// right-hand side of 'in' should be an object, got null" (its #buildReturnValue reads the
// null completion of the cut evaluation). Puppeteer's waitForFunction gives up on that at
// once with "Waiting failed", the reason only in error.cause; the former retry loop (five
// attempts, back to back) sent its next four into the same dying document within 0.1 s.
//
// So: an extension page is waited for from a page that is not navigating (`settled`: the
// control page, asking the extension's own view of its pages), and only then in the page;
// a wait that can only be made in the page (the first extension page, before any exists to
// ask, and web pages) polls again after an evaluation cut short this way, and only then.

/** The error and its causes, outermost first (puppeteer keeps the reason in `cause`). */
export function causes(error) {
  const chain = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 8; e = e.cause) chain.push(e);
  return chain;
}

/** An error with its chain of causes, which String(error) and error.stack leave out. */
export function described(error) {
  return causes(error)
    .map((e, i) => `${i ? "caused by: " : ""}${String(e?.stack ?? e)}`)
    .join("\n");
}

// Firefox's answer to an evaluation cut short by its document being torn down.
const TORN_DOWN = /right-hand side of 'in' should be an object, got null/;

/** Whether the wait failed because what it evaluated ran in a document being replaced. */
export function tornDown(error) {
  return causes(error).some((e) => TORN_DOWN.test(String(e?.message ?? e)));
}

/**
 * waitFor(page, test, ...args): page.waitForFunction within one deadline, made again after an
 * evaluation that landed in a document being replaced (after `pause` ms, so the replacement
 * can commit); any other failure, the timeout included, is thrown at once.
 */
export function waiter({
  timeout = 15_000,
  pause = 50,
  now = Date.now,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  log = () => {},
} = {}) {
  return async function waitFor(page, test, ...args) {
    const deadline = now() + timeout;
    for (;;) {
      try {
        return await page.waitForFunction(test, { timeout: Math.max(deadline - now(), 1) }, ...args);
      } catch (error) {
        if (!tornDown(error) || now() >= deadline) throw error;
        log(`evaluation cut short by a document being replaced; waiting again`);
        await sleep(pause);
      }
    }
  };
}

/**
 * Resolves once the extension page at `url` (unique per opening) is loaded in its tab, as the
 * extension itself sees its pages, asked from `control`: an extension page that is not
 * navigating. A document marked stale by `reopen` (body data-renders="stale") is the one
 * being replaced, not the one waited for. The control is a background tab, where Firefox
 * throttles animation frames and timers, so it does not poll: it looks again on each
 * tabs.onUpdated event (a load completing is one).
 */
export async function settled(waitFor, control, url) {
  await waitFor(
    control,
    (href) => {
      const loaded = () =>
        browser.extension.getViews({ type: "tab" }).some((view) => {
          try {
            return (
              view.location.href === href &&
              view.document.readyState === "complete" &&
              view.document.body.dataset.renders !== "stale"
            );
          } catch {
            return false; // a window already gone (a dead object) is not the page
          }
        });
      return new Promise((resolve) => {
        const look = () => {
          if (!loaded()) return;
          browser.tabs.onUpdated.removeListener(look);
          resolve(true);
        };
        browser.tabs.onUpdated.addListener(look);
        look(); // it may have loaded before the listener was added
      });
    },
    url,
  );
}
