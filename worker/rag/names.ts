/**
 * Names a question mentions: the identifiers, options and product names that say what it is
 * about ("unstable_cache", "useMountEffect", "$derived", "NgZone.runOutsideAngular", "Pyroscope",
 * "OTCA"). A name the knowledge base never mentions is the sharpest sign of a near-miss question
 * (a neighbouring product, an option or hook that does not exist): the question's other words are
 * usually well covered. Pure functions; the knowledge base is asked by storage/lexical.ts
 * (`phrasesFound`) and the evidence is weighed in agents/graph/sufficiency.ts.
 */
import { isHangul, isStopWord, stem, words } from "./text";

/** One name of a question. */
export interface QuestionName {
  /** As written ("unstable_cache", "Tempo"). */
  surface: string;
  /** Its lower-case words, as the lexical index splits them (["unstable", "cache"]); at least one. */
  words: string[];
}

/** Token candidates: a letter, `$`, `_` or `@` followed by word characters and inner `.`, `-`, `/`. */
const TOKEN_RE = /[A-Za-z$_@][\w$.\-/@]*[\w$]|[A-Za-z]/g;
/** Shortest name in characters. */
const MIN_NAME_CHARS = 3;

/**
 * Whether a token reads as a name: code-like (an inner `_`, a `$`, a lower → upper case change,
 * two capitals) or, with `capitalised`, a capitalised word ("Tempo"). Plain lower-case words are
 * never names: users write them for what they mean ("persist", "debounce").
 */
function isNameLike(token: string, capitalised: boolean): boolean {
  if (token.length < MIN_NAME_CHARS || token.startsWith("_")) return false;
  if (/[A-Za-z0-9]_[A-Za-z0-9]|\$|[a-z][A-Z]|[A-Z].*[A-Z]/.test(token)) return true;
  return capitalised && /^[A-Z][a-z]+$/.test(token);
}

/**
 * The names of `question`, distinct by surface, in order. A capitalised word counts only away from
 * a sentence start in English text, anywhere in Korean text (a Hangul sentence often starts with
 * the English name it asks about). A token right after `-` is a command-line flag and is skipped
 * ("-Dotel.traces.sampler"); `a/b` and `a-b` give each part ("OOM-killed" → "OOM"); a dotted path gives its name-like segments
 * ("NgZone.runOutsideAngular" → both, "list.sort" → none: a user's own variable is no name).
 */
export function questionNames(question: string): QuestionName[] {
  const korean = isHangul(question);
  const out = new Map<string, QuestionName>();
  for (const m of question.matchAll(TOKEN_RE)) {
    const at = m.index ?? 0;
    if (question[at - 1] === "-") continue;
    const before = question.slice(0, at).trimEnd();
    const sentenceStart = before === "" || /[.?!:;\n]$/.test(before) || /\n\s*$/.test(question.slice(0, at));
    const capitalised = korean || !sentenceStart;
    for (const part of m[0].split(/[/-]/)) {
      const segments = part.replace(/[.\-]+$/, "").split(/\.(?=[A-Za-z$_])/);
      const candidates = segments.length > 1 ? segments : [part.replace(/[.\-]+$/, "")];
      for (const [i, segment] of candidates.entries()) {
        // A sentence's first word stays out; later segments of a dotted path never start one.
        if (!isNameLike(segment, capitalised || i > 0)) continue;
        const ws = words(segment);
        if (ws.length > 0 && !out.has(segment)) out.set(segment, { surface: segment, words: ws });
      }
    }
  }
  // A plain word in the place of a setting's name ("which compactor setting", "a persist option").
  for (const m of question.matchAll(OPTION_NAME_RE)) {
    const word = m[1];
    const ws = words(word);
    if (ws.length > 0 && !isStopWord(ws[0]) && !out.has(word)) out.set(word, { surface: word, words: ws });
  }
  return [...out.values()];
}

/** A lower-case word right before a word that says it names a setting. */
const OPTION_NAME_RE = /\b([a-z][a-z0-9_]{3,})\s+(?:option|flag|setting|prop|parameter|field|attribute|property|옵션|속성|플래그)(?![a-z])/g;

/** The index term of a one-word name (what the spelling corrections and the vocabulary are keyed by). */
export function nameTerm(name: QuestionName): string | null {
  return name.words.length === 1 ? stem(name.words[0]) : null;
}
