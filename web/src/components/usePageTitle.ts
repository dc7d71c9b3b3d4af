/** The document title while a page is shown. */
import { useEffect } from "preact/hooks";

/** Sets `document.title` to "`title` · edge-rag" while the calling component is mounted, and puts the previous title back after. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    const previous = document.title;
    return () => {
      document.title = previous;
    };
  }, []);
  useEffect(() => {
    document.title = `${title} · edge-rag`;
  }, [title]);
}
