import { describe, expect, it } from "vitest";
import { nameTerm, questionNames } from "../../worker/rag/names";
import { assessSufficiency, SUFFICIENCY_MODEL, sufficiencyScore } from "../../worker/agents/graph/sufficiency";
import type { RetrievedChunk } from "../../worker/services/retrieve";

const surfaces = (q: string) => questionNames(q).map((n) => n.surface);

describe("question names", () => {
  it("takes identifiers, options and product names, not plain words", () => {
    expect(surfaces("With the Next.js App Router, how does unstable_cache interact with React cache?")).toEqual(["Next", "App", "Router", "unstable_cache", "React"]);
    expect(surfaces("Is there a built-in useMountEffect hook? what does persist do")).toEqual(["useMountEffect"]);
    expect(surfaces("we ship traces to Grafana Tempo and want 14 days of retention")).toEqual(["Grafana", "Tempo"]);
    expect(surfaces("Coming from Svelte 5, does $effect run before the DOM update?")).toEqual(["Svelte", "$effect", "DOM"]);
  });

  it("skips a sentence's first word, flags, a user's own dotted variable and leading underscores", () => {
    expect(surfaces("Prometheus scrapes it. Which port?")).toEqual([]);
    expect(surfaces("the JVM gets -Dotel.traces.sampler and list.sort() misbehaves; what about _seconds_total")).toEqual(["JVM"]);
    expect(surfaces("should the root go in NgZone.runOutsideAngular")).toEqual(["NgZone", "runOutsideAngular"]);
    expect(surfaces("HTML/SVG attributes in JSX")).toEqual(["HTML", "SVG", "JSX"]);
    expect(surfaces("our collector pod gets OOM-killed and react-test-renderer warns")).toEqual(["OOM"]);
  });

  it("takes a plain word in the place of a setting's name", () => {
    expect(surfaces("which compactor setting keeps traces for 14 days, and is there a fallback option?")).toEqual(["compactor", "fallback"]);
    expect(surfaces("what does this setting do")).toEqual([]);
  });

  it("counts a capitalised word anywhere in Korean text", () => {
    expect(surfaces("Angular의 signal처럼 useSignal 같은 Hook이 있나요?")).toEqual(["Angular", "useSignal", "Hook"]);
  });

  it("gives the index words of a name and the term of a one-word name", () => {
    const [cache, hook] = questionNames("does unstable_cache work with useMountEffect");
    expect(cache.words).toEqual(["unstable", "cache"]);
    expect(nameTerm(cache)).toBeNull();
    expect(nameTerm(hook)).toBe("usemounteffect");
  });
});

describe("sufficiency with a missing name", () => {
  const chunk = (content: string): RetrievedChunk =>
    ({ chunk_id: "c1", document_id: "d1", title: "Caching", heading: "Caching", content, score: 1, lexical_rank: 1, vector_rank: 1 }) as unknown as RetrievedChunk;
  const evidence = (missingNames: string[]) => ({
    idf: new Map([["cach", 2], ["revalid", 3], ["fetch", 2]]),
    df: new Map([["cach", 10], ["revalid", 4], ["fetch", 12]]),
    corrections: new Map<string, string>(),
    unknownIdf: 6,
    missingNames,
  });

  it("refuses a well-covered question that names something the knowledge base never mentions", () => {
    const docs = [chunk("fetch results are kept in the cache")];
    const known = assessSufficiency("how does fetch revalidate the cache", docs, evidence([]));
    const missing = assessSufficiency("how does fetch revalidate the cache", docs, evidence(["unstable_cache"]));
    expect(known.sufficient).toBe(true);
    expect(missing.sufficient).toBe(false);
    expect(missing.features.missing_name).toBe(1);
    expect(missing.missing_names).toEqual(["unstable_cache"]);
    expect(sufficiencyScore({ ...missing.features, missing_name: 0 })).toBeGreaterThanOrEqual(SUFFICIENCY_MODEL.threshold);
  });
});
