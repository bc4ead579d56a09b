// What the browser scripts of tests/e2e share: command-line options, playwright-core
// (from --playwright DIR, else tests/e2e/node_modules), a bound on the whole run, the
// "ok: ..." / "FAIL: ..." checks and their tally, and the headless Chromium they drive.

import { join } from "node:path";
import { pathToFileURL } from "node:url";

/// The value of `--name`, else `fallback`; without either the script stops (exit 2).
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  console.error(`missing --${name}`);
  process.exit(2);
}

/// Stops the run with a failure (exit 3) if it is still going after `ms`.
export function bound(ms) {
  return setTimeout(() => {
    console.log("FAIL: the run took longer than its bound");
    process.exit(3);
  }, ms);
}

const tally = { passed: 0, failed: 0 };

/// Prints "ok: WHAT" or "FAIL: WHAT: DETAIL" and counts it.
export function check(ok, what, detail = "") {
  if (ok) {
    tally.passed += 1;
    console.log(`ok: ${what}`);
  } else {
    tally.failed += 1;
    console.log(`FAIL: ${what}${detail ? `: ${detail}` : ""}`);
  }
}

/// Prints "LABEL: N passed, M failed" and exits 0 only if every check passed.
export function finish(label) {
  console.log(`${label}: ${tally.passed} passed, ${tally.failed} failed`);
  process.exit(tally.failed === 0 ? 0 : 1);
}

/// Headless Chromium (--chromium, default /usr/bin/chromium) through playwright-core,
/// with nothing that reaches the network on its own.
export async function launchChromium() {
  const playwrightDir = arg("playwright", "");
  const { chromium } = playwrightDir
    ? await import(pathToFileURL(join(playwrightDir, "index.mjs")).href)
    : await import("playwright-core");
  // playwright gives each launch a fresh temporary --user-data-dir.
  return chromium.launch({
    executablePath: arg("chromium", "/usr/bin/chromium"),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/// A `waitFor(page, what, fn, argument)` that waits up to `ms` for `fn` to be true in the
/// page, polling every 50 ms; a timeout is a failed check named `what`.
export function waiter(ms) {
  return async (page, what, fn, argument) => {
    try {
      await page.waitForFunction(fn, argument, { timeout: ms, polling: 50 });
      return true;
    } catch (e) {
      check(false, what, String(e).split("\n")[0]);
      return false;
    }
  };
}
