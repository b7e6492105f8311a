// Keeps a training job's page current without reloading it: a timed reload (meta refresh) moves
// the reader back to the top of the page and is an accessibility failure (WCAG 2.2.1).
// Every two seconds it fetches the page again and copies the progress bar, the status (a polite
// live region, so screen readers hear the change) and what to do next; it stops when the job ends.
(function () {
  "use strict";
  const PARTS = ["job-bar", "job-status", "job-next"];
  const root = document.getElementById("job-progress");
  if (!root || root.dataset.running !== "true") {
    return;
  }

  function copy(target, source) {
    for (const { name, value } of Array.from(source.attributes)) {
      target.setAttribute(name, value);
    }
    target.replaceChildren(...Array.from(source.childNodes));
  }

  async function update() {
    let running = true;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById("job-progress");
        if (fresh) {
          for (const id of PARTS) {
            const source = fresh.querySelector("#" + id);
            const target = document.getElementById(id);
            if (source && target) {
              copy(target, source);
            }
          }
          running = fresh.dataset.running === "true";
        }
      }
    } catch (error) {
      // A network hiccup: try again at the next tick.
    }
    if (running) {
      window.setTimeout(update, 2000);
    }
  }

  window.setTimeout(update, 2000);
})();
