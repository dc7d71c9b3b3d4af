/**
 * The Content-Security-Policy of the web client's pages: scripts, styles and images from the
 * page's own origin only (no inline script, no eval), requests to the page's origin and, when the
 * API lives elsewhere (Pages), to that one origin (https and wss).
 */
export function contentSecurityPolicy(apiOrigin = ""): string {
  const api = apiOrigin ? ` ${apiOrigin} ${apiOrigin.replace(/^http/, "ws")}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${api}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
