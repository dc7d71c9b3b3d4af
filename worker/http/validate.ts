/** zod validation of request parts (via @hono/zod-validator) that fails with the API's error shape. */
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { validationError } from "./errors";

/** Validates `target` of the request with `schema`; 422 `invalid_request` on failure. */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw validationError(result.error, target === "json" ? "request body" : `${target} parameters`);
  });
}
