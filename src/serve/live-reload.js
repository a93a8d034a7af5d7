// serum serve: reloads this page after a rebuild and shows build errors. Never in `serum build` output.
(() => {
  "use strict";
  // The server puts error.css here.
  const ERROR_CSS = "/* error.css */";
  // The page served while the site has never built says which build it shows.
  const errorPage = document.getElementById("serum-error-page");
  let buildId = errorPage ? Number(errorPage.dataset.build) : null;
  let overlay = null;

  function hideOverlay() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  // Inline !important declarations outrank any stylesheet of the site, and CSSOM calls are
  // allowed under a Content-Security-Policy that forbids inline styles.
  function pin(element, declarations) {
    for (const [name, value] of declarations) element.style.setProperty(name, value, "important");
  }

  function showOverlay(message) {
    if (errorPage) {
      errorPage.querySelector("pre").textContent = message;
      return;
    }
    hideOverlay();
    overlay = document.createElement("div");
    overlay.id = "serum-error-overlay";
    pin(overlay, [
      ["all", "initial"],
      ["display", "block"],
      ["position", "fixed"],
      ["inset", "0"],
      ["z-index", "2147483647"],
      ["overflow", "auto"],
      ["padding", "0 16px"],
      ["background", "rgba(0, 0, 0, 0.55)"],
    ]);
    // A shadow root: the site's stylesheets, which may be what is broken, cannot reach inside.
    const root = overlay.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in root) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(ERROR_CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      const style = document.createElement("style");
      style.textContent = ERROR_CSS;
      root.append(style);
    }
    const panel = document.createElement("div");
    panel.className = "panel";
    panel.setAttribute("role", "alert");
    const title = document.createElement("h2");
    title.className = "title";
    title.textContent = "serum: the last change did not build";
    const body = document.createElement("pre");
    body.textContent = message;
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = "Showing the last good build underneath. Fix the file and save: this goes away.";
    panel.append(title, body, note);
    root.append(panel);
    (document.body || document.documentElement).append(overlay);
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
