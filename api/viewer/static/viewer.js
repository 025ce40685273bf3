// Progressive enhancement only: every page works without this file.
// On change pages, j / k move to the next / previous clause change.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key !== "j" && event.key !== "k") return;
    if (typing(event.target)) return;
    var diffs = Array.prototype.slice.call(document.querySelectorAll("article.diff"));
    if (!diffs.length) return;
    var current = diffs.indexOf(document.querySelector("article.diff.is-current"));
    if (current < 0) {
      current = diffs.indexOf(document.activeElement && document.activeElement.closest
        ? document.activeElement.closest("article.diff") : null);
    }
    var next = event.key === "j" ? Math.min(current + 1, diffs.length - 1) : Math.max(current - 1, 0);
    if (current < 0) next = 0;
    if (current >= 0) diffs[current].classList.remove("is-current");
    diffs[next].classList.add("is-current");
    diffs[next].focus();
    diffs[next].scrollIntoView({ block: "start" });
    if (history.replaceState) history.replaceState(null, "", "#" + diffs[next].id);
    event.preventDefault();
  });
})();
