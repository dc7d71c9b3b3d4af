/**
 * The chat page in a real browser against the Worker (OpenTelemetry docs ingested by the global
 * setup): progress steps and a cited answer over the session's WebSocket, citation cards, the
 * sources' links into the knowledge explorer (landing on the cited chunk), stored answers with their
 * route and server time, clarifications (also across a dropped socket), stop (late frames dropped by
 * turn id), feedback stored through the API, hostile document text rendered inert, the conversation
 * list (rename, delete), accessibility (axe) and a 360 px screen.
 */
import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../worker/services/messages.ts";
import { baseUrl, launchBrowser, newPage, open, screenshot, seriousAxeViolations } from "./support/browser.ts";

const CITED_QUESTION = "How do I configure the OTLP receiver in the collector to listen on a custom port?";
const AMBIGUOUS_QUESTION = "How do I configure exporters?";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** Types a question in the composer and sends it with Enter. */
async function ask(page: Page, question: string): Promise<void> {
  const input = page.getByLabel("Your question");
  await input.fill(question);
  await input.press("Enter");
}

/** Waits until the conversation shows `n` answers; returns the last one. */
async function waitForAnswers(page: Page, n = 1) {
  await page.waitForFunction((k) => document.querySelectorAll(".messages > .msg.answer").length >= k, n, { timeout: 60_000 });
  return page.locator(".messages > .msg.answer").nth(n - 1);
}

/** The session id of the page's URL (`/chat/<id>`). */
async function sessionIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/chat\/[A-Za-z0-9_-]+$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

/** Stored conversation of a session, straight from the API. */
async function storedSession(id: string) {
  const res = await fetch(new URL(`/api/chat/${id}`, baseUrl()));
  return { status: res.status, body: res.ok ? ((await res.json()) as { messages: ChatMessage[] }) : null };
}

