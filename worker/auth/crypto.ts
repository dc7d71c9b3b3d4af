/**
 * Hashing primitives of accounts, all WebCrypto: PBKDF2-SHA256 password hashes (RFC 8018) with a
 * per-user 16-byte salt, SHA-256 of opaque tokens (refresh tokens, API keys) for storage, random
 * tokens, base64url, and constant-time comparison.
 */

/**
 * PBKDF2 iterations for new password hashes: workerd refuses more than 100,000 (it throws
 * NotSupportedError above), which is what OWASP's 2023 table gives for PBKDF2-HMAC-SHA512;
 * stored per user so that it can be raised.
 */
export const PBKDF2_ITERATIONS = 100_000;

/** Derived key length, bytes. */
const KEY_BYTES = 32;

/** base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(s: string): Uint8Array<ArrayBuffer> {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(b, (ch) => ch.charCodeAt(0));
}

/** `n` random bytes as base64url. */
export function randomToken(n = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

/** SHA-256 of `text` (UTF-8), lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when `a` and `b` are equal; the time taken depends on their lengths only. */
export function equalInConstantTime(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** A stored password hash. */
export interface PasswordHash {
  /** base64url of the 32-byte derived key. */
  hash: string;
  /** base64url of the 16-byte salt. */
  salt: string;
  iterations: number;
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, KEY_BYTES * 8);
  return new Uint8Array(bits);
}

/** Hashes a password with a new random salt (PBKDF2-SHA256, {@link PBKDF2_ITERATIONS}). About 60 ms of CPU in workerd. */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { hash: base64url(await derive(password, salt, iterations)), salt: base64url(salt), iterations };
}

/** True when `password` matches the stored hash (constant-time comparison of the derived keys). */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const derived = await derive(password, fromBase64url(stored.salt), stored.iterations);
  return equalInConstantTime(base64url(derived), stored.hash);
}
