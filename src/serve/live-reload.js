// serum serve: reloads this page after a rebuild and shows build errors. Never in `serum build` output.
(() => {
  "use strict";
  let buildId = null;
  let overlay = null;

  function hideOverlay() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function showOverlay(message) {
    hideOverlay();
    overlay = document.createElement("div");
    overlay.id = "serum-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,24,.94);color:#fff;font:14px/1.5 ui-monospace,monospace";
    const title = document.createElement("h2");
    title.textContent = "serum: the last change did not build";
    title.style.cssText = "margin:0 0 1rem;font:600 18px/1.3 system-ui,sans-serif;color:#ff9b9b";
    const body = document.createElement("pre");
    body.textContent = message;
    body.style.cssText = "white-space:pre-wrap;margin:0";
    const note = document.createElement("p");
    note.textContent = "Showing the last good build underneath. Fix the file and save: this goes away.";
    note.style.cssText = "font-family:system-ui,sans-serif;opacity:.8";
    overlay.append(title, body, note);
    document.body.append(overlay);
  }

  function swapStylesheets() {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("serum-reload", Date.now().toString());
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      link.after(fresh);
    }
  }

  const source = new EventSource("/__serum/events");
  source.addEventListener("hello", (event) => {
    const data = JSON.parse(event.data);
    // A different build than the one this page came from: the server restarted or rebuilt meanwhile.
    if (buildId !== null && data.build !== buildId) {
      location.reload();
      return;
    }
    buildId = data.build;
    if (data.error) showOverlay(data.error);
  });
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("css", (event) => {
    buildId = JSON.parse(event.data).build;
    hideOverlay();
    swapStylesheets();
  });
  source.addEventListener("build-error", (event) => showOverlay(JSON.parse(event.data).error));
})();
