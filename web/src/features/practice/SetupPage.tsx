import { type FormEvent, useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";

import { type Avatar, type Interviews, api, unwrap } from "../../api/client";
import { Tabs } from "../../components/Tabs";
import { ErrorMessage } from "../../components/Status";
import { titleCase } from "../../lib/format";
import { useTitle } from "../../lib/useTitle";

const TYPES = ["behavioral", "technical", "situational", "motivational", "role-specific"] as const;
const DIFFICULTIES = ["easy", "medium", "hard"] as const;

/** Choose what to practise: a role (type, difficulty) or a pasted job description, and the interviewer. */
export function SetupPage() {
  useTitle("Start a practice interview");
  const [roles, setRoles] = useState<Interviews["RoleSummary"][]>([]);
  const [personas, setPersonas] = useState<Avatar["PersonaOut"][]>([]);
  const [mode, setMode] = useState<"role" | "job">("role");
  const [role, setRole] = useState("");
  const [type, setType] = useState("");
  const [difficulty, setDifficulty] = useState("");
  const [jobDescription, setJobDescription] = useState("");
  const [count, setCount] = useState(3);
  const [interviewer, setInterviewer] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();

  useEffect(() => {
    // What the person said they prepare for (onboarding, Settings) is where a new session starts.
    Promise.all([
      unwrap(api.GET("/api/interviews/roles")),
      unwrap(api.GET("/api/interviews/goal")).catch(() => undefined),
    ])
      .then(([list, goal]) => {
        setRoles(list);
        const preferred = list.find((r) => r.role === goal?.role)?.role;
        if (list.length) setRole((r) => r || preferred || list[0].role);
        if (goal?.difficulty) setDifficulty((d) => d || goal.difficulty || "");
      })
      .catch(setError);
    unwrap(api.GET("/api/avatar/personas"))
      .then((list) => {
        setPersonas(list);
        setInterviewer((p) => p || (list.find((x) => x.default) ?? list[0])?.id || "");
      })
      .catch(() => setPersonas([])); // no interviewer video: questions are read aloud instead
  }, []);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: Interviews["SessionCreate"] =
        mode === "job"
          ? { job_description: jobDescription, question_count: count }
          : {
              role: role || null,
              type: (type || null) as Interviews["SessionCreate"]["type"],
              difficulty: (difficulty || null) as Interviews["SessionCreate"]["difficulty"],
              question_count: count,
            };
      if (interviewer) body.interviewer = interviewer as Interviews["SessionCreate"]["interviewer"];
      const session = await unwrap(api.POST("/api/interviews/sessions", { body }));
      navigate(`/practice/${session.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const selectedRole = roles.find((r) => r.role === role);
  return (
    <section className="stack" aria-labelledby="setup-heading">
      <h1 id="setup-heading">Start a practice interview</h1>
      <form className="card form" onSubmit={(e) => void start(e)}>
        <Tabs
          label="Choose questions by"
          value={mode}
          options={[
            { value: "role", label: "By role" },
            { value: "job", label: "From a job description" },
          ]}
          onChange={setMode}
        />
        {mode === "role" ? (
          <div className="grid-3">
            <label>
              Role
              <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value)} required>
                {roles.map((r) => (
                  <option key={r.role} value={r.role}>
                    {r.label} ({r.questions})
                  </option>
                ))}
              </select>
            </label>
            <label>
              Question type
              <select aria-label="Question type" value={type} onChange={(e) => setType(e.target.value)}>
                <option value="">Any type</option>
                {TYPES.map((t) => (
                  <option key={t} value={t} disabled={selectedRole ? !(selectedRole.by_type as Record<string, number>)[t] : false}>
                    {titleCase(t)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Difficulty
              <select aria-label="Difficulty" value={difficulty} onChange={(e) => setDifficulty(e.target.value)}>
                <option value="">Any difficulty</option>
                {DIFFICULTIES.map((d) => (
                  <option key={d} value={d}>
                    {titleCase(d)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        ) : (
          <label>
            Job description
            <textarea
              value={jobDescription}
              onChange={(e) => setJobDescription(e.target.value)}
              rows={8}
              required
              minLength={40}
              placeholder="Paste the job advert: Intervu picks the questions that match it."
            />
          </label>
        )}
        <div className="grid-3">
          <label>
            Questions
            <select aria-label="Questions" value={count} onChange={(e) => setCount(Number(e.target.value))}>
              {[1, 3, 5, 8, 10].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          {personas.length ? (
            <label>
              Interviewer
              <select aria-label="Interviewer" value={interviewer} onChange={(e) => setInterviewer(e.target.value)}>
                {personas.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}, {p.title}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
        {personas.find((p) => p.id === interviewer)?.description ? (
          <p className="muted small">{personas.find((p) => p.id === interviewer)?.description}</p>
        ) : null}
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Preparing…" : "Start the interview"}
          </button>
        </div>
      </form>
    </section>
  );
}
