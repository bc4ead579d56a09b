// gen serve: live reload and the error overlay. gen serve adds this script to every
// page it serves (never to `gen build` output). It listens to /__gen/events (Server-Sent
// Events); each message says which generation of the site is served and what a page
// showing the previous one must do: nothing but update the overlay, swap stylesheets,
// or reload. The server sends a message only once a build is complete and swapped in.
(function () {
  "use strict";
  var script = document.currentScript;
  var generation = Number(script && script.getAttribute("data-generation"));
  var SCROLL_KEY = "gen-serve-scroll";
  var OVERLAY_ID = "gen-serve-overlay";

  function restoreScroll() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || "null");
      sessionStorage.removeItem(SCROLL_KEY);
      if (saved && saved.path === location.pathname) {
        window.scrollTo(saved.x, saved.y);
      }
    } catch (e) {
      /* storage may be off: then the browser's own restoration applies */
    }
  }

  function reload() {
    try {
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify({ path: location.pathname, x: window.scrollX, y: window.scrollY }));
    } catch (e) {
      /* ignore */
    }
    location.reload();
  }

  function setOverlay(html) {
    var old = document.getElementById(OVERLAY_ID);
    if (old) {
      old.remove();
    }
    if (html) {
      document.body.insertAdjacentHTML("beforeend", html);
    }
  }

  function swapStylesheets(paths, version) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || paths.indexOf(url.pathname) < 0) {
        return;
      }
      url.searchParams.set("gen", String(version));
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      // Keep the old sheet until the new one is there, so the page never flashes unstyled.
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { link.remove(); });
      link.after(fresh);
    });
  }

  function apply(message) {
    if (message.generation !== generation) {
      if (message.action === "reload") {
        reload();
        return;
      }
      if (message.action === "css") {
        swapStylesheets(message.css, message.generation);
      }
      generation = message.generation;
    }
    setOverlay(message.overlay);
  }

  if (document.readyState === "complete") {
    restoreScroll();
  } else {
    window.addEventListener("load", restoreScroll);
  }

  function connect() {
    var source = new EventSource("/__gen/events?since=" + generation);
    source.addEventListener("update", function (event) {
      apply(JSON.parse(event.data));
    });
    source.addEventListener("error", function () {
      // The server stopped or restarted: reconnect, saying which generation is shown.
      source.close();
      setTimeout(connect, 1000);
    });
  }
  connect();
})();
