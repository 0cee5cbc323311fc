import type { ReactNode } from "react";

import { describe } from "../api/client";

export function ErrorMessage({ error, children }: { error: unknown; children?: ReactNode }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {children ?? describe(error)}
    </p>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}
    </p>
  );
}

/** A labelled progress bar: screen readers announce the value, and the label says what is progressing. */
export function ProgressBar({ value, max = 1, label }: { value: number; max?: number; label: string }) {
  const share = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <div className="progress">
      <div className="progress-label">
        <span>{label}</span>
        <span>{Math.round(share * 100)}%</span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(share * 100)}
      >
        <div className="progress-fill" style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}
