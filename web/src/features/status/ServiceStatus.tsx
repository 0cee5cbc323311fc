import { useEffect, useState } from "react";

const SERVICES = [
  "accounts",
  "interviews",
  "media",
  "transcription",
  "feedback",
  "avatar",
  "analytics",
  "notifications",
] as const;

type State = "checking" | "ready" | "not ready";

export function ServiceStatus() {
  const [states, setStates] = useState<Record<string, State>>(
    Object.fromEntries(SERVICES.map((s) => [s, "checking"])),
  );

  useEffect(() => {
    SERVICES.forEach(async (service) => {
      let state: State = "not ready";
      try {
        const response = await fetch(`/api/${service}/readyz`);
        state = response.ok ? "ready" : "not ready";
      } catch {
        state = "not ready";
      }
      setStates((previous) => ({ ...previous, [service]: state }));
    });
  }, []);

  return (
    <section aria-labelledby="status-heading">
      <h2 id="status-heading">Platform status</h2>
      <ul className="status-grid">
        {SERVICES.map((service) => (
          <li key={service} className={`status status-${states[service].replace(" ", "-")}`}>
            <span className="status-dot" aria-hidden="true" />
            <span>{service}</span>
            <span className="status-label">{states[service]}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
