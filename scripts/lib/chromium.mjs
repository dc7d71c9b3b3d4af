/**
 * Debian's Chromium for the browser tests: found at CHROMIUM_PATH, /usr/bin/chromium or
 * /usr/bin/chromium-browser, else installed with `apt-get install chromium` (as root, or through
 * sudo). Never a downloaded browser. Plain JavaScript, like install.mjs.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** Path of an installed Chromium, or null. */
export function chromiumPath() {
  return [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p) => p && existsSync(p)) ?? null;
}

/** Installs Chromium when missing. Returns null when it is there afterwards, else the failure as a sentence. */
export function ensureChromium(log) {
  if (chromiumPath()) return null;
  if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) {
    return "Chromium is not installed and this is not a Debian-like system: install Chromium and set CHROMIUM_PATH";
  }
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const sudo = root ? [] : ["sudo", "-n"];
  log("installing Debian's chromium for the browser tests (apt-get)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]]) {
    const [cmd, ...rest] = [...sudo, ...args];
    const r = spawnSync(cmd, rest, { stdio: ["ignore", "ignore", "inherit"], env });
    if (r.status !== 0) return `'${[...sudo, ...args].join(" ")}' failed (exit ${r.status ?? r.signal ?? r.error?.message}); install chromium yourself or set CHROMIUM_PATH`;
  }
  return chromiumPath() ? null : "apt-get installed chromium but no binary was found at /usr/bin/chromium";
}
