import { useEffect, useRef, useState } from "react";

/** Loads with `load` now and every `intervalMs` until `done(value)` holds (or forever when it never does).
 * Errors are kept, and polling goes on: a service restarting is not the end of the page. */
export function usePoll<T>(
  load: () => Promise<T>,
  done: (value: T) => boolean,
  intervalMs: number,
  deps: unknown[],
): { value: T | undefined; error: unknown; reload: () => void } {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  const doneRef = useRef(done);
  loadRef.current = load;
  doneRef.current = done;

  useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const run = async () => {
      try {
        const next = await loadRef.current();
        if (cancelled) return;
        setValue(next);
        setError(undefined);
        if (doneRef.current(next)) return;
      } catch (e) {
        if (cancelled) return;
        setError(e);
      }
      timer = window.setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, intervalMs]);

  return { value, error, reload: () => setTick((t) => t + 1) };
}
