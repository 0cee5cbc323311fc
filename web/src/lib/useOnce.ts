import { useEffect, useRef, useState } from "react";

/** Load a value once, as soon as `when` is true (again only when `deps` change); a failed load is tried again
 * after two seconds. For what a pushed status says is ready to read. */
export function useOnce<T>(load: () => Promise<T>, when: boolean, deps: unknown[]): { value?: T; error?: unknown } {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<unknown>();
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (!when) return;
    let cancelled = false;
    let timer: number | undefined;
    const run = async () => {
      try {
        const next = await loadRef.current();
        if (!cancelled) {
          setValue(next);
          setError(undefined);
        }
      } catch (e) {
        if (cancelled) return;
        setError(e);
        timer = window.setTimeout(run, 2000);
      }
    };
    void run();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [when, ...deps]);

  return { value, error };
}
