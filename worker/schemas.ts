/** zod schemas of the HTTP and queue boundaries, and the types inferred from them. */
import { z } from "zod";

/** `session_id` format: 1..128 of letters, digits, `_` and `-`. */
export const SESSION_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
export const SessionIdSchema = z.string().regex(SESSION_ID_RE, "session_id must match ^[A-Za-z0-9_-]{1,128}$");

const Tag = z.string().trim().min(1).max(64);
const Domain = z.string().trim().min(1).max(100);

/** Metadata a caller may attach to a document; other keys are kept as given. */
export const DocumentMetadataSchema = z.looseObject({
  domain: Domain.optional(),
  tags: z.array(Tag).max(32).optional(),
});

/** JSON body of `POST /api/documents` and one item of a bulk ingestion job. */
export const DocumentInputSchema = z.object({
  content: z.string().min(1, "content must not be empty"),
  title: z.string().trim().min(1).max(300).optional(),
  source: z.string().trim().min(1).max(2048),
  content_type: z.enum(["markdown", "html", "text"]).optional(),
  metadata: DocumentMetadataSchema.optional(),
});
export type DocumentInput = z.infer<typeof DocumentInputSchema>;

/**
 * Restricts retrieval to documents of some domains and/or carrying some tags. A bare string is a
 * domain. Both lists match any of their values; when both are given a document must pass both.
 */
export const SearchScopeSchema = z.union([
  Domain.transform((domain) => ({ domains: [domain], tags: [] as string[] })),
  z
    .object({
      domain: z.union([Domain, z.array(Domain).max(20)]).optional(),
      tags: z.array(Tag).max(20).optional(),
    })
    .strict()
    .transform((s) => ({
      domains: s.domain === undefined ? [] : Array.isArray(s.domain) ? s.domain : [s.domain],
      tags: s.tags ?? [],
    })),
]);
export type SearchScope = z.output<typeof SearchScopeSchema>;

const Query = z.string().trim().min(1, "query must not be empty").max(4000);

/** Which retrievers run: both fused (default), or one alone (for evaluation and debugging). */
export const RetrievalModeSchema = z.enum(["hybrid", "lexical", "vector"]);
export type RetrievalMode = z.infer<typeof RetrievalModeSchema>;

/**
 * Unit of the results: every chunk ("chunk", default), or the best chunk of each distinct document
 * ("document", `top_k` then counts documents).
 */
export const GroupBySchema = z.enum(["chunk", "document"]);
export type GroupBy = z.infer<typeof GroupBySchema>;

function buildRagQuerySchema(maxTopK: number) {
  return z.object({
    query: Query,
    top_k: z.number().int().min(1).max(maxTopK).default(5),
    search_scope: SearchScopeSchema.optional(),
    mode: RetrievalModeSchema.default("hybrid"),
    group_by: GroupBySchema.default("chunk"),
  });
}

const ragQuerySchemas = new Map<number, ReturnType<typeof buildRagQuerySchema>>();

/**
 * Body of `POST /api/rag/query`; `top_k` is at most `maxTopK` (MAX_TOP_K, 50 unless configured).
 * The schema is built once per `maxTopK` value and reused.
 */
export function ragQuerySchema(maxTopK: number): ReturnType<typeof buildRagQuerySchema> {
  let schema = ragQuerySchemas.get(maxTopK);
  if (!schema) ragQuerySchemas.set(maxTopK, (schema = buildRagQuerySchema(maxTopK)));
  return schema;
}

/** Body of `PATCH /api/chat/:session_id`: the conversation's new title (1–200 characters; stored up to 80). */
export const RenameSessionSchema = z.object({ title: z.string().trim().min(1).max(200) });

/**
 * Body of `POST /api/chat`: a question (`query`), or the answer to the session's pending
 * clarification (`session_id` with `selected_option` or `custom_input`).
 */
