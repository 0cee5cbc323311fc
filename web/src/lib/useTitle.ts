import { useEffect } from "react";

/** The tab's title names the page (screen readers announce it, and it is what history and bookmarks show). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Intervu` : "Intervu";
  }, [title]);
}
