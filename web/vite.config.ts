/**
 * Vite build of the web client (web/ → web/dist), served by the Worker's static assets
 * (wrangler.toml [assets]) or deployed to Pages. VITE_API_ORIGIN (e.g. "https://edge-rag.example.workers.dev")
 * points a Pages build at the Worker; empty = same origin. The build writes dist/_headers with the
 * Content-Security-Policy of every page, whose connect-src names that origin.
 */
import preact from "@preact/preset-vite";
import { fileURLToPath } from "node:url";
import { defineConfig, loadEnv, type Plugin } from "vite";
import { contentSecurityPolicy } from "./csp.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Writes `_headers` (Workers static assets and Pages read it) with the CSP and hardening headers. */
function securityHeaders(apiOrigin: string): Plugin {
  return {
    name: "edge-rag-security-headers",
    generateBundle() {
      const lines = [
        "/*",
        `  Content-Security-Policy: ${contentSecurityPolicy(apiOrigin)}`,
        "  X-Content-Type-Options: nosniff",
        "  Referrer-Policy: no-referrer",
        "  X-Frame-Options: DENY",
        "/assets/*",
        "  Cache-Control: public, max-age=31536000, immutable",
        "",
      ];
      this.emitFile({ type: "asset", fileName: "_headers", source: lines.join("\n") });
    },
  };
}

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, root, "VITE_");
  const apiOrigin = (env.VITE_API_ORIGIN ?? process.env.VITE_API_ORIGIN ?? "").replace(/\/+$/, "");
  return {
    root,
    plugins: [preact(), securityHeaders(apiOrigin)],
    define: { __API_ORIGIN__: JSON.stringify(apiOrigin) },
    build: { outDir: "dist", emptyOutDir: true, target: "es2022", modulePreload: { polyfill: false }, reportCompressedSize: true },
    server: {
      // `npm run dev:web`: Vite's dev server with the API of a running `npm start` behind it.
      proxy: { "/api": "http://127.0.0.1:8787", "/health": "http://127.0.0.1:8787", "/ws": { target: "ws://127.0.0.1:8787", ws: true } },
    },
  };
});
