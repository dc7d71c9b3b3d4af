/**
 * Node-side loader of the real OpenTelemetry documentation in ../shared/data (never copied into
 * the repository). Returns documents in the shape of the ingestion API.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const OTEL_ROOT = new URL("../../../shared/data/docs-opentelemetry/content/en/docs/", import.meta.url).pathname;

/** Folders of the OpenTelemetry docs loaded for the tests (about half of the corpus). */
export const TEST_FOLDERS = ["concepts", "collector", "languages/python", "languages/js", "languages/go", "specs", "security", "platforms", "zero-code/java", "getting-started", "what-is-opentelemetry.md"];

export interface CorpusDocument {
  source: string;
  content: string;
  metadata: { domain: string };
}

function walk(path: string, out: string[]): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) walk(join(path, name), out);
  } else if (/\.md$/.test(path)) out.push(path);
}

export const REACT_KO_ROOT = new URL("../../../shared/data/docs-react-ko/src/content/", import.meta.url).pathname;

/**
 * Loads the Korean React documentation's `learn/` section (the golden set's Korean cases), with
 * sources relative to `src/content` ("learn/managing-state.md") and the domain "react-ko".
 */
export function loadKoreanCorpus(): CorpusDocument[] {
  const root = join(REACT_KO_ROOT, "learn");
  if (!existsSync(root)) throw new Error(`Korean React docs not found at ${root}: ../shared must sit beside the repository`);
  const files: string[] = [];
  walk(root, files);
  return files.map((file) => ({
    source: relative(REACT_KO_ROOT, file).split("\\").join("/"),
    content: readFileSync(file, "utf8"),
    metadata: { domain: "react-ko" },
  }));
}

/** Loads the test folders; throws when ../shared is missing, because the tests need real data. */
export function loadTestCorpus(): CorpusDocument[] {
  if (!existsSync(OTEL_ROOT)) throw new Error(`OpenTelemetry docs not found at ${OTEL_ROOT}: ../shared must sit beside the repository`);
  const files: string[] = [];
  for (const folder of TEST_FOLDERS) {
    const p = join(OTEL_ROOT, folder);
    if (existsSync(p)) walk(p, files);
  }
  return files.map((file) => {
    const source = relative(OTEL_ROOT, file).split("\\").join("/");
    return { source, content: readFileSync(file, "utf8"), metadata: { domain: source.split("/")[0].replace(/\.md$/, "") } };
  });
}
