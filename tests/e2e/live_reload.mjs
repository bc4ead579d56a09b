// End-to-end check of gen serve in a real browser (headless Chromium via playwright-core).
// tests/testsuite/e2e.rs starts gen serve and runs this script; it can also be run by hand:
//
//   node tests/e2e/live_reload.mjs --url http://127.0.0.1:1111/posts/docker-cheat-sheet/ \
//       --post SITE/content/posts/docker-cheat-sheet.md --css SITE/themes/default/static/style.css
//
// (add --playwright DIR/node_modules/playwright-core when it is installed elsewhere).
// The page is opened once; every later change comes from editing files, never from
// an action in the browser. Each step prints "ok: ..." or "FAIL: ..."; the exit status
// is 0 only if all passed. Files are restored at the end.

import { readFileSync, writeFileSync } from "node:fs";
import { arg, bound, check, finish, launchChromium, waiter } from "./common.mjs";

const url = arg("url");
const postFile = arg("post");
const cssFile = arg("css");
const screenshots = arg("screenshots", "");
const WAIT = Number(arg("wait-ms", "60000"));

// A hard bound on the whole run, whatever happens.
const watchdog = bound(6 * WAIT);

const originalPost = readFileSync(postFile, "utf8");
const originalCss = readFileSync(cssFile, "utf8");

const waitFor = waiter(WAIT);

async function shot(page, name) {
  if (screenshots) await page.screenshot({ path: `${screenshots}/${name}.png` });
}

const browser = await launchChromium();

try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const response = await page.goto(url, { waitUntil: "load" });
  check(response && response.status() === 200, "the post opens", response ? String(response.status()) : "no response");
  // Wait until the live script has connected (it is the page's only EventSource).
  await page.waitForFunction(() => document.querySelector('script[src="/__gen/live.js"]') !== null, null, { timeout: WAIT });

  // 1. An edit appears without any action in the browser, at the same scroll position.
  const tall = await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight + 400);
  await page.evaluate(() => window.scrollTo(0, 400));
  const scrolled = await page.evaluate(() => window.scrollY);
  writeFileSync(postFile, `${originalPost}\n\nE2E marker one: written by the browser test.\n`);
  if (await waitFor(page, "the edit appears", () => document.body.innerText.includes("E2E marker one"))) {
    check(true, "the edit appears");
    const y = await page.evaluate(() => window.scrollY);
    check(!tall || Math.abs(y - scrolled) <= 2, "the scroll position is kept across the reload", `was ${scrolled}, now ${y}`);
  }
  await shot(page, "1-edited");

  // 2. A broken save shows the overlay with the file and line; the page under it stays.
  const broken = originalPost.replace(/^\+\+\+\n/, "+++\ntitel = \"typo\"\n");
  writeFileSync(postFile, broken);
  if (await waitFor(page, "the overlay appears", () => document.getElementById("gen-serve-overlay") !== null)) {
    const text = await page.evaluate(() => document.getElementById("gen-serve-overlay").innerText);
    const file = postFile.split("/").slice(-3).join("/");
    check(text.includes(`${file}:2:1`) && text.includes("unknown field `titel`"), "the overlay names the file, line and error", text.slice(0, 300));
    check(await page.evaluate(() => document.body.innerText.includes("E2E marker one")), "the last good build stays under the overlay");
  }
  await shot(page, "2-broken");

  // 3. The fix removes the overlay and shows the new text.
  writeFileSync(postFile, `${originalPost}\n\nE2E marker two: fixed.\n`);
  if (await waitFor(page, "the fix shows", () => document.body.innerText.includes("E2E marker two") && !document.getElementById("gen-serve-overlay"))) {
    check(true, "the fix removes the overlay and shows the page");
  }
  await shot(page, "3-fixed");

  // 4. A stylesheet change is swapped in without a reload.
  await page.evaluate(() => { window.__genE2eSameDocument = true; });
  writeFileSync(cssFile, `${originalCss}\n.post-title { color: rgb(1, 2, 3) !important; }\n`);
  if (await waitFor(page, "the new stylesheet applies", () => getComputedStyle(document.querySelector(".post-title")).color === "rgb(1, 2, 3)")) {
    check(await page.evaluate(() => window.__genE2eSameDocument === true), "the stylesheet was swapped without a reload");
  }
  await shot(page, "4-css");
} catch (e) {
  check(false, "the browser run", String(e));
} finally {
  writeFileSync(postFile, originalPost);
  writeFileSync(cssFile, originalCss);
  await browser.close();
  clearTimeout(watchdog);
}
finish("e2e");
