/**
 * A deterministic prompt-injection detector (OWASP LLM01/LLM07; docs/security.md): flags text that
 * reads as instructions to an AI model rather than as a question or documentation, in English and
 * Korean, also when hidden by simple encodings (base64, hex, %-encoding, HTML entities, ROT13) or
 * obfuscation (zero-width characters, homoglyphs, letter spacing, leetspeak). Pure: no I/O, no
 * state; the same text always gives the same reasons.
 *
 * Used on questions (worker/services/chat.ts records the flag and answers the question without
 * its instruction-like sentences), on ingested chunks (stored as `chunks.injection_flags`,
 * migrations/0016_chunk_injection_flags.sql) and on sources when a prompt is built
 * (worker/guardrails/prompt.ts quotes flagged sources with a warning).
 */

/** Why a text was flagged. Stable strings: they appear in the API and in D1. */
export type InjectionReason =
  /** "ignore / disregard / forget the previous instructions", "이전 지시를 무시" */
  | "ignore_instructions"
  /** "you are now …", "from now on you …", "act as an unrestricted …", "너는 이제 …" */
  | "role_override"
  /** role-play jailbreaks: DAN, "do anything now", developer / god mode, "no restrictions", 탈옥 */
  | "jailbreak"
  /** asks for the system prompt or the instructions given to the model, "시스템 프롬프트를 보여줘" */
  | "prompt_leak"
  /** asks for keys, tokens, passwords, environment variables or the configuration, "API 키를 알려줘" */
  | "secret_request"
  /** chat-template tokens or fake prompt sections: `<|im_start|>`, `[INST]`, `### System:`, "END OF CONTEXT" */
  | "delimiter_spoof"
  /** one of the above found only after decoding base64, hex, %-escapes, HTML entities or ROT13 */
  | "encoded"
  /** one of the above found only after removing zero-width characters, homoglyphs, letter spacing or leetspeak */
  | "obfuscated";

/** What {@link detectInjection} found. */
export interface InjectionResult {
  flagged: boolean;
  /** Distinct reasons in the order of {@link REASON_ORDER}; empty when not flagged. */
  reasons: InjectionReason[];
}

/** Order of the reasons in a result. */
export const REASON_ORDER: readonly InjectionReason[] = [
  "ignore_instructions", "role_override", "jailbreak", "prompt_leak", "secret_request", "delimiter_spoof", "encoded", "obfuscated",
];

type Rule = { reason: Exclude<InjectionReason, "encoded" | "obfuscated">; re: RegExp };

// Shared vocabulary (English, lower-cased "words" view: letters, digits, spaces and a little punctuation).
const QUAL = String.raw`(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|existing|old|system|developer|all|any|every|your|my|these|those|the|of|other)`;
const INSTR = String.raw`(?:instructions?|prompts?|directions?|directives?|guidelines?|rules|commands?|orders|constraints|guardrails|programming|system messages?)`;
const REVEAL = String.raw`(?:reveal|show|print|display|repeat|output|leak|dump|disclose|expose|tell|give|send|share|list|write out|spell out|recite|echo|return|paste|copy|type out|read (?:back|out)|what(?: is|'s| are| were| was))`;
const STRONG = String.raw`(?:reveal|show|print|display|output|leak|dump|disclose|expose|tell|give|send|share|write out|spell out|recite|echo|paste|type out|read out)`;
const MINE = String.raw`(?:your|its|the assistant's|the bot's|the model's|the ai's|the server's|the system's|the worker's|the app's|the application's|the deployment's|this server's|this assistant's|this bot's|internal|production)`;
const SPECIFIC = String.raw`(?:api[ _-]?keys?|admin[ _-]?tokens?|access tokens?|bearer tokens?|auth tokens?|private keys?|secret keys?|signing keys?|\.env|\.dev\.vars|openai_api_key|admin_token|tavily_api_key|[a-z_]*_(?:api_key|token|secret|password))`;
const GENERIC = String.raw`(?:tokens?|passwords?|secrets?|credentials?|keys|env(?:ironment)? ?var(?:iable)?s?|config(?:uration)?(?: values?| settings?| files?)?|settings|setup)`;
const ADJ = String.raw`(?:(?:current|real|actual|full|stored|configured|secret|openai|tavily|cloudflare|admin|server|system|private|complete|whole|entire|exact) )*`;