/** Records every progress step the page ever shows (they can come and go within milliseconds). */
async function recordSteps(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { step: string; current: boolean }[] = [];
    (window as unknown as { __steps: typeof seen }).__steps = seen;
    new MutationObserver(() => {
      for (const li of Array.from(document.querySelectorAll<HTMLElement>(".steps li[data-step]"))) {
        const step = li.dataset.step!;
        const current = li.getAttribute("aria-current") === "step";
        if (!seen.some((s) => s.step === step && s.current === current)) seen.push({ step, current });
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

describe("chat page", () => {
  it("asks over the WebSocket, shows the progress steps, then a cited answer with citation cards and sources linking to the knowledge explorer", async () => {
    const { context, page, problems } = await newPage(browser);
    await open(page, "/chat");
    await expect(page.getByRole("heading", { level: 1, name: "New chat" }).isVisible()).resolves.toBe(true);

    // Shift+Enter is a new line, not a send.
    const input = page.getByLabel("Your question");
    await input.fill("first line");
    await input.press("Shift+Enter");
    expect(await input.inputValue()).toBe("first line\n");
    expect(await page.locator(".messages > .msg").count()).toBe(0);

    await recordSteps(page);
    await ask(page, CITED_QUESTION);
    const answer = await waitForAnswers(page);
    const id = await sessionIdOf(page);
    expect(await input.inputValue()).toBe("");

    const steps = await page.evaluate(() => (window as unknown as { __steps: { step: string; current: boolean }[] }).__steps);
    const names = steps.map((s) => s.step);
    expect(names).toContain("analyze_query");
    expect(names).toContain("retrieve_documents");
    expect(names).toContain("generate_response");
    expect(steps.some((s) => s.current)).toBe(true); // the running step is marked
    await page.locator(".progress").waitFor({ state: "detached" });

    // The stored conversation holds the same answer and sources as the page.
    const stored = await storedSession(id);
    expect(stored.status).toBe(200);
    const reply = stored.body!.messages.at(-1)!;
    expect(reply.role).toBe("assistant");
    expect(await answer.getAttribute("data-message-id")).toBe(reply.id);

    const cites = answer.locator("button.cite-btn");
    expect(await cites.count()).toBeGreaterThan(0);
    const first = cites.first();
    const label = (await first.getAttribute("aria-label"))!;
    const match = /^Source (\d+): (.+)$/.exec(label);
    expect(match, label).not.toBeNull();
    const source = reply.sources.find((s) => s.index === Number(match![1]))!;
    expect(match![2]).toBe(source.title);

    // Hover shows the card with title, snippet and the score with 2 decimals.
    const card = answer.locator(".cite-card");
    expect(await card.count()).toBe(0);
    await first.hover();
    await card.waitFor();
    const cardText = (await card.textContent())!;
    expect(cardText).toContain(source.title);
    expect(cardText).toContain(source.snippet.slice(0, 60));
    expect(cardText).toMatch(/Score \d+\.\d\d\b/);
    if (source.document_id) expect(await card.locator("a").getAttribute("href")).toBe(`/knowledge/${source.document_id}#chunk-${source.chunk_id}`);
    await page.mouse.move(5, 5);
    await card.waitFor({ state: "detached" });

    // Keyboard focus shows it too; Escape closes it.
    await first.focus();
    await card.waitFor();
    expect(await first.getAttribute("aria-expanded")).toBe("true");
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });

    // The sources list is numbered and links to the knowledge explorer.
    const links = answer.locator(".sources li a");
    expect(await links.count()).toBeGreaterThan(0);
    const withDoc = reply.sources.filter((s) => s.document_id);
    expect(withDoc.length).toBeGreaterThan(0);
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(hrefs).toContain(`/knowledge/${withDoc[0]!.document_id}#chunk-${withDoc[0]!.chunk_id}`);
    expect(await answer.locator(".sources li").first().getAttribute("value")).toBe(String(reply.sources[0]!.index));

    // The answer's meta and the stats panel.
    expect(await answer.locator(".answer-meta").textContent()).toMatch(/Knowledge \(RAG\) · \d+ ms/);
    await page.getByText("Session stats").click();
    expect(await page.locator('[data-stat="questions"]').textContent()).toBe("1");
    expect(await page.locator('[data-stat="agents"]').textContent()).toBe("Knowledge (RAG): 1");
    expect(await page.locator('[data-stat="latency"]').textContent()).toMatch(/^\d+ ms$/);
    expect(await page.locator('[data-stat="refusals"]').textContent()).toBe("0 %");
    await page.getByText("Session stats").click();

    await first.hover();
    await card.waitFor();
    await screenshot(page, "chat");
    await page.mouse.move(5, 5);

    // Copy shows a visible "Copied" state.
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseUrl()).origin });
    await answer.getByRole("button", { name: "Copy answer" }).click();
    await answer.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(reply.content);

    // Retry asks the last question again: a second answer follows, and the stats count it.
    await answer.getByRole("button", { name: "Retry" }).click();
    await waitForAnswers(page, 2);
    expect(await page.locator(".messages > .msg.user").count()).toBe(2);
    await page.getByText("Session stats").click();
    expect(await page.locator('[data-stat="questions"]').textContent()).toBe("2");
    expect(await page.locator('[data-stat="agents"]').textContent()).toBe("Knowledge (RAG): 2");
    await page.getByText("Session stats").click();

    // The stored answers keep their metadata.
    const storedAnswers = (await storedSession(id)).body!.messages.filter((m) => m.role === "assistant");
    expect(storedAnswers.map((m) => [m.kind, m.meta?.route])).toEqual([["answer", "knowledge"], ["answer", "knowledge"]]);
    const serverMs = storedAnswers.map((m) => m.meta!.processing_time_ms);

    // Reloading shows the stored conversation: the answers with their route and server time, counted by the stats.
    await page.reload();
    await page.locator("main#main").waitFor();
    const again = await waitForAnswers(page, 2);
    expect(await again.locator(".answer-meta").textContent()).toBe(`Knowledge (RAG) · ${serverMs[1]} ms server time`);
    expect(await again.locator("button.cite-btn").count()).toBeGreaterThan(0);
    expect(await page.locator(".messages > .msg.user").first().textContent()).toContain(CITED_QUESTION);
    await page.getByText("Session stats").click();
    expect(await page.locator('[data-stat="questions"]').textContent()).toBe("2");
    expect(await page.locator('[data-stat="agents"]').textContent()).toBe("Knowledge (RAG): 2");
    expect(await page.locator('[data-stat="latency"]').textContent()).toBe("–");
    expect(await page.locator('[data-stat="server-time"]').textContent()).toBe(`${Math.round((serverMs[0]! + serverMs[1]!) / 2)} ms`);
    expect(await page.locator('[data-stat="refusals"]').textContent()).toBe("0 %");
    expect(await page.locator(".stats p").textContent()).toContain("cover all 2 answers");
    await page.getByText("Session stats").click();

    // A source link of the list opens the cited chunk in the knowledge explorer, scrolled to and focused.
    const cited = withDoc[0]!;
    const chunkLink = page.locator(".messages > .msg.answer").first().locator(`.sources li a[href="/knowledge/${cited.document_id}#chunk-${cited.chunk_id}"]`);
    await chunkLink.first().click();
    await page.waitForURL((u) => u.pathname === `/knowledge/${cited.document_id}` && u.hash === `#chunk-${cited.chunk_id}`);
    const chunk = page.locator(`[id="chunk-${cited.chunk_id}"]`);
    await chunk.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`chunk-${cited.chunk_id}`);
    const box = (await chunk.boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(box.y).toBeLessThan(viewport.height);
    expect(box.y + box.height).toBeGreaterThan(0);

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("answers an ambiguous question with a clarification whose option leads to a cited answer; the math agent shows its steps", async () => {
    const { context, page, problems } = await newPage(browser);
    await open(page, "/chat");
    await ask(page, AMBIGUOUS_QUESTION);
    const clar = page.locator(".msg.clarification");
    await clar.waitFor();
    expect(await clar.locator(".clar-question").textContent()).toContain("Which one do you mean?");
    const options = clar.locator("button.clar-option");
    expect(await options.count()).toBeGreaterThanOrEqual(2);
    expect(await options.first().textContent()).toMatch(/\(\d+ sources?\)/);
    expect(await clar.getByLabel("Or describe what you mean").isVisible()).toBe(true);
    const chosen = (await options.first().textContent())!.replace(/\s*\(\d+ sources?\)$/, "");
    await options.first().click();
    const answer = await waitForAnswers(page);
    expect(await answer.locator("button.cite-btn").count()).toBeGreaterThan(0);
    expect(await clar.textContent()).toContain(`You answered: ${chosen}`);
    expect(await clar.locator("button.clar-option").count()).toBe(0);
    // Focus went back to the composer.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("chat-input");

    await ask(page, "solve 2x + 3 = 11");
    const math = await waitForAnswers(page, 2);
    expect(await math.locator("ol li").allTextContents()).toEqual(["2x + 3 = 11", "2x = 11 - 3 = 8", "x = 8 / 2 = 4"]);
    expect(await math.locator(".answer-meta").textContent()).toMatch(/^Math agent · \d+ ms$/);

    // After a reload the stored kinds tell the clarification and its answer from questions and answers.
    await page.reload();
    await waitForAnswers(page, 2);
    expect(await page.locator(".msg.clarification").count()).toBe(1);
    expect(await page.locator(".msg.clarification").textContent()).toContain(`You answered: ${chosen}`);
    expect(await page.locator(".messages > .msg.user.response").allTextContents()).toEqual([`Your answer: ${chosen}`]);
    expect(await page.locator(".messages > .msg.answer .answer-meta").allTextContents()).toEqual([
      expect.stringMatching(/^Knowledge \(RAG\) · \d+ ms server time$/),
      expect.stringMatching(/^Math agent · \d+ ms server time$/),
    ]);
    await page.getByText("Session stats").click();
    expect(await page.locator('[data-stat="questions"]').textContent()).toBe("2");
    expect(await page.locator('[data-stat="agents"]').textContent()).toBe("Knowledge (RAG): 1, Math agent: 1");

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("reconnects after the socket drops mid-clarification, shows the resent clarification once, and its option still answers", async () => {
    const { context, page, problems } = await newPage(browser);
    const sockets: { ws: WebSocketRoute; frames: string[] }[] = [];
    await page.routeWebSocket(/\/ws\/chat\//, (ws) => {
      const entry = { ws, frames: [] as string[] };
      sockets.push(entry);
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        entry.frames.push(String(m));
        ws.send(m);
      });
      ws.onClose(() => server.close());
    });
    await open(page, "/chat");
    await ask(page, AMBIGUOUS_QUESTION);
    const clar = page.locator(".msg.clarification");
    await clar.locator("button.clar-option").first().waitFor();
    const optionCount = await clar.locator("button.clar-option").count();
    expect(sockets).toHaveLength(1);

    // The network drops the socket: the page says it reconnects, and does.
    await sockets[0]!.ws.close({ code: 4000, reason: "network drop (test)" });
    await page.locator('.socket-status[data-status="reconnecting"]').waitFor();
    await page.locator('.socket-status[data-status="open"]').waitFor({ timeout: 15_000 });
    expect(sockets).toHaveLength(2);
    // The server resent the pending clarification on the new socket…
    await expect.poll(() => sockets[1]!.frames.some((f) => JSON.parse(f).type === "clarification")).toBe(true);
    await page.waitForTimeout(200);
    // …and the page shows it once.
    expect(await page.locator(".msg.clarification").count()).toBe(1);
    expect(await clar.locator("button.clar-option").count()).toBe(optionCount);

    await clar.locator("button.clar-option").nth(1).click();
    const answer = await waitForAnswers(page);
    expect(await answer.locator("button.cite-btn").count()).toBeGreaterThan(0);
    expect(await page.locator(".msg.clarification").count()).toBe(1);

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("stops waiting for a turn: the late answer of the stopped turn (told by its turn_id) is not shown, the next question is answered", async () => {
    const { context, page, problems } = await newPage(browser);
    // Hold the first answer frame until released, so that Stop is pressed while its turn runs, and
    // release it only after the next turn's answer: dropping it takes its turn_id, not arrival order.
    const sent: { type: string; turn_id?: string }[] = [];
    let held: { ws: WebSocketRoute; frame: string } | null = null;
    let holding = true;
    await page.routeWebSocket(/\/ws\/chat\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        sent.push(JSON.parse(String(m)));
        server.send(m);
      });
      server.onMessage((m) => {
        if (holding && JSON.parse(String(m)).type === "answer") {
          held = { ws, frame: String(m) };
          holding = false;
        } else ws.send(m);
      });
    });
    await open(page, "/chat");
    await ask(page, CITED_QUESTION);
    await expect.poll(() => held !== null, { timeout: 30_000 }).toBe(true);
    await page.getByRole("button", { name: "Stop" }).click();
    await page.locator('.msg[data-tone="stopped"]').waitFor();
    expect(await page.locator(".progress").count()).toBe(0);
    // Focus moved to the conversation, not lost.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest(".msg")?.getAttribute("data-tone"))).toBe("stopped");

    await ask(page, "solve 3x = 12");
    const answer = await waitForAnswers(page);
    expect(await answer.textContent()).toContain("x = 4");

    // Each question went out with its own turn id, which the server echoed on its answer.
    const questions = sent.filter((f) => f.type === "question");
    expect(questions).toHaveLength(2);
    for (const q of questions) expect(q.turn_id).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
    expect(questions[0]!.turn_id).not.toBe(questions[1]!.turn_id);
    const late = held! as { ws: WebSocketRoute; frame: string };
    expect(JSON.parse(late.frame).turn_id).toBe(questions[0]!.turn_id);

    // The stopped turn's answer arrives late: it is dropped.
    late.ws.send(late.frame);
    await page.waitForTimeout(300);
    expect(await page.locator(".messages > .msg.answer").count()).toBe(1);
    expect(await page.locator(".messages > .msg.answer").textContent()).toContain("x = 4");

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("stores a thumbs down with reasons and a comment", async () => {
    const { context, page, problems } = await newPage(browser);
    await open(page, "/chat");
    await ask(page, CITED_QUESTION);
    const answer = await waitForAnswers(page);
    const id = await sessionIdOf(page);
    const messageId = (await answer.getAttribute("data-message-id"))!;

    await answer.getByRole("button", { name: "Bad answer" }).click();
    const form = answer.locator("form.feedback-form");
    await form.waitFor();
    await form.getByLabel("Retrieved documents were not relevant").check();
    await form.getByLabel("Cited source is wrong").check();
    await form.getByLabel("Other").check();
    await form.getByRole("button", { name: "Send feedback" }).click();
    // "Other" needs a comment: nothing is sent yet.
    await form.getByText("describe the problem").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe("TEXTAREA");
    await form.getByLabel(/Comment/).fill("The port setting is in the receiver's endpoint, not shown here.");
    await form.getByRole("button", { name: "Send feedback" }).click();
    await answer.getByText("Thanks for the feedback.").waitFor();
    expect(await answer.getByRole("button", { name: "Bad answer" }).getAttribute("aria-pressed")).toBe("true");

    const res = await fetch(new URL(`/api/feedback?session_id=${id}`, baseUrl()));
    expect(res.status).toBe(200);
    const { feedback } = (await res.json()) as { feedback: { message_id: string; rating: string; reasons: string[]; comment: string | null }[] };
    expect(feedback).toHaveLength(1);
    expect(feedback[0]!.message_id).toBe(messageId);
    expect(feedback[0]!.rating).toBe("down");
    expect([...feedback[0]!.reasons].sort()).toEqual(["irrelevant_documents", "other", "wrong_citation"]);
    expect(feedback[0]!.comment).toBe("The port setting is in the receiver's endpoint, not shown here.");

    // One rating per message: thumbs up replaces it.
    await answer.getByRole("button", { name: "Good answer" }).click();
    await answer.getByText("Thanks for the feedback.").waitFor();
    const readBack = async () => ((await (await fetch(new URL(`/api/feedback?session_id=${id}`, baseUrl()))).json()) as { feedback: { rating: string; reasons: string[]; comment: string | null }[] }).feedback;
    await expect.poll(async () => (await readBack()).map((f) => f.rating)).toEqual(["up"]);
    expect((await readBack())[0]).toMatchObject({ reasons: [], comment: null });
    expect(await answer.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed")).toBe("true");
    expect(await answer.getByRole("button", { name: "Bad answer" }).getAttribute("aria-pressed")).toBe("false");

    // After a reload the stored rating is shown.
    await page.reload();
    const reloaded = await waitForAnswers(page);
    await expect.poll(() => reloaded.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed")).toBe("true");

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("renders hostile document text inert: no HTML, no javascript: links, no citation for a [n] without a source", async () => {
    const word = `zorblax${Date.now().toString(36)}`;
    const content = [
      `To wind the ${word} crank:`,
      "",
      `- Wind the ${word} crank clockwise <img src=x onerror="window.__pwned=1"> until it clicks.`,
      `- Wind the ${word} crank with the [click](javascript:window.__pwned=2) lever.`,
      `- Wind the ${word} crank to position [7] or [42] on the dial.`,
      "",
    ].join("\n");
    const ingest = await fetch(new URL("/api/documents", baseUrl()), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ source: `fixtures/${word}.txt`, title: `The ${word} crank`, content_type: "text", content }),
    });
    expect(ingest.status).toBe(201);

    const { context, page, problems } = await newPage(browser);
    // The extractive generator leaves out passages with "[n]"-looking marks, so for the last
    // check the test appends them to one answer frame on its way to the page (sources 7+ removed).
    let forge = false;
    await page.routeWebSocket(/\/ws\/chat\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const frame = JSON.parse(String(m));
        if (!forge || frame.type !== "answer") return ws.send(m);
        frame.sources = frame.sources.filter((s: { index: number }) => s.index < 7);
        frame.response += "\n\nSee position [7] and [42] <img src=x onerror=\"window.__pwned=3\"> or [this](javascript:window.__pwned=4) [1].";
        ws.send(JSON.stringify(frame));
      });
    });
    await open(page, "/chat");
    await ask(page, `How do I wind the ${word} crank?`);
    const answer = await waitForAnswers(page);
    const id = await sessionIdOf(page);
    const reply = (await storedSession(id)).body!.messages.at(-1)!;
    const text = (await answer.locator(".markdown").textContent())!;
    // The markup is shown as text…
    expect(text).toContain('<img src=x onerror="window.__pwned=1">');
    expect(text).toContain("click");
    // …and nowhere became an element or a link.
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.locator("[onerror]").count()).toBe(0);
    // Citation buttons only for listed sources.
    const labels = await answer.locator("button.cite-btn").evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label")!));
    expect(labels.length).toBeGreaterThan(0);
    const indexes = new Set(reply.sources.map((s) => s.index));
    for (const l of labels) expect(indexes.has(Number(/^Source (\d+):/.exec(l)![1]))).toBe(true);

    // The hostile source's card shows its snippet (with the [7] and [42]) as text.
    const hostile = reply.sources.find((s) => s.title === `The ${word} crank`)!;
    expect(hostile).toBeTruthy();
    await answer.getByRole("button", { name: `Source ${hostile.index}: The ${word} crank` }).first().click();
    const card = answer.locator(".cite-card");
    await card.waitFor();
    const cardText = (await card.textContent())!;
    expect(cardText).toContain("<img src=x");
    expect(cardText).toContain("[42]");
    expect(await card.locator("img, button").count()).toBe(0);
    await page.keyboard.press("Escape");

    // An answer whose text holds [7] and [42] with only sources 1–6: both stay plain text.
    forge = true;
    await ask(page, `How do I wind the ${word} crank clockwise?`);
    const forged = await waitForAnswers(page, 2);
    const forgedText = (await forged.locator(".markdown").textContent())!;
    expect(forgedText).toContain("See position [7] and [42] <img src=x");
    expect(await forged.locator("button.cite-btn", { hasText: "[7]" }).count()).toBe(0);
    expect(await forged.locator("button.cite-btn", { hasText: "[42]" }).count()).toBe(0);
    expect(await forged.getByRole("button", { name: /^Source 1: / }).count()).toBeGreaterThan(0);
    expect(await forged.locator(".sources li").count()).toBeLessThanOrEqual(6);
    expect(await page.locator('img, [onerror], a[href^="javascript:"]').count()).toBe(0);

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("lists the conversation, renames it from the keyboard, and deletes it on the server too", async () => {
    const { context, page, problems } = await newPage(browser);
    await open(page, "/chat");
    const list = page.getByRole("navigation", { name: "Conversations" });
    await list.getByText("No conversations yet").waitFor();
    await ask(page, "What is the OpenTelemetry Collector?");
    await waitForAnswers(page);
    const id = await sessionIdOf(page);
    const link = list.locator(`a[href="/chat/${id}"]`);
    expect(await link.textContent()).toBe("What is the OpenTelemetry Collector?");
    expect(await link.getAttribute("aria-current")).toBe("page");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("What is the OpenTelemetry Collector?");

    // Rename: keyboard only.
    await list.getByRole("button", { name: "Rename “What is the OpenTelemetry Collector?”" }).focus();
    await page.keyboard.press("Enter");
    const field = list.getByLabel("New name for “What is the OpenTelemetry Collector?”");
    await field.waitFor();
    // focus moves into the field (after the render): wait for it before typing
    await page.waitForFunction(() => document.activeElement?.tagName === "INPUT");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("Collector basics");
    await page.keyboard.press("Enter");
    await list.getByRole("link", { name: "Collector basics" }).waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Rename “Collector basics”");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Collector basics");
    // Escape cancels a rename.
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.tagName === "INPUT");
    await page.keyboard.type(" (draft)");
    await page.keyboard.press("Escape");
    await list.getByRole("link", { name: "Collector basics" }).waitFor();
    // It survives a reload (this browser's list).
    await page.reload();
    await list.getByRole("link", { name: "Collector basics" }).waitFor();
    await waitForAnswers(page);

    // A second conversation, then delete the first one.
    await page.getByRole("button", { name: "New chat" }).click();
    await page.waitForURL(/\/chat$/);
    await ask(page, "solve 5x = 20");
    await waitForAnswers(page);
    const second = await sessionIdOf(page);
    expect(second).not.toBe(id);
    expect(await list.locator("li a").allTextContents()).toEqual(["solve 5x = 20", "Collector basics"]);

    await list.getByRole("button", { name: "Delete “Collector basics”" }).click();
    const confirm = list.getByRole("group", { name: "Delete “Collector basics”?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect(await list.locator("li a").count()).toBe(2);
    await list.getByRole("button", { name: "Delete “Collector basics”" }).click();
    await confirm.getByRole("button", { name: "Delete" }).click();
    await link.waitFor({ state: "detached" });
    expect(await list.locator("li a").allTextContents()).toEqual(["solve 5x = 20"]);
    expect((await storedSession(id)).status).toBe(404);
    expect((await storedSession(second)).status).toBe(200);
    expect(page.url()).toContain(`/chat/${second}`);

    // Deleting the open conversation goes back to a new chat.
    await list.getByRole("button", { name: "Delete “solve 5x = 20”" }).click();
    await confirm.or(list.getByRole("group", { name: "Delete “solve 5x = 20”?" })).getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/\/chat$/);
    await list.getByText("No conversations yet").waitFor();
    expect((await storedSession(second)).status).toBe(404);

    // A session with no messages is an empty conversation, not an error.
    await open(page, "/chat/no-such-session-here");
    await page.getByText("Ask a question about the documentation").waitFor();
    expect(await page.locator('[role="alert"]').count()).toBe(0);

    expect(problems.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("has no serious accessibility violation with an answer (card open) or a clarification shown, in light and dark", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const { context, page, problems } = await newPage(browser, { colorScheme });
      await open(page, "/chat");
      expect(await seriousAxeViolations(page)).toEqual([]);
      await ask(page, CITED_QUESTION);
      const answer = await waitForAnswers(page);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await answer.locator("button.cite-btn").first().focus();
      await answer.locator(".cite-card").waitFor();
      await answer.getByRole("button", { name: "Bad answer" }).click();
      await page.getByText("Session stats").click();
      expect(await seriousAxeViolations(page)).toEqual([]);

      await ask(page, AMBIGUOUS_QUESTION);
      await page.locator(".msg.clarification button.clar-option").first().waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(problems.errors).toEqual([]);
      expect(problems.foreignRequests).toEqual([]);
      await context.close();
    }
  });

  it("fits a 360 px screen without horizontal scrolling; the conversation list folds behind a toggle", async () => {
    const { context, page, problems } = await newPage(browser, { viewport: { width: 360, height: 740 } });
    await open(page, "/chat");
    await ask(page, CITED_QUESTION);
    const answer = await waitForAnswers(page);
    const noHorizontalScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await noHorizontalScroll()).toBe(true);
    await answer.locator("button.cite-btn").last().click();
    await answer.locator(".cite-card").waitFor();
    expect(await noHorizontalScroll()).toBe(true);
    await answer.getByRole("button", { name: "Bad answer" }).click();
    expect(await noHorizontalScroll()).toBe(true);

    const toggle = page.getByRole("button", { name: /^Conversations \(1\)$/ });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await page.locator("#session-items").isVisible()).toBe(false);
    await toggle.click();
    expect(await page.locator("#session-items").isVisible()).toBe(true);
    expect(await noHorizontalScroll()).toBe(true);
    await screenshot(page, "chat-mobile");

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });
});
