/**
 * The knowledge explorer in a real browser against the dev server with the OpenTelemetry docs:
 * the list (search, domain filter, pagination, state in the URL), uploads (two text files through
 * ingestion jobs, client-side 415 and 413 checks, the server's 422 for a broken PDF), the document
 * page (chunks under their heading paths, chunk anchors, hostile content rendered inert), deletion
 * with an accessible confirmation, axe-core, and a 360 px screen.
 */
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, launchBrowser, newPage, open, screenshot, seriousAxeViolations, type PageProblems } from "./support/browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

interface ListedDocument {
  id: string;
  title: string;
  source: string;
  domain: string | null;
}
interface ListAnswer {
  documents: ListedDocument[];
  total: number;
}

/** `GET /api/documents` from node (the truth the page must show). */
async function apiList(query: Record<string, string>): Promise<ListAnswer> {
  const res = await fetch(new URL(`/api/documents?${new URLSearchParams({ limit: "20", ...query })}`, baseUrl()));
  expect(res.status).toBe(200);
  return (await res.json()) as ListAnswer;
}

/** Ingests a document through the JSON API; returns its id. */
async function ingest(doc: { source: string; content: string; title?: string; content_type?: string; metadata?: object }): Promise<string> {
  const res = await fetch(new URL("/api/documents", baseUrl()), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(doc) });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Ids of the rows in the table, in order. */
function rowIds(page: Page): Promise<string[]> {
  return page.locator("tr[data-document-id]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.documentId!));
}

/** Waits until the table shows exactly `ids` and the list is not loading. */
async function waitForRows(page: Page, ids: string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const section = document.querySelector("section.documents");
      const shown = Array.from(document.querySelectorAll("tr[data-document-id]")).map((r) => (r as HTMLElement).dataset.documentId);
      return section?.getAttribute("aria-busy") === "false" && JSON.stringify(shown) === JSON.stringify(expected);
    },
    ids,
    { timeout: 15_000 },
  );
}

function summary(page: Page): Promise<string> {
  return page.locator(".result-summary").innerText();
}

const STATUS_TEXT: Record<number, string> = { 404: "Not Found", 422: "Unprocessable Entity" };

/** The problems without the console errors Chromium logs for the 4xx answers a test provokes on purpose (`statuses`). */
function withoutExpectedHttpErrors(problems: PageProblems, statuses: (404 | 422)[]): string[] {
  const expected = new Set(statuses.map((s) => `console: Failed to load resource: the server responded with a status of ${s} (${STATUS_TEXT[s]})`));
  return problems.errors.filter((e) => !expected.has(e));
}

