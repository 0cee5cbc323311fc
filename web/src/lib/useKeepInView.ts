import { type RefObject, useEffect } from "react";

/**
 * Bring an element into view and keep it there while the page settles: a link to a part of a page (a notice's
 * export, back from the password check to the deletion) lands before the sections above it have loaded, and each
 * one that loads pushes the part down again. Re-scrolls whenever the page's height changes, for a few seconds,
 * and stops at once when the person scrolls, types or taps themselves.
 */
export function useKeepInView(target: RefObject<HTMLElement | null>, active: boolean, deps: unknown[] = []): void {
  useEffect(() => {
    if (!active) return;
    const bring = () => target.current?.scrollIntoView({ block: "start" });
    bring();
    const observer = new ResizeObserver(bring);
    observer.observe(document.body);
    const stop = () => {
      observer.disconnect();
      window.clearTimeout(timer);
      for (const event of ["wheel", "touchstart", "keydown", "mousedown"]) window.removeEventListener(event, stop);
    };
    const timer = window.setTimeout(stop, 4000);
    for (const event of ["wheel", "touchstart", "keydown", "mousedown"]) window.addEventListener(event, stop, { once: true });
    return stop;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, ...deps]);
}
