import { type FormEvent, useEffect, useState } from "react";

import { type Interviews, api, unwrap } from "../../api/client";
import { ErrorMessage } from "../../components/Status";

type Goal = Interviews["GoalOut"];

/** "What are you preparing for?": the role, the level and the date of the real interview, each optional. New
 * sessions start from it; reminders count down to the date. In onboarding and in Settings. */
export function GoalForm({ onSaved }: { onSaved?: (goal: Goal) => void }) {
  const [roles, setRoles] = useState<Interviews["RoleSummary"][]>([]);
  const [role, setRole] = useState("");
  const [difficulty, setDifficulty] = useState("");
  const [date, setDate] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  // A save replaces the whole goal: not before the stored one is on screen (a failed read would clear it).
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    unwrap(api.GET("/api/interviews/roles")).then(setRoles).catch(setError);
    unwrap(api.GET("/api/interviews/goal"))
      .then((goal) => {
        setRole(goal.role ?? "");
        setDifficulty(goal.difficulty ?? "");
        setDate(goal.interview_date ?? "");
        setLoaded(true);
      })
      .catch(setError);
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(null);
    try {
      const goal = await unwrap(
        api.PUT("/api/interviews/goal", {
          body: {
            role: role || null,
            difficulty: (difficulty || null) as Interviews["GoalIn"]["difficulty"],
            interview_date: date || null,
          },
        }),
      );
      setSaved(countdown(goal) ?? "Saved.");
      onSaved?.(goal);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <form className="goal stack" onSubmit={(e) => void save(e)} aria-label="What you are preparing for">
      <div className="grid-3">
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="">Not decided</option>
            {roles.map((r) => (
              <option key={r.role} value={r.role}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Level
          <select value={difficulty} onChange={(e) => setDifficulty(e.target.value)}>
            <option value="">Any</option>
            <option value="easy">Entry level</option>
            <option value="medium">Experienced</option>
            <option value="hard">Senior</option>
          </select>
        </label>
        <label>
          Interview date
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
      </div>
      <div className="actions">
        <button type="submit" className="secondary" disabled={!loaded}>
          Save
        </button>
        <p role="status" className="ok small">
          {saved}
        </p>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}

/** "Your Software engineer interview is in 7 days" (null without a date, or once it is past). */
export function countdown(goal: Goal | undefined): string | null {
  if (!goal?.interview_date || goal.days_until === null || goal.days_until === undefined || goal.days_until < 0) {
    return null;
  }
  const what = goal.role_label ? `Your ${goal.role_label} interview` : "Your interview";
  const d = goal.days_until;
  return `${what} is ${d === 0 ? "today" : d === 1 ? "tomorrow" : `in ${d} days`}.`;
}