export const ChatRequestSchema = z
  .object({
    query: Query.optional(),
    session_id: SessionIdSchema.optional(),
    search_scope: SearchScopeSchema.optional(),
    selected_option: z.string().trim().min(1).max(200).optional(),
    custom_input: z.string().trim().min(1).max(2000).optional(),
  })
  .superRefine((b, ctx) => {
    const answering = b.selected_option !== undefined || b.custom_input !== undefined;
    if (!answering && b.query === undefined) ctx.addIssue({ code: "custom", path: ["query"], message: "query is required" });
    if (answering && b.session_id === undefined) {
      ctx.addIssue({ code: "custom", path: ["session_id"], message: "session_id is required to answer a clarification" });
    }
    if (b.selected_option !== undefined && b.custom_input !== undefined) {
      ctx.addIssue({ code: "custom", path: ["custom_input"], message: "give selected_option or custom_input, not both" });
    }
  });

/** A client's id of one turn, echoed on that turn's frames: 1..64 of letters, digits, `_`, `-`, `.` and `:`. */
const TurnId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "turn_id must match ^[A-Za-z0-9_.:-]{1,64}$");

/**
 * Frames a WebSocket client sends on `/ws/chat/:session_id`. A question or response may carry a
 * `turn_id`, which the server puts on every frame of that turn (progress, answer, clarification, error).
 */
export const WsClientFrameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("question"), query: Query, search_scope: SearchScopeSchema.optional(), turn_id: TurnId.optional() }),
  z
    .object({
      type: z.literal("response"),
      selected_option: z.string().trim().min(1).max(200).optional(),
      custom_input: z.string().trim().min(1).max(2000).optional(),
      turn_id: TurnId.optional(),
    })
    .refine((f) => (f.selected_option === undefined) !== (f.custom_input === undefined), {
      message: "give selected_option or custom_input",
    }),
  z.object({ type: z.literal("ping") }),
]);

/** Body of `POST /api/ingest/jobs`: 1..100 documents. */
export const IngestJobRequestSchema = z.object({
  documents: z.array(DocumentInputSchema).min(1).max(100),
});

/** A message on the ingestion queue: one job item to ingest. */
export const IngestMessageSchema = z.object({
  job_id: z.string().min(1).max(64),
  item_id: z.string().min(1).max(64),
});
export type IngestMessage = z.infer<typeof IngestMessageSchema>;

/** Query string of `GET /api/documents`. */
export const ListDocumentsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  domain: Domain.optional(),
  /** A tag the document must carry. */
  tag: Tag.optional(),
  /** Case-insensitive substring of the title or source (≤ 200 chars). */
  q: z.string().trim().min(1).max(200).optional(),
});
export type ListDocumentsQuery = z.infer<typeof ListDocumentsQuerySchema>;

/**
 * Public view of a bulk ingestion job, as returned by `GET /api/ingest/jobs/:id` and the 202
 * answer of `POST /api/ingest/jobs`. Timestamps are ISO 8601 strings.
 */
export interface JobStatus {
  id: string;
  status: "queued" | "running" | "completed" | "failed";
  total: number;
  done: number;
  failed: number;
  errors: { source: string; message: string }[];
  created_at: string;
  updated_at: string;
}

/** Reasons a user can give with a thumbs-down, in the order the web client shows them. */
export const FeedbackReasonSchema = z.enum(["irrelevant_documents", "misread_documents", "wrong_citation", "other"]);
export type FeedbackReason = z.infer<typeof FeedbackReasonSchema>;

/**
 * Body of `POST /api/feedback`: a rating of one assistant message. `reasons` (at most one of
 * each) and `comment` (≤ 2000 chars) are optional; "other" needs a comment.
 */
export const FeedbackRequestSchema = z
  .object({
    session_id: SessionIdSchema,
    message_id: z.string().trim().min(1).max(64),
    rating: z.enum(["up", "down"]),
    reasons: z.array(FeedbackReasonSchema).max(4).optional(),
    comment: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((f) => new Set(f.reasons ?? []).size === (f.reasons ?? []).length, { path: ["reasons"], message: "reasons must not repeat" })
  .refine((f) => !f.reasons?.includes("other") || f.comment !== undefined, { path: ["comment"], message: "reason 'other' needs a comment" });
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

/** Query string of `GET /api/feedback`: one session's feedback, or the newest of all sessions. */
export const ListFeedbackQuerySchema = z.object({
  session_id: SessionIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
