import { useEffect, useState } from "react";
import { Link } from "react-router-dom";

import { type Interviews, api, unwrap } from "../../api/client";
import { ErrorMessage, Loading } from "../../components/Status";
import { signIn, signUp } from "../../lib/auth";
import { formatDate, titleCase } from "../../lib/format";
import { countdown } from "../onboarding/Goal";
import { useTitle } from "../../lib/useTitle";
import { useAuth } from "../auth/AuthProvider";
import { RequireAuth } from "../auth/RequireAuth";

export function HomePage() {
  const { user, loading, error } = useAuth();
  useTitle("");
  if (loading) return <Loading />;
  if (!user) return <Landing error={error} />;
  return (
    <RequireAuth>
      <Dashboard name={String(user.profile.given_name ?? user.profile.name ?? "")} />
    </RequireAuth>
  );
}

function Landing({ error }: { error: string | null }) {
  return (
    <section className="hero" aria-labelledby="hero-heading">
      <h1 id="hero-heading">Practise interviews. Get honest, specific feedback.</h1>
      <p className="lead">
        An AI interviewer asks the questions; you answer on camera or by typing. Intervu transcribes every word and
        tells you what worked, what did not, and what to try next: content, structure, pace, fillers and pauses.
      </p>
      <ErrorMessage error={error}>Sign-in failed: {error}</ErrorMessage>
      <div className="actions">
        <button type="button" onClick={() => void signUp()}>
          Create a free account
        </button>
        <button type="button" className="secondary" onClick={() => void signIn("/")}>
          Sign in
        </button>
      </div>
      <ul className="features">
        <li>
          <strong>Private by design.</strong> Your recordings are never visible to anyone else; export or delete
          everything whenever you like.
        </li>
        <li>
          <strong>Runs without the cloud.</strong> Speech recognition and coaching run on Intervu&apos;s own servers
          unless you choose otherwise.
        </li>
        <li>
          <strong>See yourself improve.</strong> Scores per skill, pace and filler trends over time.
        </li>
      </ul>
    </section>
  );
}

function Dashboard({ name }: { name: string }) {
  const [sessions, setSessions] = useState<Interviews["SessionSummary"][]>();
  const [error, setError] = useState<unknown>();
  const [goal, setGoal] = useState<Interviews["GoalOut"]>();
  useEffect(() => {
    unwrap(api.GET("/api/interviews/sessions", { params: { query: { page_size: 10 } } }))
      .then((page) => setSessions(page.items))
      .catch(setError);
    unwrap(api.GET("/api/interviews/goal"))
      .then(setGoal)
      .catch(() => undefined); // the countdown is a nicety: the sessions are the page
  }, []);
  const days = countdown(goal);
  return (
    <section aria-labelledby="dash-heading">
      <div className="title-row">
        <h1 id="dash-heading">{name ? `Welcome back, ${name}` : "Welcome back"}</h1>
        <Link className="button" to="/practice">
          Start practising
        </Link>
      </div>
      {days ? (
        <p className="card countdown-line">
          {days} <Link to="/settings">Change</Link>
        </p>
      ) : null}
      <h2>Your recent sessions</h2>
      <ErrorMessage error={error} />
      {sessions === undefined && !error ? <Loading /> : null}
      {sessions?.length === 0 ? (
        <p className="card">No sessions yet. Choose a role and answer your first question: it takes five minutes.</p>
      ) : null}
      <ul className="session-list">
        {sessions?.map((s) => (
          <li key={s.id} className="card session-item">
            <div>
              <strong>{s.from_job_description ? "From a job description" : titleCase(s.role) || "Practice"}</strong>
              <span className="muted">
                {" "}
                · {titleCase(s.type) || "mixed"} · {titleCase(s.difficulty) || "any level"}
              </span>
              <div className="muted small">
                {formatDate(s.created_at)} · {s.answered_count}/{s.question_count} answered · {sessionState(s)}
              </div>
            </div>
            <div className="actions">
              {s.status !== "completed" && s.status !== "abandoned" ? (
                <Link className="button secondary" to={`/practice/${s.id}`}>
                  Continue
                </Link>
              ) : null}
              {s.answered_count > 0 ? (
                <Link className="button" to={`/sessions/${s.id}`}>
                  Results
                </Link>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Finished with questions left is not "Completed": say so, and that they can still be answered. */
function sessionState(s: { status: string; answered_count: number; question_count: number }): string {
  if (s.status === "completed") {
    return s.answered_count < s.question_count ? "Finished early" : "Completed";
  }
  if (s.status === "abandoned") return "Abandoned";
  return s.answered_count ? "In progress" : "Not started";
}
