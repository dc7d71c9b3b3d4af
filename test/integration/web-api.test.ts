/**
 * The API the web client needs beyond chat: feedback on answers (stored in D1, read back),
 * document search and filters with facets, deleting a session, and CORS for one configured
 * client origin (Pages).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { api } from "../support/api";

const DOCS = [
  { source: "web-api/collector-config.md", title: "Collector configuration", metadata: { domain: "collector", tags: ["yaml", "ops"] }, content: "# Collector configuration\n\nReceivers, processors and exporters are configured in YAML." },
  { source: "web-api/baggage.md", title: "Baggage", metadata: { domain: "concepts", tags: ["context"] }, content: "# Baggage\n\nBaggage carries key-value pairs between spans." },
  { source: "web-api/50%_off.md", title: "Percent_sign", metadata: { domain: "concepts", tags: ["ops"] }, content: "# Percent\n\nA title with LIKE wildcards in it." },
];

beforeAll(async () => {
  for (const d of DOCS) expect((await api("POST", "/api/documents", d)).status).toBe(201);
});

describe("feedback", () => {
  let sessionId: string;
  let answerId: string;
  let questionId: string;
  beforeAll(async () => {
    const res = await api("POST", "/api/chat", { query: "How are exporters configured in the collector?" });
    expect(res.status).toBe(200);
    sessionId = res.body.session_id;
    answerId = res.body.message_id;
    const history = await api("GET", `/api/chat/${sessionId}`);
    questionId = history.body.messages.find((m: { role: string }) => m.role === "user").id;
  });

  it("stores a rating with reasons and a comment, and reads it back by session", async () => {
    const res = await api("POST", "/api/feedback", {
      session_id: sessionId, message_id: answerId, rating: "down", reasons: ["wrong_citation", "other"], comment: "cites the wrong page",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ session_id: sessionId, message_id: answerId, rating: "down", reasons: ["wrong_citation", "other"], comment: "cites the wrong page" });
    const list = await api("GET", `/api/feedback?session_id=${sessionId}`);
    expect(list.body.feedback).toHaveLength(1);
    expect(list.body.feedback[0].id).toBe(res.body.id);
  });

  it("a second rating of the same message replaces the first", async () => {
    const first = (await api("GET", `/api/feedback?session_id=${sessionId}`)).body.feedback[0];
    const res = await api("POST", "/api/feedback", { session_id: sessionId, message_id: answerId, rating: "up" });
    expect(res.status).toBe(201);
    const list = await api("GET", `/api/feedback?session_id=${sessionId}`);
    expect(list.body.feedback).toHaveLength(1);
    expect(list.body.feedback[0]).toMatchObject({ id: first.id, rating: "up", reasons: [], comment: null });
  });

  it("rejects unknown messages, user messages and malformed bodies with the error shape", async () => {
    const unknown = await api("POST", "/api/feedback", { session_id: sessionId, message_id: "nope", rating: "up" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    const user = await api("POST", "/api/feedback", { session_id: sessionId, message_id: questionId, rating: "up" });
    expect(user.status).toBe(422);
    const other = await api("POST", "/api/feedback", { session_id: sessionId, message_id: answerId, rating: "down", reasons: ["other"] });
    expect(other.status).toBe(422);
    expect(other.body.error.details[0].path).toBe("comment");
    const bad = await api("POST", "/api/feedback", { session_id: sessionId, message_id: answerId, rating: "meh", reasons: ["x"] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["rating", "reasons.0"]);
    const repeated = await api("POST", "/api/feedback", { session_id: sessionId, message_id: answerId, rating: "down", reasons: ["wrong_citation", "wrong_citation"] });
    expect(repeated.status).toBe(422);
    // nothing of the rejected requests was stored
    expect((await api("GET", `/api/feedback?session_id=${sessionId}`)).body.feedback).toHaveLength(1);
  });
});

describe("document search, filters and facets", () => {
  it("filters by a title or source substring, case-insensitively, with LIKE wildcards taken literally", async () => {
    const byTitle = await api("GET", "/api/documents?q=COLLECTOR%20config");
    expect(byTitle.body.documents.map((d: { source: string }) => d.source)).toEqual(["web-api/collector-config.md"]);
    expect(byTitle.body.total).toBe(1);
    const percent = await api("GET", `/api/documents?q=${encodeURIComponent("50%_")}`);
    expect(percent.body.documents.map((d: { source: string }) => d.source)).toEqual(["web-api/50%_off.md"]);
    // longer than D1's 50-byte LIKE pattern limit
    const long = await api("GET", `/api/documents?q=${encodeURIComponent("collector-config.md".padStart(120, "x"))}`);
    expect(long.status).toBe(200);
    expect(long.body.total).toBe(0);
    const underscore = await api("GET", "/api/documents?q=collector_config");
    expect(underscore.body.total).toBe(0); // as a wildcard "_" would match "collector-config"
  });

  it("filters by tag and by domain together", async () => {
    const ops = await api("GET", "/api/documents?tag=ops");
    expect(ops.body.documents.map((d: { source: string }) => d.source).sort()).toEqual(["web-api/50%_off.md", "web-api/collector-config.md"]);
    const opsConcepts = await api("GET", "/api/documents?tag=ops&domain=concepts");
    expect(opsConcepts.body.documents.map((d: { source: string }) => d.source)).toEqual(["web-api/50%_off.md"]);
    const bad = await api("GET", "/api/documents?q=");
    expect(bad.status).toBe(422);
  });

  it("lists domains and tags with their document counts, most first", async () => {
    const res = await api("GET", "/api/documents/facets");
    expect(res.status).toBe(200);
    expect(res.body.domains).toContainEqual({ value: "concepts", count: 2 });
    expect(res.body.domains).toContainEqual({ value: "collector", count: 1 });
    expect(res.body.tags[0]).toEqual({ value: "ops", count: 2 });
    expect(res.body.tags).toContainEqual({ value: "context", count: 1 });
  });
});

describe("deleting a session", () => {
  it("deletes the messages and the pending clarification; a second delete is 404", async () => {
    const res = await api("POST", "/api/chat", { query: "What is baggage?" });
    const id = res.body.session_id;
    expect((await api("GET", `/api/chat/${id}`)).status).toBe(200);
    const del = await api("DELETE", `/api/chat/${id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ session_id: id, deleted: true });
    expect((await api("GET", `/api/chat/${id}`)).status).toBe(404);
    expect((await api("DELETE", `/api/chat/${id}`)).status).toBe(404);
    expect((await api("DELETE", "/api/chat/bad%20id")).status).toBe(422);
  });
});

describe("CORS for a client on another origin", () => {
  const origin = "https://edge-rag-web.pages.dev";
  const withOrigin = { ...env, CORS_ORIGIN: origin } as unknown as Env;

  it("allows exactly the configured origin, with credentials, and answers preflights", async () => {
    const ok = await app.request("/api/documents?limit=1", { headers: { origin } }, withOrigin);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(origin);
    expect(ok.headers.get("access-control-allow-credentials")).toBe("true");
    const preflight = await app.request("/api/feedback", {
      method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    }, withOrigin);
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    const other = await app.request("/api/documents?limit=1", { headers: { origin: "https://evil.example" } }, withOrigin);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("sends no CORS headers when no origin is configured (same-origin client)", async () => {
    const res = await api("GET", "/api/documents?limit=1", undefined, { origin });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