describe("knowledge explorer", () => {
  it("lists the documents with their total, searches, filters by domain, pages, and keeps the state in the URL", async () => {
    const { context, page, problems } = await newPage(browser);
    const all = await apiList({});
    expect(all.total).toBeGreaterThan(100);
    await open(page, "/knowledge");
    await waitForRows(page, all.documents.map((d) => d.id));
    expect(await page.locator("tr[data-document-id]").count()).toBe(20);
    expect(await summary(page)).toContain(`${all.total} documents`);
    const pages = Math.ceil(all.total / 20);
    expect(await page.locator(".pagination .page-of").innerText()).toBe(`Page 1 of ${pages}`);
    // each title links to its document page
    const firstLink = page.locator("tr[data-document-id] th a").first();
    expect(await firstLink.getAttribute("href")).toBe(`/knowledge/${all.documents[0]!.id}`);

    // search: debounced, narrows the rows and the total
    const collector = await apiList({ q: "collector" });
    expect(collector.total).toBeGreaterThan(0);
    expect(collector.total).toBeLessThan(all.total);
    await page.getByLabel("Search title or source").fill("collector");
    await page.waitForURL(/[?&]q=collector\b/);
    await waitForRows(page, collector.documents.map((d) => d.id));
    expect(await summary(page)).toContain(`${collector.total} documents matching “collector”`);
    for (const d of collector.documents) expect(`${d.title} ${d.source}`.toLowerCase()).toContain("collector");

    // domain filter (with the search cleared), from the facets' select with counts
    await page.getByRole("button", { name: "Clear filters" }).click();
    await waitForRows(page, all.documents.map((d) => d.id));
    const facets = (await (await fetch(new URL("/api/documents/facets", baseUrl()))).json()) as { domains: { value: string; count: number }[] };
    const domain = facets.domains.find((d) => d.value === "concepts")!;
    expect(domain).toBeTruthy();
    const optionText = await page.locator("#doc-domain option[value=concepts]").innerText();
    expect(optionText).toBe(`concepts (${domain.count})`);
    await page.getByLabel("Domain", { exact: true }).selectOption("concepts");
    await page.waitForURL(/[?&]domain=concepts\b/);
    const concepts = await apiList({ domain: "concepts" });
    expect(concepts.total).toBe(domain.count);
    await waitForRows(page, concepts.documents.map((d) => d.id));
    expect(concepts.documents.every((d) => d.domain === "concepts")).toBe(true);
    const domainCells = await page.locator('tr[data-document-id] td[data-label="Domain"]').allInnerTexts();
    expect(new Set(domainCells)).toEqual(new Set(["concepts"]));
    expect(await summary(page)).toContain(`${concepts.total} documents in domain concepts`);

    // pagination: next and previous change the rows
    await page.getByLabel("Domain", { exact: true }).selectOption("");
    await waitForRows(page, all.documents.map((d) => d.id));
    const second = await apiList({ page: "2" });
    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForURL(/[?&]page=2\b/);
    await waitForRows(page, second.documents.map((d) => d.id));
    expect(second.documents.map((d) => d.id).some((id) => all.documents.some((d) => d.id === id))).toBe(false);
    expect(await page.locator(".pagination .page-of").innerText()).toBe(`Page 2 of ${pages}`);
    await page.getByRole("link", { name: "Previous page" }).click();
    await page.waitForURL((url) => !url.searchParams.has("page"));
    await waitForRows(page, all.documents.map((d) => d.id));
    // back returns to page 2 (each page is a history entry)
    await page.goBack();
    await page.waitForURL(/[?&]page=2\b/);
    await waitForRows(page, second.documents.map((d) => d.id));

    // a combined state survives a reload
    await page.getByLabel("Search title or source").fill("o");
    await page.waitForURL(/[?&]q=o\b/);
    await page.getByLabel("Domain", { exact: true }).selectOption("collector");
    await page.waitForURL(/domain=collector/);
    const combined1 = await apiList({ q: "o", domain: "collector" });
    expect(combined1.total).toBeGreaterThan(20); // more than one page
    await waitForRows(page, combined1.documents.map((d) => d.id));
    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForURL(/page=2/);
    const combined2 = await apiList({ q: "o", domain: "collector", page: "2" });
    await waitForRows(page, combined2.documents.map((d) => d.id));
    await page.reload();
    await page.locator("main#main").waitFor();
    await waitForRows(page, combined2.documents.map((d) => d.id));
    expect(await page.getByLabel("Search title or source").inputValue()).toBe("o");
    expect(await page.getByLabel("Domain", { exact: true }).inputValue()).toBe("collector");
    expect(await page.locator(".pagination .page-of").innerText()).toBe(`Page 2 of ${Math.ceil(combined1.total / 20)}`);

    await open(page, "/knowledge");
    await waitForRows(page, all.documents.map((d) => d.id));
    await screenshot(page, "knowledge");
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("uploads two files at once with per-file progress, lists them, and shows their chunks under heading paths", async () => {
    const { context, page, problems } = await newPage(browser);
    const tag = randomUUID().slice(0, 8);
    const word = `zorblax${tag}`;
    const md = `upload-notes-${tag}.md`;
    const txt = `upload-plain-${tag}.txt`;
    await open(page, "/knowledge");
    await page.locator("section.documents[aria-busy=false] tr[data-document-id]").first().waitFor();
    await page.getByLabel("Domain (optional)").fill("browser-uploads");
    await page.getByLabel("Tags (optional, comma-separated)").fill("e2e, upload");
    // The rows' text over time, to see the progress steps and not only the end.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __phases: string[] }).__phases = seen;
      new MutationObserver(() => {
        for (const row of Array.from(document.querySelectorAll(".upload-row"))) seen.push(`${(row as HTMLElement).dataset.file}: ${row.className}`);
      }).observe(document.querySelector(".upload-list")!, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.locator("#upload-files").setInputFiles([
      {
        name: md,
        mimeType: "text/markdown",
        buffer: Buffer.from(`# Upload notes ${tag}\n\nIntro paragraph about ${word}.\n\n## Storage section\n\nThe ${word} keeps its data in buckets.\n\n### Retention rules\n\nOld ${word} buckets expire after thirty days.\n`),
      },
      { name: txt, mimeType: "text/plain", buffer: Buffer.from(`Plain text upload ${tag}.\n\nIt mentions ${word} as well, without any heading.\n`) },
    ]);
    const mdRow = page.locator(`.upload-row[data-file="${md}"]`);
    const txtRow = page.locator(`.upload-row[data-file="${txt}"]`);
    await mdRow.waitFor();
    expect(await page.locator(".upload-list").getAttribute("aria-live")).toBe("polite");
    await page.waitForFunction(
      (names) => names.every((n) => document.querySelector(`.upload-row[data-file="${n}"]`)?.classList.contains("phase-done")),
      [md, txt],
      { timeout: 60_000 },
    );
    expect(await mdRow.locator(".upload-status").innerText()).toContain("Done");
    expect(await txtRow.locator(".upload-status").innerText()).toContain("Done");
    const phases = await page.evaluate(() => (window as unknown as { __phases: string[] }).__phases);
    // each file went through its ingestion job's steps before done (queued or running shown at least once)
    for (const name of [md, txt]) expect(phases.some((p) => p.startsWith(`${name}: `) && /phase-(queued|running)/.test(p))).toBe(true);

    // the list was refreshed: both are found by name, with their domain and tags
    for (const name of [md, txt]) {
      const found = await apiList({ q: name });
      expect(found.total).toBe(1);
      await page.getByLabel("Search title or source").fill(name);
      await page.waitForURL((url) => url.searchParams.get("q") === name);
      await waitForRows(page, [found.documents[0]!.id]);
      const row = page.locator("tr[data-document-id]");
      expect(await row.locator(".source-cell").innerText()).toBe(name);
      expect(await row.locator('td[data-label="Domain"]').innerText()).toBe("browser-uploads");
      expect(await row.locator('td[data-label="Tags"] li').allInnerTexts()).toEqual(["e2e", "upload"]);
    }
    // the facets were refreshed too
    expect(await page.locator("#doc-domain option[value=browser-uploads]").count()).toBe(1);

    // open the Markdown one: metadata, chunks in order under their heading paths
    await page.getByLabel("Search title or source").fill(md);
    await page.waitForURL((url) => url.searchParams.get("q") === md);
    const mdId = (await apiList({ q: md })).documents[0]!.id;
    await waitForRows(page, [mdId]);
    await page.locator(`tr[data-document-id="${mdId}"] th a`).click();
    await page.waitForURL(new RegExp(`/knowledge/${mdId}$`));
    await page.getByRole("heading", { level: 1, name: `Upload notes ${tag}` }).waitFor();
    const chunks = ((await (await fetch(new URL(`/api/documents/${mdId}/chunks`, baseUrl()))).json()) as { chunks: { id: string; heading: string; content: string }[] }).chunks;
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    const articles = page.locator("article.chunk");
    expect(await articles.count()).toBe(chunks.length);
    expect(await articles.evaluateAll((els) => els.map((e) => e.id))).toEqual(chunks.map((c) => `chunk-${c.id}`));
    const paths = await page.locator("article.chunk .chunk-path").allInnerTexts();
    expect(paths.some((p) => p.includes(`Upload notes ${tag} › Storage section`))).toBe(true);
    expect(paths.some((p) => p.includes("Storage section › Retention rules"))).toBe(true);
    expect(await page.locator("article.chunk").filter({ hasText: `Old ${word} buckets expire` }).count()).toBe(1);
    const meta = await page.locator(".doc-meta").innerText();
    expect(meta).toContain(md);
    expect(meta).toContain("browser-uploads");
    expect(meta).toContain("markdown");
    expect(await page.locator(".chunk-meta").first().textContent()).toMatch(/^Chunk 1 of \d+: link to this chunk · \d+ chars$/);
    await screenshot(page, "document");

    // a citation's anchor: the chunk is focused and scrolled into view
    const last = chunks[chunks.length - 1]!;
    await open(page, `/knowledge/${mdId}#chunk-${last.id}`);
    await page.waitForFunction((id) => document.activeElement?.id === id, `chunk-${last.id}`);
    // back link to the list
    await page.getByRole("link", { name: "All documents" }).click();
    await page.waitForURL(/\/knowledge$/);
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("explains rejected files: unsupported type (415), too large (413, naming the limit), an unreadable PDF (the server's 422)", async () => {
    const { context, page, problems } = await newPage(browser);
    await open(page, "/knowledge");
    await page.locator("section.documents[aria-busy=false] tr[data-document-id]").first().waitFor();
    const uploads: number[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname.startsWith("/api/")) uploads.push(1);
    });
    const pdfAnswer = page.waitForResponse((r) => r.url().endsWith("/api/documents") && r.request().method() === "POST");
    const big = Buffer.alloc(1_600_000, "a");
    await page.locator("#upload-files").setInputFiles([
      { name: "picture.png", mimeType: "image/png", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) },
      { name: "tool.exe", mimeType: "application/octet-stream", buffer: Buffer.from("MZ\x90\x00garbage") },
      { name: "huge.txt", mimeType: "text/plain", buffer: big },
      { name: "x.pdf", mimeType: "application/pdf", buffer: Buffer.from("this is not a PDF at all, just some bytes \x00\x01\x02") },
    ]);
    const row = (name: string) => page.locator(`.upload-row[data-file="${name}"]`);
    expect(await row("picture.png").innerText()).toContain("Unsupported file type: “picture.png”");
    expect(await row("tool.exe").innerText()).toContain("Upload .md, .markdown, .txt, .html, .htm, .pdf files");
    expect(await row("huge.txt").innerText()).toMatch(/File too large: 1\.6 MB; the limit is 1\.5 MB \(1,500,000 bytes\)/);
    const answer = await pdfAnswer;
    expect(answer.status()).toBe(422);
    const serverMessage = ((await answer.json()) as { error: { message: string } }).error.message;
    expect(serverMessage).toContain("Could not read the PDF");
    await page.waitForFunction(() => document.querySelector('.upload-row[data-file="x.pdf"]')?.classList.contains("phase-failed"));
    expect(await row("x.pdf").innerText()).toContain(`The server could not process this file: ${serverMessage}`);
    // only the PDF was sent: the others were refused before any request
    expect(uploads.length).toBe(1);
    for (const name of ["picture.png", "tool.exe", "huge.txt"]) expect(await row(name).getAttribute("class")).toContain("phase-invalid");
    // the upload area with error rows has no serious accessibility violation
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(withoutExpectedHttpErrors(problems, [422])).toEqual([]);
    expect(problems.errors.length).toBe(1); // the 422 itself, nothing else
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("shows an error with a retry when the list fails, an empty state, and takes files dropped on the drop zone", async () => {
    const { context, page, problems } = await newPage(browser);
    let failures = 1;
    await context.route(/\/api\/documents\?/, (route) => {
      if (failures-- > 0) return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "internal_error", message: "Storage is resting" } }) });
      return route.fallback();
    });
    await open(page, "/knowledge");
    const alert = page.getByRole("alert").filter({ hasText: "Could not load the documents: Storage is resting" });
    await alert.waitFor();
    expect(await page.locator("tr[data-document-id]").count()).toBe(0);
    await alert.getByRole("button", { name: "Retry" }).click();
    await page.locator("section.documents[aria-busy=false] tr[data-document-id]").first().waitFor();
    expect(await alert.count()).toBe(0);

    // no match: the empty state offers the way back (a search longer than D1's 50-byte LIKE pattern limit still answers)
    await page.getByLabel("Search title or source").fill(`no-such-document-${randomUUID()}-${randomUUID()}`);
    await page.getByText("No documents match these filters.").waitFor();
    expect(await summary(page)).toMatch(/^0 documents matching/);
    await page.getByRole("link", { name: "Show all documents" }).click();
    await page.locator("section.documents[aria-busy=false] tr[data-document-id]").first().waitFor();
    expect(await page.getByLabel("Search title or source").inputValue()).toBe("");

    // drag and drop
    const name = `dropped-${randomUUID().slice(0, 8)}.md`;
    await page.evaluate((fileName) => {
      const zone = document.querySelector(".dropzone")!;
      const data = new DataTransfer();
      data.items.add(new File([`# Dropped file\n\nBrought in by drag and drop.\n`], fileName, { type: "text/markdown" }));
      zone.dispatchEvent(new DragEvent("dragenter", { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    }, name);
    await page.waitForFunction((n) => document.querySelector(`.upload-row[data-file="${n}"]`)?.classList.contains("phase-done"), name, { timeout: 60_000 });
    expect(await page.locator(".dropzone.dragging").count()).toBe(0);
    expect((await apiList({ q: name })).total).toBe(1);
    await page.locator(`.upload-row[data-file="${name}"]`).getByRole("link", { name: `Show ${name} in list` }).click();
    await page.waitForURL((url) => url.searchParams.get("q") === name);
    await waitForRows(page, [(await apiList({ q: name })).documents[0]!.id]);

    expect(problems.errors).toEqual(["console: Failed to load resource: the server responded with a status of 503 (Service Unavailable)"]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("deletes only after confirmation: Escape and Cancel keep the document and return focus, Delete removes it", async () => {
    const { context, page, problems } = await newPage(browser);
    const tag = randomUUID().slice(0, 8);
    const source = `delete-me-${tag}.md`;
    const id = await ingest({ source, content: `# Delete me ${tag}\n\nA short document that the test deletes.\n`, content_type: "markdown" });
    await open(page, `/knowledge?q=${source}`);
    await waitForRows(page, [id]);
    const del = page.getByRole("button", { name: `Delete Delete me ${tag}` });
    const dialog = page.getByRole("dialog", { name: "Delete this document?" });

    // keyboard: open, focus is inside the dialog (on Cancel), Escape closes, focus returns to the button
    await del.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest("dialog") !== null && document.activeElement?.textContent)).toBe("Cancel");
    expect(await dialog.innerText()).toContain(source);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(`Delete Delete me ${tag}`);
    // Cancel button
    await del.click();
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await rowIds(page)).toEqual([id]);
    expect((await fetch(new URL(`/api/documents/${id}`, baseUrl()))).status).toBe(200);

    // confirm: removed from the API and the list, with a notice
    await del.click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText(`Deleted “Delete me ${tag}”.`).waitFor();
    await page.getByText("No documents match these filters.").waitFor();
    expect((await fetch(new URL(`/api/documents/${id}`, baseUrl()))).status).toBe(404);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("documents-title");

    // from the document page: confirm goes back to the list; the old address shows "Document not found"
    const other = await ingest({ source: `delete-page-${tag}.md`, content: `# Delete from page ${tag}\n\nBody text.\n` });
    await open(page, `/knowledge/${other}`);
    await page.getByRole("heading", { level: 1, name: `Delete from page ${tag}` }).waitFor();
    await page.getByRole("button", { name: "Delete document" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/\/knowledge$/);
    expect((await fetch(new URL(`/api/documents/${other}`, baseUrl()))).status).toBe(404);
    await open(page, `/knowledge/${other}`);
    await page.getByRole("heading", { level: 1, name: "Document not found" }).waitFor();
    expect(withoutExpectedHttpErrors(problems, [404])).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("renders a hostile document inert on the document page", async () => {
    const { context, page, problems } = await newPage(browser);
    const tag = randomUUID().slice(0, 8);
    const hostile = [
      `# Hostile ${tag}`,
      "",
      `Image: <img src=x onerror="window.__pwned=1"> end.`,
      "",
      "<script>window.__pwned=3</script>",
      "",
      "```html",
      `<img src=x onerror="window.__pwned=6"><script>window.__pwned=7</script>`,
      "```",
      "",
      "A link: [x](javascript:window.__pwned=2) and an image ![alt text](https://tracker.example/p.png).",
      "",
      "## Second part",
      "",
      `<div onclick="window.__pwned=4"><iframe src="javascript:window.__pwned=5"></iframe></div>`,
    ].join("\n");
    const ids = [
      await ingest({ source: `hostile-${tag}.md`, content: hostile, content_type: "markdown" }),
      await ingest({ source: `hostile-${tag}.txt`, title: `Hostile text ${tag}`, content: hostile, content_type: "text" }),
    ];
    for (const id of ids) {
      await open(page, `/knowledge/${id}`);
      await page.locator("article.chunk").first().waitFor();
      // the markup is shown as text, not dropped
      expect(await page.locator("main").innerText()).toContain("onerror=");
      await page.locator("main").getByRole("link", { name: "All documents" }).hover(); // some interaction, give handlers a chance
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(await page.locator("img[onerror], main img").count()).toBe(0);
      expect(await page.locator("main script, main iframe, main [onclick]").count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    }
    expect(problems.errors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it("has no serious accessibility violation on the list (light and dark) and on a document page", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const { context, page, problems } = await newPage(browser, { colorScheme });
      await open(page, "/knowledge");
      await page.locator("section.documents[aria-busy=false] tr[data-document-id]").first().waitFor();
      expect(await seriousAxeViolations(page), colorScheme).toEqual([]);
      // the confirmation dialog too
      await page.locator("tr[data-document-id] button").first().click();
      await page.getByRole("dialog").waitFor();
      expect(await seriousAxeViolations(page), `${colorScheme} dialog`).toEqual([]);
      await page.keyboard.press("Escape");
      await page.getByRole("dialog").waitFor({ state: "detached" });
      // a document page
      await page.locator("tr[data-document-id] th a").first().click();
      await page.locator("article.chunk").first().waitFor();
      expect(await seriousAxeViolations(page), `${colorScheme} document`).toEqual([]);
      expect(problems.errors).toEqual([]);
      expect(problems.foreignRequests).toEqual([]);
      await context.close();
    }
  });

  it("fits a 360 px screen: no horizontal page scroll on the list or a document page", async () => {
    const { context, page, problems } = await newPage(browser, { viewport: { width: 360, height: 740 } });
    await open(page, "/knowledge");
    await page.locator("section.documents[aria-busy=false] tr[data-document-id]").first().waitFor();
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await fits()).toBe(true);
    // the rows are cards: the title spans the card
    const box = await page.locator("tr[data-document-id]").first().boundingBox();
    expect(box!.width).toBeLessThanOrEqual(360);
    await page.locator("tr[data-document-id] th a").first().click();
    await page.locator("article.chunk").first().waitFor();
    expect(await fits()).toBe(true);
    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
