/** Where Debian's Chromium is (CHROMIUM_PATH overrides); the tests never download a browser. */
import { existsSync } from "node:fs";

/** Path of the Chromium binary; throws with the install command when it is missing. */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`Chromium not found (looked at ${candidates.join(", ")}): install it with 'apt-get update && apt-get install -y chromium' (.ci/run does) or set CHROMIUM_PATH`);
  }
  return found;
}
