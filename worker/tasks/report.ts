/**
 * Assembly of task reports (pure): a title, a summary of cited key points, one section per part
 * (sub-question, document or code example), the context of completed dependencies, and the
 * sources list. Parts keep their own text; only their citation numbers change (./citations.ts).
 */
import { sentences } from "../rag/text";
import { NOT_COVERED_MESSAGE } from "../rag/generation/types";
import { escapeInline, markersOf, renderSources, SourceRegistry, type PartSource } from "./citations";
import type { DependencyContext, TaskResult, TaskType } from "./types";

/** Characters of a key point in a summary, at most and at least (shorter lines are labels, not statements). */
const KEY_POINT_CHARS = 300;
const MIN_KEY_POINT_CHARS = 12;

/** The answer of one part, as the retrieval and generation path wrote it. */
export interface PartAnswer {
  /** The part's heading: its sub-question, document title or example's heading path. */
  heading: string;
  /** The answer's Markdown with `[n]` markers into `sources`. */
  response: string;
  /** False when the knowledge base does not answer the part (the response then says so). */
  has_sufficient_info: boolean;
  sources: PartSource[];
}

/** Title words of each task type. */
const TITLES: Record<TaskType, string> = { research: "Research", analysis: "Analysis", code: "Code" };

/** A sentence that points elsewhere ("…, see the next page.") or lost its link text ("see the OpenTelemetry ."): no key point. */
const POINTER_RE = /(?:^|[\s,(])(?:see|refer to|for more information|learn more)\b|\s[.:]$/i;
/** The heading line of a rendered answer group (`**Page > Section**`). */
const GROUP_HEADING_RE = /^\*\*[^\n]*\*\*$/;

/**
 * The first cited statement of an answer, for a summary: the first sentence of the first prose
 * line of a cited group (heading lines, tables and code skipped; a lead-in ending with ":" or a
 * pointer elsewhere only when no group has a statement), cut to {@link KEY_POINT_CHARS}
 * characters, followed by that group's markers. Null when nothing is cited.
 */
export function keyPoint(response: string): string | null {
  let leadIn: string | null = null;
  for (const block of response.split(/\n{2,}/)) {
    const markers = markersOf(block);
    if (markers.length === 0) continue;
    const cite = markers.map((n) => `[${n}]`).join("");
    let inFence = false;
    for (const raw of block.split("\n")) {
      const line = raw.trim();
      if (/^(```|~~~)/.test(line)) {
        inFence = !inFence;
        continue;
      }
      if (inFence || !line || GROUP_HEADING_RE.test(line) || /^[|#>]/.test(line)) continue;
      const text = line.replace(/^(?:[-*+]|\d+[.)])\s+/, "").replace(/\s*(?:\[\d{1,3}\])+\s*$/, "").trim();
      if (text.length < MIN_KEY_POINT_CHARS) continue;
      let first = sentences(text)[0] ?? text;
      if (first.length > KEY_POINT_CHARS) first = first.slice(0, KEY_POINT_CHARS - 1).replace(/\s+\S*$/, "") + "…";
      if (!first.endsWith(":") && !POINTER_RE.test(first)) return `${first} ${cite}`;
      leadIn ??= `${first} ${cite}`;
    }
  }
  return leadIn;
}

/** The bullet lines of a report's "## Summary" section (its first section), or [] when it has none. */
export function summaryOf(report: string): string[] {
  const start = report.indexOf("\n## Summary\n");
  if (start < 0) return [];
  const body = report.slice(start + "\n## Summary\n".length);
  const end = body.indexOf("\n## ");
  return (end < 0 ? body : body.slice(0, end)).split("\n").filter((line) => /^- /.test(line));
}

/**
 * The "Context from earlier tasks" section: per completed dependency, its description and its
 * summary bullets, their citations renumbered into `registry` (the dependency's sources join the
 * report's list). Empty when there are no dependencies.
 */
function contextSection(context: readonly DependencyContext[], registry: SourceRegistry): string[] {
  if (context.length === 0) return [];
  const lines = ["## Context from earlier tasks", ""];
  for (const dep of context) {
    lines.push(`**${TITLES[dep.type]} task ${dep.task_id}**: ${escapeInline(dep.description)}`, "");
    const bullets = summaryOf(dep.result.report);
    if (bullets.length === 0) lines.push("- Its report has no summary.");
    for (const bullet of bullets) lines.push(registry.cite({ text: bullet, sources: dep.result.sources }));
    lines.push("");
  }
  return lines;
}

/** What {@link assembleReport} builds a report from. */
export interface ReportInput {
  type: TaskType;
  description: string;
  /** The parts, in order; each becomes a numbered section. */
  parts: readonly PartAnswer[];
  /** Completed dependencies, whose summaries the report carries as context. */
  context?: readonly DependencyContext[];
  /** Markdown placed between the summary and the sections (e.g. an analysis' comparison); its markers are not renumbered. */
  preface?: string;
  /** Summary line of a part that has no cited key point (default: the part is not covered). */
  uncovered?: (part: PartAnswer) => string;
}

/**
 * Builds the report: "# <Type>: <description>", "## Summary" (one bullet per part: its heading
 * and cited key point), the optional preface, "## <i>. <heading>" per part with its answer, the
 * context of earlier tasks, and "## Sources". Citations are renumbered into one list, numbered in
 * order of first citation in the sections (the summary cites the same numbers).
 */
export function assembleReport(input: ReportInput): TaskResult {
  const registry = new SourceRegistry();
  const sections: string[] = [];
  const summary: string[] = [];
  input.parts.forEach((part, i) => {
    const heading = `## ${i + 1}. ${escapeInline(part.heading)}`;
    if (!part.has_sufficient_info) {
      sections.push(heading, "", NOT_COVERED_MESSAGE, "");
      summary.push(`- **${escapeInline(part.heading)}** ${input.uncovered?.(part) ?? "The knowledge base does not cover this part."}`);
      return;
    }
    const body = registry.cite({ text: part.response, sources: part.sources });
    sections.push(heading, "", body, "");
    const point = keyPoint(body);
    summary.push(`- **${escapeInline(part.heading)}** ${point ?? "Answered without a citable statement."}`);
  });
  const context = contextSection(input.context ?? [], registry);
  const lines = [
    `# ${TITLES[input.type]}: ${escapeInline(input.description.replace(/\s+/g, " ").trim())}`,
    "",
    "## Summary",
    "",
    ...(summary.length ? summary : ["- Nothing in the knowledge base answers this task."]),
    "",
    ...(input.preface ? [input.preface, ""] : []),
    ...sections,
    ...context,
    "## Sources",
    "",
    renderSources(registry.sources),
  ];
  return { report: lines.join("\n").replace(/\n{3,}/g, "\n\n").trim() + "\n", sources: registry.sources };
}
