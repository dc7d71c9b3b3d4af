/**
 * Accounts in the web client (docs/access.md), against an app server of its own started with
 * AUTH_MODE=accounts (the global one runs in open mode): the sign-in page (a wrong password shows
 * the API's message, sign-in lands on `next`, only same-site paths), HttpOnly cookies that the
 * page never sees, chat signed in, a viewer without upload and delete controls, sign-out, an
 * admin account opening the dashboard without the token, and an expired or invalid access cookie
 * renewed from the refresh cookie: at start, on an API call (one refresh for requests that fail
 * together) and on the chat's WebSocket. Last, the open-mode server still needs no sign-in.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { baseUrl, launchBrowser, newPage, open, seriousAxeViolations, type PageProblems } from "./support/browser.ts";

const JWT_SECRET = "browser-accounts-jwt-secret-0123456789abcdef";
const PASSWORD = "correct horse battery staple";
const USERS = {
  editor: "editor@edge-rag.test",
  viewer: "viewer@edge-rag.test",
  admin: "admin@edge-rag.test",
} as const;
const QUESTION = "How do I configure the OTLP receiver to listen on a custom port?";

let app: AppServer;
let browser: Browser;
let documentId: string;

/** Request to the accounts server as the admin token (the test's own side). */
async function asAdmin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(new URL(path, app.url), {
    method,
    headers: { authorization: `Bearer ${inject("adminToken")}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startAppServer({ corpus: false, vars: { AUTH_MODE: "accounts", JWT_SECRET } }), launchBrowser()]);
  for (const [role, email] of Object.entries(USERS)) {
    const res = await asAdmin("POST", "/api/users", { email, role, password: PASSWORD });
    expect(res.status, `POST /api/users ${email}: ${await res.clone().text()}`).toBe(201);
  }
  // One document (ingested synchronously), so that the knowledge explorer has a row and the chat something to cite.
  const res = await asAdmin("POST", "/api/documents", {
    source: "collector/otlp-receiver.md",
    title: "OTLP receiver",
    content_type: "markdown",
    content:
      "# OTLP receiver\n\nThe OTLP receiver of the OpenTelemetry Collector listens on port 4317 for gRPC and 4318 for HTTP.\n\n" +
      "## Custom port\n\nSet `endpoint: 0.0.0.0:5317` under `receivers.otlp.protocols.grpc` in the collector configuration to listen on a custom port.\n",
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const list = (await (await asAdmin("GET", "/api/documents")).json()) as { documents: { id: string }[] };
  documentId = list.documents[0]!.id;
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** A page on the accounts server. */
function page(): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  return newPage(browser, { baseUrl: app.url });
}

/** Signs the context in through the API (the cookies land in the context's jar, as the form's do). */
async function signIn(context: BrowserContext, email: string): Promise<void> {
  const res = await context.request.post(`${app.url}/api/auth/login`, { data: { email, password: PASSWORD } });
  expect(res.status(), await res.text()).toBe(200);
}

/** Console errors other than the expected 401s (a refresh without cookie, a wrong password, a refused WebSocket upgrade). */
function unexpectedErrors(problems: PageProblems): string[] {
  return problems.errors.filter((e) => !/status of 401|Unexpected response code: 401|WebSocket connection to .* failed: HTTP Authentication failed/.test(e));
}

/** Names of the context's cookies for the app. */
async function cookieNames(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((c) => c.name).sort();
}

/** Counts the page's requests to `POST /api/auth/refresh`. */
function countRefreshes(p: Page): { count: number } {
  const counter = { count: 0 };
  p.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/auth/refresh") counter.count++;
  });
  return counter;
}

/** Asks a question in the chat and waits for the answer. */
async function askAndWait(p: Page, n = 1): Promise<void> {
  const input = p.getByLabel("Your question");
  await input.fill(QUESTION);
  await input.press("Enter");
  await p.waitForFunction((k) => document.querySelectorAll(".messages > .msg.answer").length >= k, n, { timeout: 60_000 });
}

describe("accounts: sign-in page", () => {
  it("sends an anonymous visitor to /login?next=…, shows a wrong password's error, then lands on next with HttpOnly cookies the page never sees", async () => {
    const { context, page: p, problems } = await page();
    await p.goto(`${app.url}/knowledge?q=receiver`);
    await p.waitForURL((u) => u.pathname === "/login");
    expect(new URL(p.url()).searchParams.get("next")).toBe("/knowledge?q=receiver");
    await p.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();

    const email = p.getByLabel("Email");
    const password = p.getByLabel("Password");
    expect(await email.getAttribute("autocomplete")).toBe("username");
    expect(await password.getAttribute("autocomplete")).toBe("current-password");
    await expect.poll(() => p.evaluate(() => document.activeElement?.id)).toBe("login-email");
    expect(await seriousAxeViolations(p)).toEqual([]);

    await email.fill(USERS.editor);
    await password.fill("not the password at all");
    await p.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => p.getByRole("alert").innerText()).toBe("Wrong email or password");
    expect(new URL(p.url()).pathname).toBe("/login");
    expect(await cookieNames(context)).toEqual([]);

    await password.fill(PASSWORD);
    await password.press("Enter");
    await p.waitForURL((u) => u.pathname === "/knowledge" && u.searchParams.get("q") === "receiver");
    await p.locator(`[data-document-id="${documentId}"]`).waitFor();
    const banner = p.getByRole("banner");
    await expect.poll(() => banner.innerText()).toContain(USERS.editor);
    expect(await banner.innerText()).toMatch(/editor/i);
    // An editor may add and delete documents.
    await p.getByRole("heading", { name: "Add documents" }).waitFor();
    expect(await p.getByRole("button", { name: /^Delete / }).count()).toBe(1);
    // An editor has no dashboard in the navigation.
    expect(await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).count()).toBe(0);

    // The tokens are HttpOnly cookies: the page's JavaScript and storage never hold them.
    const cookies = await context.cookies();
    const access = cookies.find((c) => c.name === "edge_rag_access");
    const refresh = cookies.find((c) => c.name === "edge_rag_refresh");
    expect(access).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/auth" });
    const seen = await p.evaluate(() => ({
      cookie: document.cookie,
      storage: JSON.stringify([{ ...localStorage }, { ...sessionStorage }]),
    }));
    expect(seen.cookie).not.toContain("edge_rag");
    expect(seen.cookie).not.toContain("eyJ");
    expect(seen.storage).not.toContain(access!.value);
    expect(seen.storage).not.toContain(refresh!.value);
    expect(seen.storage).not.toContain("eyJ");

    expect(unexpectedErrors(problems)).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });
});

describe("accounts: signed in", () => {
  it("chats signed in: the answer arrives over the WebSocket, the session belongs to the user and is listed on another device", async () => {
    const { context, page: p, problems } = await page();
    await signIn(context, USERS.editor);
    await open(p, "/chat", app.url);
    await p.getByRole("heading", { level: 1, name: "New chat" }).waitFor();
    await askAndWait(p);
    await p.waitForURL(/\/chat\/[A-Za-z0-9_-]+$/);
    const id = new URL(p.url()).pathname.split("/").pop()!;
    const mine = await context.request.get(`${app.url}/api/chat/${id}`);
    expect(mine.status()).toBe(200);
    expect(((await mine.json()) as { messages: { role: string }[] }).messages.at(-1)?.role).toBe("assistant");
    // Without the cookies the API refuses.
    expect((await fetch(`${app.url}/api/chat/${id}`)).status).toBe(401);
    expect(unexpectedErrors(problems)).toEqual([]);
    expect(problems.errors).toEqual([]);
    await context.close();

    // Another browser (a fresh context: no localStorage) signed in as the same user lists the conversation.
    const other = await page();
    await signIn(other.context, USERS.editor);
    await open(other.page, "/chat", app.url);
    const list = other.page.getByRole("navigation", { name: "Conversations" });
    await list.getByRole("link", { name: QUESTION }).waitFor();
    await list.getByRole("link", { name: QUESTION }).click();
    await other.page.waitForURL(new RegExp(`/chat/${id}$`));
    await other.page.waitForFunction(() => document.querySelectorAll(".messages > .msg.answer").length >= 1, undefined, { timeout: 30_000 });
    // A user without conversations sees none of them.
    const viewer = await page();
    await signIn(viewer.context, USERS.viewer);
    await open(viewer.page, "/chat", app.url);
    await viewer.page.getByRole("heading", { level: 1, name: "New chat" }).waitFor();
    expect(await viewer.page.getByRole("navigation", { name: "Conversations" }).getByRole("link", { name: QUESTION }).count()).toBe(0);
    expect(unexpectedErrors(other.problems)).toEqual([]);
    await other.context.close();
    await viewer.context.close();
  });

  it("a viewer sees no upload or delete controls, and a next outside the site is ignored", async () => {
    const { context, page: p, problems } = await page();
    await p.goto(`${app.url}/login?next=${encodeURIComponent("//example.com/elsewhere")}`);
    await p.getByLabel("Email").fill(USERS.viewer);
    await p.getByLabel("Password").fill(PASSWORD);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.waitForURL((u) => u.origin === new URL(app.url).origin && u.pathname === "/chat");
    await expect.poll(() => p.getByRole("banner").innerText()).toContain(USERS.viewer);
    expect(await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).count()).toBe(0);

    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Knowledge" }).click();
    await p.locator(`[data-document-id="${documentId}"]`).waitFor();
    expect(await p.getByRole("heading", { name: "Add documents" }).count()).toBe(0);
    expect(await p.locator('input[type="file"]').count()).toBe(0);
    expect(await p.getByRole("button", { name: /^Delete/ }).count()).toBe(0);
    expect(await p.locator(".read-only-note").innerText()).toContain("viewer");

    await p.locator(`[data-document-id="${documentId}"] a`).first().click();
    await p.getByRole("heading", { level: 1, name: "OTLP receiver" }).waitFor();
    expect(await p.getByRole("button", { name: "Delete document" }).count()).toBe(0);

    // The server refuses anyway.
    const upload = await context.request.post(`${app.url}/api/ingest/jobs`, { data: { documents: [{ source: "x.md", content: "x", content_type: "markdown" }] } });
    expect(upload.status()).toBe(403);

    // The dashboard tells a viewer why it does not open.
    await open(p, "/dashboard", app.url);
    await expect.poll(() => p.getByRole("main").innerText()).toContain(`signed in as ${USERS.viewer} (viewer)`);
    await p.getByLabel("Admin token").waitFor();

    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("signs out: back to /login, the cookies are gone and the API answers 401 again", async () => {
    const { context, page: p, problems } = await page();
    await signIn(context, USERS.viewer);
    await open(p, "/chat", app.url);
    await expect.poll(() => p.getByRole("banner").innerText()).toContain(USERS.viewer);
    expect((await context.request.get(`${app.url}/api/documents`)).status()).toBe(200);

    await p.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
    await p.waitForURL((u) => u.pathname === "/login");
    await p.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(await cookieNames(context)).toEqual([]);
    expect((await context.request.get(`${app.url}/api/documents`)).status()).toBe(401);

    // And the app asks for sign-in again.
    await p.goto(`${app.url}/knowledge`);
    await p.waitForURL((u) => u.pathname === "/login" && u.searchParams.get("next") === "/knowledge");
    expect(unexpectedErrors(problems)).toEqual([]);
    await context.close();
  });

  it("an admin account opens the dashboard without the admin token", async () => {
    const { context, page: p, problems } = await page();
    await signIn(context, USERS.admin);
    await open(p, "/chat", app.url);
    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await p.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    expect(await p.getByLabel("Admin token").count()).toBe(0);
    expect(await p.getByRole("banner").innerText()).toContain(USERS.admin);
    // This server has no quality-loop history: the overview's 404s for it are expected, nothing else.
    expect(problems.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    await context.close();
  });
});

describe("accounts: the access cookie is renewed from the refresh cookie", () => {
  it("at start, on API calls failing together (one refresh) and on the chat's WebSocket", async () => {
    const { context, page: p, problems } = await page();
    const refreshes = countRefreshes(p);
    await signIn(context, USERS.editor);

    // 1. At start: the access cookie expired (the browser dropped it), the refresh cookie brings it back.
    await context.clearCookies({ name: "edge_rag_access" });
    expect(await cookieNames(context)).toEqual(["edge_rag_refresh"]);
    await open(p, "/knowledge", app.url);
    await p.locator(`[data-document-id="${documentId}"]`).waitFor();
    expect(new URL(p.url()).pathname).toBe("/knowledge");
    expect(refreshes.count).toBe(1);
    expect(await cookieNames(context)).toEqual(["edge_rag_access", "edge_rag_refresh"]);

    // 2. An invalid access cookie while the app runs: the list and the facets both get 401, one
    //    refresh renews the cookie and both are retried.
    // (The chat page loads the user's conversation list first: that request must be done.)
    const listed = p.waitForResponse((r) => new URL(r.url()).pathname === "/api/chat" && r.request().method() === "GET");
    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
    await p.getByRole("heading", { level: 1, name: "New chat" }).waitFor();
    expect((await listed).status()).toBe(200);
    await context.addCookies([{ name: "edge_rag_access", value: "not-a-valid-token", url: app.url, httpOnly: true, sameSite: "Strict" }]);
    const apiStatuses: number[] = [];
    p.on("response", (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/documents")) apiStatuses.push(r.status());
    });
    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Knowledge" }).click();
    await p.locator(`[data-document-id="${documentId}"]`).waitFor();
    await expect.poll(() => refreshes.count).toBe(2);
    expect(apiStatuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => apiStatuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(new URL(p.url()).pathname).toBe("/knowledge");
    expect(await p.getByRole("alert").count()).toBe(0);
    const renewed = (await context.cookies()).find((c) => c.name === "edge_rag_access");
    expect(renewed?.value).not.toBe("not-a-valid-token");

    // 3. The chat's WebSocket upgrade refused (no access cookie): refreshed, reconnected, answered.
    const listedAgain = p.waitForResponse((r) => new URL(r.url()).pathname === "/api/chat" && r.request().method() === "GET");
    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
    await p.getByRole("heading", { level: 1, name: "New chat" }).waitFor();
    expect((await listedAgain).status()).toBe(200);
    await context.clearCookies({ name: "edge_rag_access" });
    await askAndWait(p);
    expect(refreshes.count).toBe(3);
    expect(new URL(p.url()).pathname).toMatch(/^\/chat\//);
    expect(await cookieNames(context)).toEqual(["edge_rag_access", "edge_rag_refresh"]);

    expect(unexpectedErrors(problems)).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });
});

describe("accounts: sign-in rate limit", () => {
  // Last on this server: it spends the address's sign-in attempts for the next minute.
  it("a 429 shows the retry time and keeps the button disabled", async () => {
    const { context, page: p, problems } = await page();
    await open(p, "/login", app.url);
    await p.getByLabel("Email").fill("nobody@edge-rag.test");
    const button = p.getByRole("button", { name: "Sign in" });
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) {
      await p.getByLabel("Password").fill(`wrong password ${i}`);
      const [res] = await Promise.all([p.waitForResponse((r) => new URL(r.url()).pathname === "/api/auth/login"), button.click()]);
      status = res.status();
      if (status !== 429) await expect.poll(() => p.getByRole("alert").innerText()).toBe("Wrong email or password");
    }
    expect(status).toBe(429);
    await expect.poll(() => p.getByRole("alert").innerText()).toMatch(/^Too many sign-in attempts\. Try again in \d+ s\.$/);
    await p.getByLabel("Password").fill("another try");
    expect(await button.isDisabled()).toBe(true);
    expect(problems.errors.filter((e) => !/status of (401|429)/.test(e))).toEqual([]);
    await context.close();
  });
});

describe("open mode (the global server)", () => {
  it("needs no sign-in: the header says local mode and the pages load", async () => {
    const { context, page: p, problems } = await newPage(browser);
    await open(p, "/knowledge");
    await expect.poll(() => p.getByRole("banner").innerText()).toContain("Local mode (no sign-in)");
    expect(new URL(p.url()).pathname).toBe("/knowledge");
    await p.getByRole("heading", { name: "Add documents" }).waitFor();
    const me = (await (await fetch(new URL("/api/auth/me", baseUrl()))).json()) as { auth_mode: string; kind: string };
    expect(me).toMatchObject({ auth_mode: "open", kind: "anonymous" });
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
