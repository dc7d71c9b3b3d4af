/**
 * Roles and permissions (docs/access.md). A route needs one permission; a role grants a set:
 *  - `viewer`: `chat` (ask, read sessions, give feedback, read documents and tasks, query);
 *  - `editor`: `chat` and `write` (ingest and delete documents);
 *  - `admin`: all three, `admin` being the quality loop, config versions and users.
 * An API key carries scopes, a subset of its owner's permissions at creation, and is limited at
 * every request to the permissions its owner's role grants then.
 */

/** Role of a user. */
export type Role = "admin" | "editor" | "viewer";
export const ROLES = ["admin", "editor", "viewer"] as const satisfies readonly Role[];

/** What a route needs. */
export type Permission = "chat" | "write" | "admin";
export const PERMISSIONS = ["chat", "write", "admin"] as const satisfies readonly Permission[];

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ["chat"],
  editor: ["chat", "write"],
  admin: ["chat", "write", "admin"],
};

/** The permissions a role grants. */
export function permissionsOf(role: Role): Permission[] {
  return [...GRANTS[role]];
}
