/**
 * Combining the answers to the parts of a decomposed question (one per ask, or each side of a
 * comparison and then their contrast) into one answer without showing a passage twice.
 */
import { citedIndexes, type GeneratedAnswer } from "./types";

/**
 * The units of a rendered answer group's body: a fenced code block as one unit, every other
 * non-empty line as one; the heading line (`**…**`) and the trailing `[n]` marker are not units.
 */
function unitsOf(body: string[]): string[] {
  const units: string[] = [];
  let fence: string[] | null = null;
  for (const line of body) {
    if (line.startsWith("```")) {
      if (fence) {
        fence.push(line);
        units.push(fence.join("\n"));
        fence = null;
      } else fence = [line];
    } else if (fence) fence.push(line);
    else if (line.trim()) units.push(line);
  }
  if (fence) units.push(fence.join("\n"));
  return units;
}

/**
 * Joins part answers (answered parts only, in order) with a blank line, dropping from later parts
 * every passage (line or code block) an earlier part already showed, and a source group left with
 * none. Groups are the generator's "**heading path**\n…lines… [n]" blocks separated by blank
 * lines; a part written differently (a model's prose) is kept as it is. `sources` bounds the
 * citation numbers. Returns the combined answer (coverage: the mean over `parts`).
 */
export function combineParts(parts: readonly GeneratedAnswer[], sources: number): GeneratedAnswer {
  const answered = parts.filter((p) => p.hasSufficientInfo);
  const seen = new Set<string>();
  const groups: string[] = [];
  for (const part of answered) {
    for (const group of part.response.split(/\n{2,}(?=\*\*)/)) {
      const match = /^(\*\*[^\n]*\*\*)\n([\s\S]*?)\s*((?:\[\d+\])+)\s*$/.exec(group);
      if (!match) {
        if (!seen.has(group)) groups.push(group);
        seen.add(group);
        continue;
      }
      const [, heading, body, marker] = match;
      const units = unitsOf(body.split("\n")).filter((u) => !seen.has(u));
      for (const u of units) seen.add(u);
      if (units.length === 0) continue;
      const text = units.join("\n");
      groups.push(`${heading}\n${text}${text.endsWith("```") ? "\n" : " "}${marker}`);
    }
  }
  const response = groups.join("\n\n");
  return {
    response,
    hasSufficientInfo: answered.length > 0,
    citedIndexes: citedIndexes(response, sources),
    coverage: parts.length ? answered.reduce((s, p) => s + p.coverage, 0) / parts.length : 0,
  };
}
