/** Output of every parser: a title, metadata and the text split into heading sections. */

/** A run of text under one heading path (outermost heading first). */
export interface Section {
  headings: string[];
  text: string;
}

/** A parsed document, ready for chunking. */
export interface ParsedDocument {
  /** Title found in the document itself (front matter, `<title>`, first H1), if any. */
  title: string | null;
  /** Metadata found in the document (front matter keys, description). */
  metadata: Record<string, unknown>;
  sections: Section[];
}

/** Supported content types of ingested documents. */
export type ContentType = "markdown" | "html" | "text" | "pdf";
