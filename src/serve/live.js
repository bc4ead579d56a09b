// gen serve: live reload and the error overlay. gen serve adds this script to every
// page it serves (never to `gen build` output). It listens to /__gen/events (Server-Sent
// Events); each message says which generation of the site is served and what a page
// showing the previous one must do: nothing but update the overlay, swap stylesheets,
// or reload. The server sends a message only once a build is complete and swapped in.
// Each message also lists the snippets edited while serving with their live findings;
// each shows in a box right after its block (plain text, focusable), and a message
// replaces all boxes, so none outlives the text it was about.
(function () {
  "use strict";
  var script = document.currentScript;
  var generation = Number(script && script.getAttribute("data-generation"));
  var SCROLL_KEY = "gen-serve-scroll";
  var OVERLAY_ID = "gen-serve-overlay";
  var FINDINGS_CLASS = "gen-serve-findings";

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

  // Set once a reload has begun: messages that arrive before the page goes are about a
  // newer text than this page shows, and must not touch it.
  var reloading = false;

  function reload() {
    reloading = true;
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

  function element(tag, style, text) {
    var el = document.createElement(tag);
    if (style) {
      el.setAttribute("style", style);
    }
    if (text) {
      el.textContent = text;
    }
    return el;
  }

  function findingsBox(snippet) {
    var n = snippet.findings.length;
    var box = element("aside", "margin:.3rem 0 1rem;padding:.5rem .8rem;border-left:4px solid " +
      (n ? "#c62828" : "#888") + ";background:#fff8e1;color:#222;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left");
    box.className = FINDINGS_CLASS;
    box.setAttribute("data-snippet-id", snippet.id);
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "note");
    box.setAttribute("aria-label", "gen serve: live checks of this snippet");
    var head = snippet.status + " · live checks: " +
      (n ? n + " finding" + (n === 1 ? "" : "s") : "no findings") + (snippet.checking ? " (argument checks running)" : "");
    box.appendChild(element("div", "font-weight:bold", head));
    var list = element("ul", "margin:.3rem 0 0;padding:0;list-style:none");
    snippet.findings.forEach(function (f) {
      var item = element("li", "margin:.2rem 0");
      item.className = "gen-serve-finding";
      item.setAttribute("data-line", String(f.line));
      item.appendChild(element("span", "font-weight:bold", "line " + f.line + ", column " + f.column + ": "));
      item.appendChild(element("span", "", f.check + " " + f.code + ": " + f.message));
      if (f.help) {
        item.appendChild(element("div", "color:#1b5e20", "fix: " + f.help));
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function setFindings(snippets) {
    Array.prototype.forEach.call(document.querySelectorAll("." + FINDINGS_CLASS), function (old) {
      old.remove();
    });
    (snippets || []).forEach(function (snippet) {
      var blocks = document.querySelectorAll("figure.snippet[data-snippet-id]");
      var block = Array.prototype.find.call(blocks, function (b) {
        return b.getAttribute("data-snippet-id") === snippet.id;
      });
      if (block) {
        block.after(findingsBox(snippet));
      }
    });
  }

  function apply(message) {
    if (reloading) {
      return;
    }
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
    setFindings(message.snippets);
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
