/** Copies text to the clipboard, then says "Copied" (or that it failed) for a moment. */
import { useEffect, useState } from "preact/hooks";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const t = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(t);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" class="ghost small" onClick={copy} aria-label={state === "copied" ? "Copied" : `${label} answer`}>
        {state === "copied" ? "Copied ✓" : label}
      </button>
      <span class="visually-hidden" role="status">
        {state === "copied" ? "Copied to the clipboard" : state === "failed" ? "Could not copy" : ""}
      </span>
      {state === "failed" && <span class="small error-text">Could not copy</span>}
    </>
  );
}