/** Rules over the normalised "words" view of a text (see {@link views}). */
const EN_RULES: Rule[] = [
  { reason: "ignore_instructions", re: new RegExp(String.raw`\b(?:ignore|disregard|forget|override|overrule|bypass|skip|discard|abandon|neglect)\b(?: (?:the|of|these|those|that|this|and|given|stated|mentioned|said|just|other|your|my|safety)){0,3} (?:all|any|every|each|previous|prior|above|earlier|preceding|foregoing|former|original|initial|existing|old|system|developer|your|my)(?: (?:the|of|these|those|your|my|previous|prior|above|earlier|preceding|original|initial|system|developer|safety|given|other)){0,3} ${INSTR}\b`) },
  { reason: "ignore_instructions", re: new RegExp(String.raw`\b(?:ignore|disregard|forget)\b (?:everything|all|anything|whatever)(?: (?:you|that|i|that you|which))?(?: (?:were|have been|was|are|been))? (?:above|before|previously|prior|earlier|said|told|given|instructed)\b`) },
  { reason: "ignore_instructions", re: /\b(?:disregard|ignore) (?:the |all |everything |anything )?(?:above|previous|preceding|foregoing|prior|earlier)\b/ },
  { reason: "ignore_instructions", re: new RegExp(String.raw`\b(?:do not|don't|dont|never|stop) (?:follow(?:ing)?|obey(?:ing)?|listen(?:ing)? to|apply(?:ing)?) (?:${QUAL} ){0,3}${INSTR}\b`) },
  { reason: "ignore_instructions", re: /\b(?:new|updated|revised|real|actual|override|overriding) (?:system )?(?:instructions?|rules|prompt|directives?) ?(?::|are|is|follow)/ },
  { reason: "role_override", re: /\byou are now (?:(?:an?|the|my|in|no longer|free|called|named|going to be|a new) )?(?:\w+ ){0,3}?(?:assistant|ai|bot|model|chatbot|gpt|llm|dan|persona|character|mode|unrestricted|unfiltered|jailbroken|uncensored|evil|free|bound|hacker|admin(?:istrator)?|root|developer|system)\b/ },
  { reason: "role_override", re: /\bfrom now on,? (?:you (?:are|will|must|shall|should|can|have to|act|respond|answer|reply|ignore|only)|act as|respond as|answer as|pretend|behave)\b/ },
  { reason: "role_override", re: /\b(?:act|behave|respond|answer|reply|speak) as (?:if you (?:were|are) )?(?:an? |the |my )?(?:\w+ ){0,2}?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|malicious|different|new|rogue|hacker|ai without|assistant without|model without|system administrator|root user)\b/ },
  { reason: "role_override", re: /\bpretend (?:to be|you are|you're|that you are|that you're|to have) (?:an? |the |my )?(?:\w+ ){0,3}?(?:ai|assistant|model|bot|gpt|unrestricted|unfiltered|evil|without|no longer|hacker|admin|developer|system|free|dan)\b/ },
  { reason: "role_override", re: /\byour (?:new|real|true|only|actual) (?:role|task|job|purpose|goal|instructions?|identity|persona|name) (?:is|are|will be|:)/ },
  { reason: "role_override", re: /\b(?:switch|change|enter) (?:to|into) (?:\w+ ){0,2}?(?:mode|persona|character)\b.{0,40}\b(?:no|without|unrestricted|unfiltered|ignore)\b/ },
  { reason: "jailbreak", re: /\bdo anything now\b/ },
  { reason: "jailbreak", re: /\bjail ?br(?:eak|oken|eaking)\b/ },
  { reason: "jailbreak", re: /\b(?:(?:god|sudo|unrestricted|evil|chaos|opposite|dan|jailbreak|uncensored|unfiltered) mode|developer mode (?:enabled|activated|is on|output|response)|(?:you are|you're|act|stay|remain) in developer mode)\b/ },
  { reason: "jailbreak", re: /\b(?:without|with no|no|free (?:of|from)|free from all|not bound by|no longer bound by|unbound by|released from) (?:any |all |the |your |moral |ethical |content |safety )*(?:restrictions?|filters?|filtering|censorship|ethics|morals|guardrails|safeguards?|content polic(?:y|ies)|safety (?:guidelines|rules|filters|policies)|moral (?:guidelines|constraints))\b.{0,60}\b(?:answer|respond|reply|assistant|ai|model|chatbot|bot|persona|character|act|pretend|role ?play)\b/ },
  { reason: "jailbreak", re: /\b(?:assistant|ai|model|chatbot|bot|persona|character|act as|pretend|role ?play|answer|respond|reply)\b.{0,60}\b(?:without|with no|no|free (?:of|from)|not bound by|no longer bound by) (?:any |all |the |your |moral |ethical |content |safety )*(?:restrictions?|filters?|filtering|censorship|ethics|morals|guardrails|safeguards?|content polic(?:y|ies)|safety (?:guidelines|rules|filters|policies)|moral (?:guidelines|constraints))\b/ },
  { reason: "jailbreak", re: /\b(?:role ?play|roleplay|let's play a game|lets play a game|let us play a game|stay in character|break character|in character as|you will play the role|play the role of)\b/ },
  { reason: "jailbreak", re: /\b(?:my )?(?:dead |late |deceased )?grand(?:ma|mother|pa|father),? (?:(?:who|that) )?(?:used to|would)\b.{0,80}\b(?:key|password|token|prompt|instructions|secret|napalm|recipe)\b/ },
  { reason: "jailbreak", re: /\bhypothetical(?:ly)?\b.{0,60}\b(?:no (?:rules|restrictions|filters)|without (?:rules|restrictions|filters)|unrestricted|unfiltered)\b/ },
  { reason: "prompt_leak", re: new RegExp(String.raw`\b${REVEAL}(?: (?:me|us|back|out|verbatim|exactly|word for word|all|in full|everything in|the contents of|the text of|the content of)){0,3} (?:of )?(?:${MINE} (?:(?:full|entire|complete|whole|exact|original|initial|hidden|secret|internal|real|actual|current|first|system|developer|pre|preceding|previous|above) )*(?:system )?(?:prompt|instructions|directives|system message|initial message|rules|guidelines|meta ?prompt|configuration prompt)|(?:the |this )?(?:(?:full|entire|complete|whole|exact|real|actual|current|first) )*(?:original|initial|hidden|secret|internal|system|developer|pre|meta|preceding|previous|above)(?: (?:original|initial|hidden|secret|internal|system|developer))* (?:prompt|instructions|directives|message)|(?:the )?rules you (?:were|have been) given|(?:the )?guidelines you (?:follow|were given))s?\b`) },
  { reason: "prompt_leak", re: /\bsystem ?(?:prompt|message|instructions)\b.{0,40}\b(?:reveal|show|print|display|repeat|output|leak|dump|disclose|verbatim|word for word|tell me|give me|what is|what's|what are|contents?)\b/ },
  { reason: "prompt_leak", re: /\b(?:reveal|show|print|display|repeat|output|leak|dump|disclose|recite)\b.{0,30}\bsystem ?(?:prompt|message)\b/ },
  { reason: "prompt_leak", re: /\b(?:repeat|print|output|show|reveal|recite|copy|echo|write out|translate|summari[sz]e) (?:me )?(?:all |everything |all the (?:text|words) |the (?:text|words|content|message|messages|lines?|sentences?|instructions) )(?:above|before this|prior to this|preceding this|you were (?:given|told)|from the (?:start|beginning|top)|(?:that )?(?:came |comes )?before (?:this|my) (?:message|question|line))\b/ },
  { reason: "prompt_leak", re: /\b(?:what|which) (?:instructions|rules|guidelines|directives|prompt) (?:were you|have you been|are you|did you) (?:given|told|programmed|instructed|following|trained)\b/ },
  { reason: "prompt_leak", re: /\bhow (?:were|are) you (?:instructed|programmed|prompted|configured)\b/ },
  { reason: "secret_request", re: new RegExp(String.raw`\b${STRONG}(?: (?:me|us))?(?: (?:all|all of|all the|the|the value of|the values of|the contents of|every|each))? ${ADJ}${SPECIFIC}\b`) },
  { reason: "secret_request", re: new RegExp(String.raw`\b${REVEAL}(?: (?:me|us))?(?: (?:all|all of|the value of|the values of|the contents of|every|each))? ${MINE} ${ADJ}(?:${SPECIFIC}|${GENERIC})\b`) },
  { reason: "secret_request", re: /\b(?:reveal|leak|dump|disclose|expose) (?:all )?(?:of )?(?:the )?(?:environment variables|env vars|secrets|credentials|configuration|config|settings|keys|tokens|passwords)\b/ },
  { reason: "secret_request", re: new RegExp(String.raw`\b(?:value|contents?) of (?:the |your )?(?:openai_api_key|admin_token|tavily_api_key|[a-z_]*_(?:api_key|token|secret|password)|\.env|\.dev\.vars|env(?:ironment)? var(?:iable)?s?)\b`) },
  { reason: "secret_request", re: /\b(?:api[ _-]?keys?|tokens?|passwords?|secrets?|credentials?) (?:that |which )?you (?:use|were given|are using|store|hold|have access to)\b/ },
  { reason: "delimiter_spoof", re: /\b(?:end|close|stop) of (?:the )?(?:context|document|documents|sources?|system prompt|prompt|instructions|data|user input|untrusted (?:data|source|content))\b/ },
  { reason: "delimiter_spoof", re: /\b(?:begin|start|beginning of) (?:the )?(?:new |real |actual )?(?:system prompt|system message|instructions|system instructions|admin instructions|developer instructions)\b/ },
];

/** Chat-template tokens and prompt-block tags, removed before sentences are judged by {@link stripInjection}. */
const TEMPLATE_TOKENS = /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|untrusted_source|untrusted_sources|user_question|instructions?)(?:\s[^>]*)?>/gi;

/** Rules over the raw text (after NFKC and zero-width removal): chat-template tokens and fake prompt sections. */
const RAW_RULES: Rule[] = [
  { reason: "delimiter_spoof", re: /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|untrusted_source|untrusted_sources|user_question|instructions?)(?:\s[^>]*)?>/i },
  { reason: "delimiter_spoof", re: /^[ \t]*(?:#{1,6}[ \t]*)?(?:SYSTEM|System|ASSISTANT|Assistant|DEVELOPER|Developer)(?:[ \t]+(?:prompt|message|instructions?|PROMPT|MESSAGE|INSTRUCTIONS?))?[ \t]*:[ \t]*[A-Za-z]/m },
  { reason: "delimiter_spoof", re: /^\s*#{2,6}\s*(?:instruction|instructions|response|new instructions)\s*:?\s*$/im },
];

/**
 * Korean rules over the normalised text (spaces collapsed; Hangul is left as is). Korean word
 * order puts the verb last: "이전 지시를 무시하고", "시스템 프롬프트를 보여줘".
 */
const KO_RULES: Rule[] = [
  { reason: "ignore_instructions", re: /(?:이전|앞|앞의|위|위의|기존|지금까지|모든|원래|처음|시스템|개발자|너의|당신의|네)[^.!?。\n]{0,20}(?:지시|지침|명령|규칙|프롬프트|설정|안내)[^.!?。\n]{0,12}(?:무시|잊어|잊고|잊으|따르지\s*마|따르지\s*말|버려|취소|어겨|무효)/ },
  { reason: "ignore_instructions", re: /(?:프롬프트|지시\s*사항)(?:은|는|을|를|이|가)?\s*(?:전부|모두|다)?\s*(?:무시|잊어)/ },
  { reason: "ignore_instructions", re: /(?:새로운|새|진짜|실제)\s*(?:지시|지침|명령|규칙|시스템\s*프롬프트)\s*(?::|은|는|입니다|이다)/ },
  { reason: "role_override", re: /(?:^|[\s,.!?"'])(?:너는|넌|당신은|네가|니가)\s*(?:이제|지금부터|오늘부터|앞으로)\s|(?:^|[\s,.!?"'])(?:이제부터|지금부터|이제)\s*(?:너는|넌|당신은|네가|니가)\s/ },
  { reason: "role_override", re: /(?:인\s*척|처럼\s*(?:행동|말|대답|답변))\s*(?:해|하라|해라|해줘|해 줘|하세요|해주세요)|(?:역할|역)\s*(?:을|를)\s*(?:해|맡아|수행해|연기해)\s*(?:줘|주세요|라)|(?:AI|ai|인공지능|어시스턴트|챗봇)\s*(?:가|는)?\s*아니라/ },
  { reason: "jailbreak", re: /탈옥|(?:제한|제약|검열|필터|규칙|윤리|안전\s*장치)\s*(?:이|가|을|를)?\s*(?:없는|없이|해제된|해제한|풀린|무시하는)\s*(?:AI|ai|인공지능|모드|챗봇|어시스턴트|봇|모델|상태|캐릭터|인격|너|답변|대답)|(?:개발자|관리자|갓|DAN|무제한)\s*모드|역할극|롤플레이|상황극/ },
  { reason: "prompt_leak", re: /(?:시스템|초기|숨겨진|원래|내부|개발자)\s*(?:프롬프트|메시지|지시|지침|명령)[^.!?。\n]{0,20}(?:보여|알려|출력|공개|말해|노출|유출|복사|반복|적어|써|내놔|뭐|무엇)/ },
  { reason: "prompt_leak", re: /(?:너의|당신의|네|니|너에게\s*주어진|당신에게\s*주어진)\s*(?:프롬프트|지시\s*사항|지시사항|지시|지침|명령|규칙)[^.!?。\n]{0,20}(?:보여|알려|출력|공개|말해|노출|복사|반복|적어|뭐|무엇)/ },
  { reason: "prompt_leak", re: /(?:위|앞|위의|앞의|이전)\s*(?:내용|텍스트|문장|메시지)[^.!?。\n]{0,10}(?:그대로|전부|모두)\s*(?:반복|출력|복사|보여)/ },
  { reason: "secret_request", re: /(?:api|에이피아이|API)\s*(?:키|key|토큰)|비밀\s*(?:키|번호|값)|관리자\s*(?:토큰|비밀번호|암호)|액세스\s*토큰|인증\s*(?:토큰|정보)|환경\s*변수|비밀번호|패스워드|자격\s*증명|설정\s*(?:값|파일)|시크릿/ },
];
/** Korean verbs of a request to reveal something, required with the secret nouns above. */
const KO_REVEAL = /(?:보여|알려|출력|공개|말해|노출|적어|써|내놔|복사|불러|읊어)\s*(?:줘|주세요|줄래|봐|해|하라|해라|달라|주십시오|라)|(?:출력|공개|노출|복사)\s*하(?:라|세요|십시오|시오)|뭐야|뭐니|뭔지|무엇인가요|무엇입니까|뭐예요|뭐에요|무엇이야/;

/** ROT13 of Latin letters. */
function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (ch) => {
    const base = ch <= "Z" ? 65 : 97;
    return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
  });
}

// Invisible characters: zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel
// separator, invisible operators, bidi controls and tag characters.
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f]/g;

/** Cyrillic and Greek letters that look like Latin ones (after NFKC), mapped to those. */
const HOMOGLYPHS: Record<string, string> = {
  а: "a", в: "b", е: "e", ё: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x", ѕ: "s", і: "i", ї: "i", ј: "j", ԁ: "d", ԛ: "q", ԝ: "w", һ: "h", ӏ: "l", ɡ: "g",
  α: "a", β: "b", ε: "e", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x", γ: "y", ϲ: "c",
  "ı": "i", "ł": "l", "ø": "o", "đ": "d",
};
const HOMOGLYPH_RE = new RegExp(`[${Object.keys(HOMOGLYPHS).join("")}]`, "g");
const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s", "!": "i", "|": "l" };

/** Lower-cased text with punctuation other than `'`, `.`, `_` and `:` made spaces, whitespace collapsed. */
function wordsOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[^\p{L}\p{N}'._:\s]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Joins letter-spaced text ("i g n o r e  a l l", "i.g.n.o.r.e", "i-g-n-o-r-e"): runs of at least
 * four single letters each followed by one separator become a word; a wider gap (two or more
 * spaces, or " / ") separates words.
 */
function despace(text: string): string {
  return text.replace(/(?:(?<![\p{L}\p{N}])[\p{L}\p{N}](?:[ .\-_*·•]|(?= {2,}))){2,}[\p{L}\p{N}](?![\p{L}\p{N}])/gu, (run) =>
    run.split(/ {2,}| \/ /).map((w) => w.replace(/[ .\-_*·•]/g, "")).join(" "),
  );
}

/** The text with invisible characters removed and Unicode compatibility forms folded (NFKC). */
function cleanOf(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "");
}

/** Rule reasons matched in one (already normalised) view of a text. */
function match(raw: string, reasons: Set<InjectionReason>): void {
  const words = wordsOf(raw);
  for (const r of EN_RULES) if (!reasons.has(r.reason) && r.re.test(words)) reasons.add(r.reason);
  for (const r of RAW_RULES) if (!reasons.has(r.reason) && r.re.test(raw)) reasons.add(r.reason);
  if (/[\uac00-\ud7a3]/.test(raw)) {
    const ko = raw.replace(/\s+/g, " ");
    for (const r of KO_RULES) {
      if (reasons.has(r.reason)) continue;
      if (r.re.test(ko) && (r.reason !== "secret_request" || KO_REVEAL.test(ko))) reasons.add(r.reason);
    }
  }
  // "DAN" (the role-play jailbreak) only in capitals, and not as part of a longer word.
  if (!reasons.has("jailbreak") && /(?<![A-Za-z])DAN(?![A-Za-z])/.test(raw) && /\b(?:you|act|pretend|mode|role|persona|jailbreak|now|as|restrictions|rules|filters)\b/i.test(raw)) reasons.add("jailbreak");
}

/** Decoded forms of encoded runs in a text (base64, base64url, hex, %-escapes, HTML entities), each printable text. */
function decodedRuns(text: string): string[] {
  const out: string[] = [];
  const printable = (s: string) => s.length >= 6 && /^[\P{C}\n\r\t]+$/u.test(s) && (s.match(/[\p{L}]/gu)?.length ?? 0) >= s.length * 0.5;
  const utf8 = (bytes: Uint8Array): string | null => {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      return null;
    }
  };
  for (const m of text.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    const token = m[0];
    if (/^[0-9a-f]+$/i.test(token) && token.length % 2 === 0) continue; // hex, below
    if (!/[A-Z]/.test(token) || !/[a-z]/.test(token)) continue; // base64 of text mixes cases
    const b64 = token.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
    if (b64.length % 4 === 1) continue;
    try {
      const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
      const decoded = utf8(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
      if (decoded && printable(decoded)) out.push(decoded);
    } catch {
      // not base64
    }
    if (out.length >= 8) break;
  }
  for (const m of text.matchAll(/(?:\\x|0x)?(?:[0-9a-f]{2}(?:\\x|\s|:)?){8,}/gi)) {
    const hex = m[0].replace(/\\x|0x|\s|:/gi, "");
    if (hex.length % 2 !== 0 || !/[a-f]/i.test(hex)) continue;
    const decoded = utf8(Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)));
    if (decoded && printable(decoded)) out.push(decoded);
  }
  if (/%[0-9a-f]{2}/i.test(text)) {
    try {
      const decoded = decodeURIComponent(text.replace(/\+/g, " "));
      if (decoded !== text) out.push(decoded);
    } catch {
      // malformed escapes
    }
  }
  if (/&#x?[0-9a-f]+;|&[a-z]+;/i.test(text)) {
    const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: " " };
    const decoded = text
      .replace(/&#x([0-9a-f]{1,6});/gi, (_, h) => safeChar(parseInt(h, 16)))
      .replace(/&#(\d{1,7});/g, (_, d) => safeChar(Number(d)))
      .replace(/&([a-z]+);/gi, (e, n: string) => named[n.toLowerCase()] ?? e);
    if (decoded !== text) out.push(decoded);
  }
  return out;
}

function safeChar(code: number): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
}

/** Rules that may be checked in the ROT13 view: only the unambiguous English phrases. */
const ROT13_REASONS = new Set<InjectionReason>(["ignore_instructions", "prompt_leak", "role_override", "jailbreak"]);

/**
 * Flags instruction-like text. Checks the text as written (NFKC, invisible characters removed);
 * then, for reasons not found yet, obfuscated forms (homoglyphs mapped to Latin, letter spacing
 * joined, leetspeak read as letters) and encoded runs (base64, hex, %-escapes, HTML entities,
 * ROT13), adding `obfuscated` or `encoded` when only those matched.
 *
 * @param text A question, a chunk of a document, or any user-controlled text. Texts over 20,000
 *   characters are checked on their first 20,000.
 */
export function detectInjection(text: string): InjectionResult {
  const input = text.length > 20_000 ? text.slice(0, 20_000) : text;
  const reasons = new Set<InjectionReason>();
  const normalised = input.normalize("NFKC");
  const clean = normalised.replace(INVISIBLE, "");
  match(clean, reasons);
  const direct = reasons.size;

  // Obfuscation: invisible characters inside words, homoglyphs, letter spacing, leetspeak.
  const folded = despace(clean.toLowerCase().replace(HOMOGLYPH_RE, (ch) => HOMOGLYPHS[ch] ?? ch));
  const variants = [folded, folded.replace(/[013457@$!|]/g, (ch) => LEET[ch] ?? ch)];
  const hidden = new Set<InjectionReason>();
  for (const v of variants) if (v !== clean) match(v, hidden);
  for (const r of hidden) if (!reasons.has(r)) reasons.add(r).add("obfuscated");
  // Words split by invisible characters ("ig\u200bnore") count as obfuscation when they hid a rule.
  if (!reasons.has("obfuscated") && direct > 0 && normalised !== clean && /[\p{L}][\u00ad\u200b-\u200d\u2060\ufeff]+[\p{L}]/u.test(normalised)) reasons.add("obfuscated");

  // Encodings: decoded runs, and ROT13 of the whole text.
  const encoded = new Set<InjectionReason>();
  for (const d of decodedRuns(clean)) {
    const inner = detectShallow(d);
    for (const r of inner) encoded.add(r);
  }
  const rot = new Set<InjectionReason>();
  match(rot13(clean), rot);
  for (const r of rot) if (ROT13_REASONS.has(r)) encoded.add(r);
  for (const r of encoded) if (r !== "encoded" && r !== "obfuscated" && !reasons.has(r)) reasons.add(r).add("encoded");
  if (encoded.size > 0 && !reasons.has("encoded") && direct === 0) reasons.add("encoded");

  const ordered = REASON_ORDER.filter((r) => reasons.has(r));
  return { flagged: ordered.length > 0, reasons: ordered };
}

/** The rule reasons of a decoded run (plain and obfuscated views, no further decoding). */
function detectShallow(text: string): Set<InjectionReason> {
  const reasons = new Set<InjectionReason>();
  const clean = cleanOf(text);
  match(clean, reasons);
  match(despace(clean.replace(HOMOGLYPH_RE, (ch) => HOMOGLYPHS[ch] ?? ch)), reasons);
  return reasons;
}

/**
 * The text without its instruction-like parts: each line is split into sentences, and a sentence
 * (or a line, when the line as a whole is flagged but none of its sentences is) that
 * {@link detectInjection} flags is removed. Lines left empty are dropped; the rest keeps its line
 * structure. A text that is not flagged is returned unchanged.
 */
export function stripInjection(text: string): string {
  if (!detectInjection(text).flagged) return text;
  const kept: string[] = [];
  for (const line of text.replace(TEMPLATE_TOKENS, " ").split("\n")) {
    if (!detectInjection(line).flagged) {
      kept.push(line);
      continue;
    }
    const sentences = line.match(/[^.!?。]+(?:[.!?。]+["')\]]*|$)\s*/g) ?? [line];
    const rest = sentences.filter((s) => !detectInjection(s).flagged).join("");
    if (rest.trim() && !detectInjection(rest).flagged) kept.push(rest.trimEnd());
  }
  return kept.join("\n").replace(/\n{3,}/g, "\n\n").trim();
}
