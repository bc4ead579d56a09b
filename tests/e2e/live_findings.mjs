// End-to-end check of gen serve's live snippet findings in a real browser (headless
// Chromium via playwright-core). tests/testsuite/e2e.rs starts gen serve on the bundled
// blog and runs this script; by hand:
//
//   node tests/e2e/live_findings.mjs --url http://127.0.0.1:1111/posts/docker-cheat-sheet/ \
//       --post SITE/content/posts/docker-cheat-sheet.md
//
// The page is opened once; the test then saves a broken command into one of the post's
// snippets, waits for the finding next to that block, saves the fix and waits for the
// finding to go. A recorder in every page load notes any moment a finding about the
// broken text is shown while the block holds the fixed one. Each step prints "ok: ..."
// or "FAIL: ..."; the exit status is 0 only if all passed. The post is restored.

import { readFileSync, writeFileSync } from "node:fs";
import { arg, bound, check, finish, launchChromium, waiter } from "./common.mjs";

const url = arg("url");
const postFile = arg("post");
const WAIT = Number(arg("wait-ms", "60000"));

// A hard bound on the whole run, whatever happens.
const watchdog = bound(4 * WAIT);

const original = readFileSync(postFile, "utf8");
const ORIGINAL_LINE = "$ CONTAINERID=$(docker run --rm -t -i $image_id /bin/bash)";
const BROKEN_LINE = "$ CONTAINERID = $(docker run -rm busybox)";
const FIXED_LINE = "$ CONTAINERID=$(docker run --rm busybox)";
const lines = original.split("\n");
const lineNumber = lines.indexOf(ORIGINAL_LINE) + 1;

const waitFor = waiter(WAIT);

const browser = await launchChromium();

try {
  if (lineNumber === 0) throw new Error(`the post has no line ${ORIGINAL_LINE}`);
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  // In every load of the page: note a GEN101 finding shown next to a block that no
  // longer holds the broken command (a stale finding).
  await page.addInitScript(() => {
    const record = () => {
      document.querySelectorAll(".gen-serve-findings").forEach((box) => {
        const block = box.previousElementSibling;
        const stale = box.innerText.includes("GEN101") && block && !block.innerText.includes("CONTAINERID = ");
        if (stale) sessionStorage.setItem("gen-e2e-stale", `${box.innerText}\n---block: ${block.innerText.slice(0, 400)}\n---ready: ${document.readyState}`);
      });
    };
    new MutationObserver(record).observe(document, { childList: true, subtree: true, characterData: true });
  });
  const response = await page.goto(url, { waitUntil: "load" });
  check(response && response.status() === 200, "the post opens", response ? String(response.status()) : "no response");
  await page.waitForFunction(() => document.querySelector('script[src="/__gen/live.js"]') !== null, null, { timeout: WAIT });

  // 1. The broken command: the finding shows next to its block, with its line and fix.
  writeFileSync(postFile, original.replace(ORIGINAL_LINE, BROKEN_LINE));
  const boxOfBroken = () => {
    const box = Array.from(document.querySelectorAll(".gen-serve-findings")).find((b) => b.innerText.includes("GEN101"));
    return box && box.previousElementSibling && box.previousElementSibling.innerText.includes("CONTAINERID = ") ? box : null;
  };
  if (await waitFor(page, "the finding appears", `(${boxOfBroken.toString()})() !== null`)) {
    const box = await page.evaluate(`(() => { const b = (${boxOfBroken.toString()})(); return { text: b.innerText, tab: b.tabIndex, visible: b.offsetHeight > 0, block: b.previousElementSibling.matches("figure.snippet") }; })()`);
    check(box.block, "the finding is right after its block");
    check(box.text.includes(`line ${lineNumber}, column 3`), "the finding gives its line", box.text);
    check(box.text.includes("fix: remove the spaces around `=`"), "the finding gives the fix", box.text);
    check(box.visible && box.tab === 0, "the finding is shown as text and reachable by keyboard", JSON.stringify(box));
    const overlay = await page.evaluate(() => (document.getElementById("gen-serve-overlay") || { innerText: "" }).innerText);
    const file = postFile.split("/").slice(-3).join("/");
    check(overlay.includes(`${file}:${lineNumber}:3`), "the panel lists the finding with file:line:col", overlay.slice(0, 300));
  }

  // 2. The fix: the finding goes, and none is ever shown for the fixed text.
  writeFileSync(postFile, original.replace(ORIGINAL_LINE, FIXED_LINE));
  const fixedShown = () => {
    const shown = document.body.innerText.includes("CONTAINERID=$(docker run --rm busybox)");
    const boxes = Array.from(document.querySelectorAll(".gen-serve-findings"));
    return shown && boxes.length > 0 && boxes.every((b) => !b.innerText.includes("GEN101") && !b.innerText.includes("ARGS"));
  };
  if (await waitFor(page, "the fix shows without the finding", `(${fixedShown.toString()})()`)) {
    check(true, "saving the fix removes the finding");
    await page.waitForTimeout(1500);
    check(await page.evaluate(`(${fixedShown.toString()})()`), "the finding stays gone");
  }
  const stale = await page.evaluate(() => sessionStorage.getItem("gen-e2e-stale"));
  check(stale === null, "no stale finding was ever shown", stale || "");
} catch (e) {
  check(false, "the browser run", String(e));
} finally {
  writeFileSync(postFile, original);
  await browser.close();
  clearTimeout(watchdog);
}
finish("e2e");
