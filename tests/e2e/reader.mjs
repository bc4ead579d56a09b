// The reader's side of the default theme in a real browser (headless Chromium via
// playwright-core): no page scrolls sideways on a phone or a desktop, light or dark, and
// code blocks work as a reader uses them. tests/testsuite/e2e.rs starts gen serve on the
// bundled blog and runs this script; by hand:
//
//   node tests/e2e/reader.mjs --url http://127.0.0.1:1111 --pages /,/posts/docker-cheat-sheet/
//
// (add --playwright DIR/node_modules/playwright-core when it is installed elsewhere, and
// --screenshots DIR to keep a picture of each page at each size). Each check prints
// "ok: ..." or "FAIL: ..."; the exit status is 0 only if all passed. --plain-page P
// --plain-button NAME also copies the plain code block of page P whose button is NAME;
// --anchor-page P checks the heading anchors of page P on a touch screen.

import { arg, bound, check, finish, launchChromium } from "./common.mjs";

const base = arg("url").replace(/\/$/, "");
const pages = arg("pages").split(",");
const screenshots = arg("screenshots", "");
// A page with a failed snippet and a line of its findings: shown without hover.
const failedPage = arg("failed-page", "");
const finding = arg("finding", "");
// A page with a plain (not snippet) code block, and the name of that block's copy button.
const plainPage = arg("plain-page", "");
const plainButton = arg("plain-button", "Copy the code");
// A page with an h2 heading, for its `#` anchor.
const anchorPage = arg("anchor-page", "");

// A hard bound on the whole run, whatever happens.
const watchdog = bound(240000);


const browser = await launchChromium();

try {
  // 1. No page is wider than the window, from a small phone to a desktop, light and dark.
  for (const width of [320, 390, 1280]) {
    for (const colorScheme of ["light", "dark"]) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme });
      const page = await context.newPage();
      const wide = [];
      for (const path of pages) {
        await page.goto(base + path, { waitUntil: "load" });
        const found = await page.evaluate(() => {
          const inner = window.innerWidth;
          const scroll = document.documentElement.scrollWidth;
          if (scroll <= inner) return null;
          // The outermost elements that reach past the window, to say what overflows.
          const culprits = [];
          const scrolls = (el) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
          for (const el of document.body.querySelectorAll("*")) {
            let inside = el.parentElement;
            while (inside && inside !== document.body && !scrolls(inside)) inside = inside.parentElement;
            if (inside && inside !== document.body) continue;
            const r = el.getBoundingClientRect();
            if (r.right > inner + 0.5 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > inner + 0.5)) {
              culprits.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (${Math.round(r.right)} px)`);
            }
          }
          return `${scroll} px wide in ${inner} px: ${culprits.slice(0, 4).join(", ")}`;
        });
        if (found) wide.push(`${path} ${found}`);
        // A code block wider than its box scrolls inside it and shows that it does.
        const unhinted = await page.evaluate(() =>
          [...document.querySelectorAll("pre.code")]
            .filter((pre) => pre.scrollWidth > pre.clientWidth)
            .filter((pre) => { const s = getComputedStyle(pre); return s.overflowX !== "auto" || !s.backgroundImage.includes("gradient"); })
            .map((pre) => pre.textContent.slice(0, 40)));
        if (unhinted.length) wide.push(`${path} code scrolls without an edge hint: ${unhinted.join(" | ")}`);
        if (screenshots) await page.screenshot({ path: `${screenshots}/${path.replace(/[^a-z0-9]+/gi, "_")}-${width}-${colorScheme}.png`, fullPage: true });
      }
      check(wide.length === 0, `no page scrolls sideways at ${width} px, ${colorScheme}`, wide.join("; "));
      await context.close();
    }
  }

  // 2. A failed snippet's findings are on the page, under its block, without hover.
  if (failedPage) {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    await page.goto(base + failedPage, { waitUntil: "load" });
    const shown = page.locator("figure.snippet .snippet-findings li", { hasText: finding });
    await shown.scrollIntoViewIfNeeded();
    check((await shown.count()) === 1 && (await shown.isVisible()), "a failed snippet's findings are visible without hover");
    check(await page.evaluate(() => document.querySelectorAll("figure.snippet [title]").length === 0), "no snippet says anything in a title only");
    await context.close();
  }

  // 3. Every code block has a visible language label and a copy button that says what it
  // copies; a plain block's button copies its text, and "Copied" is announced.
  {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const page = await context.newPage();
    const unlabelled = [];
    // Besides the page itself, nothing a page loads is missing (the favicon included).
    const missing = [];
    page.on("response", (r) => { if (r.status() >= 400 && r.request().resourceType() !== "document") missing.push(`${r.status()} ${r.url()}`); });
    for (const path of pages) {
      await page.goto(base + path, { waitUntil: "load" });
      await page.evaluate(() => fetch(document.querySelector("link[rel=icon]")?.href || "/favicon.ico").then((r) => r.ok || Promise.reject(r.status))).catch((e) => missing.push(`${path}: the icon (${e})`));
      unlabelled.push(...(await page.evaluate((path) =>
        [...document.querySelectorAll("pre.code")].flatMap((pre) => {
          const bar = pre.closest(".code-block, figure.snippet")?.querySelector(".code-bar, .snippet-bar");
          const button = bar?.querySelector("button");
          const label = bar?.querySelector(".code-lang");
          const name = button?.getAttribute("aria-label") || "";
          const ok = button && !button.hidden && /^Copy the \S/.test(name) && label && label.textContent.trim() && label.getBoundingClientRect().width > 0;
          return ok ? [] : [`${path}: ${pre.textContent.slice(0, 30)} (${name || "no button"})`];
        }), path)));
    }
    check(missing.length === 0, "no page loads anything missing, and each has an icon", [...new Set(missing)].join("; "));
    check(unlabelled.length === 0, "every code block has a language label and a copy button that names what it copies", unlabelled.join("; "));
    if (plainPage) {
      await page.goto(base + plainPage, { waitUntil: "load" });
      const button = page.getByRole("button", { name: plainButton });
      const text = await page.locator(".code-block", { has: button }).locator("pre").textContent();
      await button.click();
      await page.waitForFunction(() => [...document.querySelectorAll("[aria-live]")].some((e) => e.textContent.includes("Copied")), null, { timeout: 5000 })
        .then(() => check(true, "\"Copied\" is announced in a live region"), (e) => check(false, "\"Copied\" is announced in a live region", String(e)));
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      check(copied === text.replace(/\n$/, "") && copied.length > 0, `the button "${plainButton}" copies the block's text`, JSON.stringify(copied.slice(0, 60)));
    }
    await context.close();
  }

  // 4. Heading anchors: shown on a touch screen (no hover), hidden until hover on a desktop.
  if (anchorPage) {
    const opacity = async (options) => {
      const context = await browser.newContext({ viewport: { width: 390, height: 800 }, ...options });
      const page = await context.newPage();
      await page.goto(base + anchorPage, { waitUntil: "load" });
      const value = await page.evaluate(() => getComputedStyle(document.querySelector("h2 .anchor")).opacity);
      await context.close();
      return value;
    };
    const touch = await opacity({ isMobile: true, hasTouch: true });
    const mouse = await opacity({});
    check(touch === "1" && mouse === "0", "heading anchors show on touch screens", `touch ${touch}, mouse ${mouse}`);
  }
} catch (e) {
  check(false, "the browser run", String(e));
} finally {
  await browser.close();
  clearTimeout(watchdog);
}
finish("reader");
