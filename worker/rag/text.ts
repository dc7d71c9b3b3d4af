/**
 * Text analysis shared by lexical query building, the offline embedder and the extractive
 * generator: Unicode word tokenisation, English Porter stemming, English/Korean stop words.
 */
import { stemmer } from "stemmer";
import { eng, kor } from "stopword";

const WORD_RE = /[\p{L}\p{N}]+(?:['\u2019][\p{L}]+)?/gu;
/** An apostrophe, typed (') or typographic (’). */
const APOSTROPHE_RE = /['\u2019]/gu;
const HANGUL_RE = /\p{Script=Hangul}/u;
const EXTRA_STOP_WORDS = [
  "what", "which", "who", "whom", "how", "why", "when", "where", "does", "do", "did", "is", "are",
  "was", "were", "can", "could", "should", "would", "will", "i", "me", "my", "you", "your", "we",
  "our", "it", "its", "this", "that", "these", "those", "there", "then", "than", "a", "an", "the",
  "of", "to", "in", "on", "for", "with", "about", "and", "or", "be", "by", "as", "at", "from",
  "use", "using", "tell", "explain", "describe", "please", "need", "want", "get", "s",
  // Contractions as chat users type them, without the apostrophe.
  "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant", "couldnt", "wont", "wouldnt",
  "shouldnt", "havent", "hasnt", "hadnt", "im", "ive", "id", "youre", "youve", "theyre", "weve",
  "whats", "thats", "theres", "lets", "myself", "ourselves", "yourself",
];
/** Korean particles and question words that carry no topic. */
const KOREAN_FUNCTION_WORDS = ["무엇", "무엇인가요", "뭐", "어떻게", "왜", "언제", "어디", "어떤", "있나요", "인가요", "하나요", "하는", "있는", "대해", "대한"];

const STOP_WORDS: ReadonlySet<string> = new Set([...eng, ...EXTRA_STOP_WORDS, ...kor, ...KOREAN_FUNCTION_WORDS]);

/**
 * Korean particles (josa), common verbal endings and conversational endings, longest first. Korean attaches them to the
 * stem ("상태를", "상태는", "관리하는"), so stripping them lets a stem match its inflected forms.
 */
const KOREAN_SUFFIXES = [
  // Conversational question and sentence endings (chat and forum Korean), with 하/되 verb stems.
  "되는건가요", "하는건가요", "되는데요", "하는데요", "되나요", "하나요", "인가요", "건가요", "는데요", "은데요",
  "거든요", "잖아요", "던데요", "하려면", "되려면", "했는데", "됐는데", "되는데", "되어요", "되게", "하게",
  "되요", "돼요", "해요", "나요", "가요", "까요", "어요", "아요", "에요", "예요", "세요", "네요", "는지", "은지",
  "을지", "할지", "인지", "려고", "면서", "다가", "어서", "아서", "지만", "니까", "으면", "라서", "해도",
  // Particles (josa) and common verbal endings.
  "에서부터", "으로부터", "이라는", "이라고", "에서는", "에게서", "으로는", "하였다", "했습니다", "합니다", "됩니다",
  "입니다", "이었다", "하는데", "에서", "에게", "한테", "으로", "부터", "까지", "처럼", "보다", "라는", "라고", "이나",
  "하는", "하고", "하면", "하여", "해서", "했다", "하기", "한다", "된다", "되는", "되어", "이다", "께서", "마다", "조차",
  "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만", "나", "랑", "란", "한", "된", "할",
].sort((a, b) => b.length - a.length);

/**
 * Light Korean stemming: strips one trailing particle or ending from a Hangul word when at least
 * two syllables remain ("상태를" → "상태", "관리하는" → "관리", but "나이" stays). Non-Hangul
 * words are returned unchanged.
 */
export function stripKoreanSuffix(word: string): string {
  if (!isHangul(word)) return word;
  for (const suffix of KOREAN_SUFFIXES) {
    if (word.length - suffix.length >= 2 && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

/**
 * True when `term` (a content term) occurs in a set of content terms: exactly, or, for a Hangul
 * stem, as the prefix of a longer inflected token ("상태" matches "상태를").
 */
export function hasTerm(terms: ReadonlySet<string>, term: string): boolean {
  if (terms.has(term)) return true;
  if (!isHangul(term)) return false;
  for (const t of terms) if (t.startsWith(term)) return true;
  return false;
}

/** True when `word` contains Hangul syllables or jamo. */
export function isHangul(word: string): boolean {
  return HANGUL_RE.test(word);
}

/**
 * True for stop words (English from `stopword`'s list plus question words, Korean from its list)
 * and for contractions of them ("don't", "doesn’t", "we'd", "it'll"): the letters without the
 * apostrophe are a stop word ("dont"), or the part before it is ("we"). A possessive of a content
 * word ("collector's") is no stop word.
 */
export function isStopWord(word: string): boolean {
  if (STOP_WORDS.has(word)) return true;
  const at = word.search(APOSTROPHE_RE);
  return at > 0 && (STOP_WORDS.has(word.replace(APOSTROPHE_RE, "")) || STOP_WORDS.has(word.slice(0, at)));
}

/**
 * Splits text into lower-cased NFKC-normalised word tokens (letters and digits; an inner
 * apostrophe is kept). Order and duplicates are preserved.
 */
export function words(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(WORD_RE) ?? [];
}

/** Most words whose index terms {@link stem} keeps; the memo is emptied when it is full. */
const STEM_MEMO_SIZE = 20_000;
/**
 * Index terms of recent words, per isolate: `stemmer` takes ~0.65 µs a word and a memo hit
 * ~0.1 µs (Node, SciFact's words; 20,000 words cover most of a query's feedback chunks and of an
 * ingestion batch). About 2 MB when full.
 */
const stemMemo = new Map<string, string>();

/**
 * Normalises one lower-case word to its index term: Porter stem (Porter 1980, via `stemmer`)
 * for Latin-script words, Korean particle stripping for Hangul, unchanged for other scripts.
 * Possessive `'s` is dropped.
 */
export function stem(word: string): string {
  let s = stemMemo.get(word);
  if (s === undefined) {
    const w = word.replace(/['\u2019]s$/u, "").replace(APOSTROPHE_RE, "");
    s = isHangul(w) ? stripKoreanSuffix(w) : /^[a-z]+$/.test(w) ? stemmer(w) : w;
    if (stemMemo.size >= STEM_MEMO_SIZE) stemMemo.clear();
    stemMemo.set(word, s);
  }
  return s;
}

/**
 * Content terms of a text: tokens minus stop words, stemmed. Tokens of one character are
 * dropped unless they are digits or Hangul. Duplicates are kept (term frequency matters).
 */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    if (isContentWord(w)) out.push(stem(w));
  }
  return out;
}

function isContentWord(w: string): boolean {
  return !isStopWord(w) && (w.length >= 2 || /\d/.test(w) || isHangul(w));
}

/**
 * The content terms of `text` ({@link contentTerms}: in text order, duplicates kept) and, in the
 * same pass over its words, `wordOf`: for each term made of the letters a–z, the first word of the
 * text that stems to it and is itself made of a–z only ("acceler" → "acceleration"). SQLite's
 * Porter tokenizer turns such a word into exactly this term (the same Porter 1980 algorithm:
 * identical on all 30,557 such words of SciFact), while the term itself may be stemmed again into
 * another one ("acceler" → "accel"), so a query searches a term through its word.
 */
export function termsAndWords(text: string): { terms: string[]; wordOf: Map<string, string> } {
  const terms: string[] = [];
  const wordOf = new Map<string, string>();
  for (const w of words(text)) {
    if (!isContentWord(w)) continue;
    const term = stem(w);
    terms.push(term);
    if (!wordOf.has(term) && /^[a-z]+$/.test(w)) wordOf.set(term, w);
  }
  return { terms, wordOf };
}

const RAW_TOKEN_RE = /[\p{L}\p{N}]+/gu;
/** Boundaries inside a token: lower → upper case, letter → digit, digit → letter. */
const DELIMITER_RE = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

/**
 * Sub-words of alphanumeric identifiers, split the way Lucene's word delimiter filter
 * (`WordDelimiterGraphFilter`) splits them: at letter ↔ digit transitions and lower → upper case
 * changes ("hTRPML2" → trpml, "log4j" → log, "IL6R" → none). Only tokens that mix letters and
 * digits give parts: splitting plain camel-case words ("OpenTelemetry" → open, telemetry) added
 * noise and no gain (SciFact train). Parts are Latin-script letter runs of at least 3 characters
 * that are not stop words, lower-cased and stemmed like {@link contentTerms}, distinct, in
 * first-seen order. The index holds the whole token ("trpml1"), so callers match a part as a prefix.
 */
export function wordDelimiterParts(text: string): string[] {
  const out = new Set<string>();
  for (const token of text.normalize("NFKC").match(RAW_TOKEN_RE) ?? []) {
    if (!/\p{N}/u.test(token) || !/\p{L}/u.test(token)) continue;
    const parts = token.split(DELIMITER_RE);
    for (const part of parts) {
      const w = part.toLowerCase();
      if (!/^\p{Script=Latin}{3,}$/u.test(w) || isStopWord(w)) continue;
      const s = stem(w);
      out.add(s.length >= 3 ? s : w);
    }
  }
  return [...out];
}

/** Distinct content terms of a text, in first-seen order. */
export function distinctContentTerms(text: string): string[] {
  return [...new Set(contentTerms(text))];
}

const LOWERCASE_SENTENCE_START_RE = /(?<=[\p{L}\p{N})\]"'`]{2}[.!?])\s+(?=\p{Ll}[\p{L}-]*\s)/u;

/**
 * Splits text into sentences with `Intl.Segmenter` (Unicode UAX #29 sentence boundaries),
 * trimming whitespace and dropping empty segments.
 */
export function sentences(text: string, locale = "en"): string[] {
  const segmenter = new Intl.Segmenter(locale, { granularity: "sentence" });
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    // UAX #29 does not break before a lower-case word ("… documents. edge-rag is …"); split
    // there too unless the period ends an abbreviation such as "e.g.".
    for (const part of segment.split(LOWERCASE_SENTENCE_START_RE)) {
      const s = part.replace(/\s+/g, " ").trim();
      if (s) out.push(s);
    }
  }
  return out;
}
