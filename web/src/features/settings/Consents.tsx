import { useEffect, useState } from "react";

import { type Accounts, api, unwrap } from "../../api/client";
import { ErrorMessage, Loading } from "../../components/Status";

const TITLES: Record<string, string> = {
  third_party_ai: "Use third-party AI providers",
  keep_recordings: "Keep my recordings",
  device_info: "Keep device information with my sessions",
  notifications: "Send me notifications",
};

const RETENTION_CHOICES = [7, 30, 90, 365];

type Purpose = "third_party_ai" | "keep_recordings" | "device_info" | "notifications";

/** One switch per purpose, each saved as soon as it changes. Nothing is on unless the person turns it on. */
export function Consents() {
  const [consents, setConsents] = useState<Accounts["ConsentOut"][]>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    unwrap(api.GET("/api/accounts/consents")).then(setConsents).catch(setError);
  }, []);

  const change = async (purpose: string, granted: boolean, retention_days: number | null) => {
    setError(undefined);
    setSaved(null);
    const before = consents;
    // Shown at once (a switch that lags behind the click feels broken); put back if the save fails.
    setConsents((list) => list?.map((c) => (c.purpose === purpose ? { ...c, granted, retention_days } : c)));
    try {
      const updated = await unwrap(
        api.PUT("/api/accounts/consents/{purpose}", {
          params: { path: { purpose: purpose as Purpose } },
          // keep_recordings withdrawn: recordings are deleted after this many days (kept while it is granted).
          body: { granted, retention_days: !granted && purpose === "keep_recordings" ? retention_days : null },
        }),
      );
      setConsents((list) => list?.map((c) => (c.purpose === purpose ? updated : c)));
      setSaved(`${TITLES[purpose] ?? purpose}: ${granted ? "on" : "off"}. Saved.`);
    } catch (e) {
      setConsents(before);
      setError(e);
    }
  };

  if (!consents) return error ? <ErrorMessage error={error} /> : <Loading />;
  return (
    <fieldset className="consents">
      <legend>Your consents</legend>
      {consents.map((c) => (
        <div key={c.purpose} className="consent">
          <label className="switch">
            <input
              type="checkbox"
              checked={c.granted}
              onChange={(event) => void change(c.purpose, event.target.checked, c.retention_days ?? 30)}
            />
            <span>{TITLES[c.purpose] ?? c.purpose}</span>
          </label>
          <p className="muted small">{c.description}</p>
          {c.purpose === "keep_recordings" && !c.granted ? (
            <label className="inline">
              Delete my recordings after{" "}
              <select
                aria-label="Delete my recordings after"
                value={c.retention_days ?? 30}
                onChange={(event) => void change(c.purpose, false, Number(event.target.value))}
              >
                {RETENTION_CHOICES.map((days) => (
                  <option key={days} value={days}>
                    {days} days
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
      ))}
      <p role="status" className="muted small">
        {saved}
      </p>
      <ErrorMessage error={error} />
    </fieldset>
  );
}
