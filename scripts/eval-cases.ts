/**
 * `npm run eval:cases`: checks the realistic evaluation set (test/eval/cases.json) against the
 * documentation in ../shared/data: every gold and near page exists, every keyword occurs in a gold
 * page (case-insensitive), queries are 12–45 words (Korean 8–45), ids are unique, and no page is
 * in both splits. `-- --merge FILE…` first merges draft files (arrays of cases without `split`)
 * into cases.json, assigning dev/test 50/50 by page: cases that share a gold page form one group
 * (an unanswerable case is a group of its own), and
 * groups are dealt, per corpus and scenario, to the smaller split in an order fixed by a hash of
 * their pages. Exit code 1 when a check fails. Plain TypeScript run by Node's type stripping.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AnswerCase } from "../worker/rag/eval/answers.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const DATA_ROOT = path.resolve(REPO_ROOT, "..", "shared", "data");
const CASES_FILE = path.join(REPO_ROOT, "test", "eval", "cases.json");

const pagesOf = (c: Omit<AnswerCase, "split">) => (c.scenario === "answer" ? c.gold_pages : (c.near_pages ?? []));
/** Pages that tie cases to one split: gold pages; an unanswerable case stands alone. */
const splitKeys = (c: Omit<AnswerCase, "split">) => (c.scenario === "answer" ? c.gold_pages : [`unanswerable:${c.id}`]);

/** Deals cases to dev and test by page groups (see the module comment). */
function assignSplits(drafts: Omit<AnswerCase, "split">[]): AnswerCase[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    while (parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  for (const c of drafts) for (const p of splitKeys(c)) if (!parent.has(p)) parent.set(p, p);
  for (const c of drafts) {
    const ps = splitKeys(c);
    for (const p of ps.slice(1)) parent.set(find(p), find(ps[0]));
  }
  const groups = new Map<string, Omit<AnswerCase, "split">[]>();
  for (const c of drafts) {
    const root = find(splitKeys(c)[0]);
    groups.set(root, [...(groups.get(root) ?? []), c]);
  }
  const hash = (s: string) => createHash("sha256").update(s).digest("hex");
  const ordered = [...groups.entries()].sort((a, b) => hash(a[0]).localeCompare(hash(b[0])));
  const count = new Map<string, { dev: number; test: number }>();
  const splitOf = new Map<string, "dev" | "test">();
  for (const [root, cs] of ordered) {
    const stratum = `${cs[0].corpus}/${cs[0].scenario}`;
    const n = count.get(stratum) ?? { dev: 0, test: 0 };
    const split = n.dev <= n.test ? "dev" : "test";
    n[split] += cs.length;
    count.set(stratum, n);
    splitOf.set(root, split);
  }
  return drafts.map((c) => ({ ...c, split: splitOf.get(find(splitKeys(c)[0]))! }));
}

/** Problems of the set, one line each. */
function check(cases: readonly AnswerCase[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const pageSplit = new Map<string, string>();
  for (const c of cases) {
    if (ids.has(c.id)) problems.push(`${c.id}: duplicate id`);
    ids.add(c.id);
    const n = c.query.split(/\s+/).filter(Boolean).length;
    const min = c.language === "ko" ? 8 : 12;
    if (n < min || n > 45) problems.push(`${c.id}: ${n} words`);
    for (const p of pagesOf(c)) if (!existsSync(path.join(DATA_ROOT, p))) problems.push(`${c.id}: no page ${p}`);
    for (const p of c.gold_pages) {
      const other = pageSplit.get(p);
      if (other && other !== c.split) problems.push(`${c.id}: page ${p} is in both splits`);
      pageSplit.set(p, c.split);
    }
    if (c.scenario === "answer") {
      const text = c.gold_pages.filter((p) => existsSync(path.join(DATA_ROOT, p))).map((p) => readFileSync(path.join(DATA_ROOT, p), "utf8")).join("\n").toLowerCase();
      for (const k of c.keywords) if (!text.includes(k.toLowerCase())) problems.push(`${c.id}: keyword "${k}" not in its gold page(s)`);
      if (c.keywords.length === 0) problems.push(`${c.id}: no keyword`);
    }
  }
  return problems;
}

const args = process.argv.slice(2);
if (args[0] === "--merge") {
  const drafts = args.slice(1).flatMap((f) => JSON.parse(readFileSync(f, "utf8")) as Omit<AnswerCase, "split">[]);
  const cases = assignSplits(drafts.map(({ ...c }) => ({ ...c, keywords: c.keywords ?? [], gold_pages: c.gold_pages ?? [] })));
  writeFileSync(CASES_FILE, `[\n${cases.map((c) => "  " + JSON.stringify(c)).join(",\n")}\n]\n`);
}
const cases = JSON.parse(readFileSync(CASES_FILE, "utf8")) as AnswerCase[];
const problems = check(cases);
const tally = new Map<string, number>();
for (const c of cases) tally.set(`${c.split} ${c.corpus} ${c.scenario}`, (tally.get(`${c.split} ${c.corpus} ${c.scenario}`) ?? 0) + 1);
for (const [k, v] of [...tally].sort()) console.log(`${k}: ${v}`);
for (const p of problems) console.log(p);
console.log(`${cases.length} cases, ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
