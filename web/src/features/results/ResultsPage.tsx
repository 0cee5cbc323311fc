import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";

import { type Feedback, type Interviews, ApiError, api, unwrap } from "../../api/client";
import { Tabs } from "../../components/Tabs";
import { ErrorMessage, Loading, ProgressBar } from "../../components/Status";
import { formatDate, formatSeconds, titleCase } from "../../lib/format";
import { type AnswerStatus, useAnswerStatus } from "../../lib/useAnswerStatus";
import { useOnce } from "../../lib/useOnce";
import { useTitle } from "../../lib/useTitle";
import { Transcript } from "./Transcript";

type Answer = Interviews["AnswerOut"];

type Evidence = Feedback["EvidenceOut"];

export function ResultsPage() {
  const { sessionId = "" } = useParams();
  useTitle("Results");
  const [params, setParams] = useSearchParams();
  const [session, setSession] = useState<Interviews["SessionOut"]>();
  const [error, setError] = useState<unknown>();

  // One subscription for the whole session: each answer's stage on its way to feedback, pushed by the server.
  const { status } = useAnswerStatus(sessionId, session !== undefined);
  const stages = new Map((status?.answers ?? []).map((a) => [a.answer_id, a]));
  const withFeedback = new Set((status?.answers ?? []).filter((a) => a.stage === "ready").map((a) => a.answer_id));
  // The session again when the interviewer asked a follow-up meanwhile (a new question in a thread).
  const decisions = (status?.answers ?? []).map((a) => `${a.answer_id}:${a.follow_up ?? ""}`).join(",");

  useEffect(() => {
    unwrap(api.GET("/api/interviews/sessions/{session_id}", { params: { path: { session_id: sessionId } } }))
      .then(setSession)
      .catch(setError);
  }, [sessionId, decisions]);

  const summary = useOnce(
    () =>
      unwrap(api.GET("/api/feedback/sessions/{session_id}/summary", { params: { path: { session_id: sessionId } } })),
    withFeedback.size > 0,
    [sessionId, withFeedback.size],
  );

  // A link to a follow-up's answer (a notice): its place in the thread, once the page has it.
  const linkedFollowUp = session?.questions.find((q) => q.id === params.get("question") && q.parent_id)?.id;
  useEffect(() => {
    if (linkedFollowUp) document.getElementById(`follow-up-${linkedFollowUp}`)?.scrollIntoView({ block: "start" });
  }, [linkedFollowUp]);

  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <section className="card narrow" aria-labelledby="results-error">
        <h1 id="results-error">{missing ? "Results not found" : "Something went wrong"}</h1>
        <ErrorMessage error={error}>
          {missing ? "These results do not exist, or they belong to someone else." : undefined}
        </ErrorMessage>
        <Link to="/">Back to your sessions</Link>
      </section>
    );
  }
  if (!session) return <Loading />;


  const questions = [...session.questions].sort((a, b) => a.position - b.position || (a.depth ?? 0) - (b.depth ?? 0));
  const mains = questions.filter((q) => !q.parent_id);
  const answered = mains.filter((q) => q.answers.length);
  const chosenSlot = questions.find((q) => q.id === params.get("question"));
  const current = answered.find((q) => q.id === (chosenSlot?.parent_id ?? chosenSlot?.id)) ?? answered[0];
  const thread = questions.filter((q) => q.parent_id && q.parent_id === current?.id);
  // Which main question each answer belongs to (a moment of the summary links to its question).
  const mainOf = new Map(questions.flatMap((q) => q.answers.map((a) => [a.id, q.parent_id ?? q.id] as const)));
  const attempts = [...(current?.answers ?? [])].sort((a, b) => b.attempt - a.attempt);
  const chosen = attempts.find((a) => a.id === params.get("answer")) ?? attempts[0];

  return (
    <section className="stack" aria-labelledby="results-heading">
      <div className="title-row">
        <h1 id="results-heading">Your results</h1>
        <span className="muted">
          {session.from_job_description ? "From a job description" : titleCase(session.role)} ·{" "}
          {formatDate(session.created_at)}
        </span>
      </div>
      {answered.length === 0 ? (
        <p className="card">
          Nothing answered yet. <Link to={`/practice/${sessionId}`}>Answer a question</Link>
        </p>
      ) : (
        <>
          <Tabs
            label="Questions"
            wrap
            value={current?.id ?? ""}
            options={answered.map((q) => ({ value: q.id, label: `Question ${mains.indexOf(q) + 1}` }))}
            onChange={(id) => setParams({ question: id })}
          />
          {current && chosen ? (
            <>
              <div className="card">
                <h2 className="question-text">{current.question.text}</h2>
                <div className="actions">
                  <label className="inline">
                    Attempt{" "}
                    <select
                      aria-label="Attempt"
                      value={chosen.id}
                      onChange={(e) => setParams({ question: current.id, answer: e.target.value })}
                    >
                      {attempts.map((a) => (
                        <option key={a.id} value={a.id}>
                          {a.attempt} · {a.kind === "text" ? "typed" : "recorded"} · {formatDate(a.created_at)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <Link className="button secondary" to={`/practice/${sessionId}?question=${current.id}`}>
                    Answer again
                  </Link>
                </div>
              </div>
              {/* Near the top: what changed since the last attempt is what a second attempt is for. */}
              {attempts.length > 1 && withFeedback.has(chosen.id) ? (
                <Compare
                  after={chosen}
                  before={attempts.find((a) => a.attempt < chosen.attempt && withFeedback.has(a.id)) ?? null}
                />
              ) : null}
              <AnswerResult key={chosen.id} answer={chosen} stage={stages.get(chosen.id)} />
              {thread.length ? (
                <section className="stack thread" aria-label="Follow-up questions">
                  {thread.map((q) => (
                    <FollowUp key={q.id} question={q} stages={stages} sessionId={sessionId} />
                  ))}
                </section>
              ) : null}
            </>
          ) : null}
          {summary.value ? (
            <InterviewSummary
              summary={summary.value}
              onOpen={(answerId) => {
                const slot = mainOf.get(answerId);
                if (!slot) return;
                setParams({ question: slot });
                // The answer is at the top of the page: take the person there, not leave them at the summary.
                document.getElementById("results-heading")?.scrollIntoView({ behavior: "smooth" });
              }}
            />
          ) : null}
        </>
      )}
    </section>
  );
}

type Slot = Interviews["SessionQuestionOut"];

/** One follow-up of the thread: what the interviewer asked, why (from which words of the answer), and the answer. */
function FollowUp({
  question,
  stages,
  sessionId,
}: {
  question: Slot;
  stages: Map<string, AnswerStatus>;
  sessionId: string;
}) {
  const newest = [...question.answers].sort((a, b) => b.attempt - a.attempt)[0];
  return (
    <article className="card stack" aria-label={`Follow-up ${question.depth}`} id={`follow-up-${question.id}`}>
      <h3 className="question-text">Follow-up: {question.prompt}</h3>
      <p className="why">
        Why the interviewer asked: {question.reason}
        {question.evidence?.text ? <> From your answer: “{question.evidence.text}”</> : null}
      </p>
      {newest ? (
        <AnswerResult key={newest.id} answer={newest} stage={stages.get(newest.id)} />
      ) : (
        <p className="muted">
          Not answered. <Link to={`/practice/${sessionId}?question=${question.id}`}>Answer it now</Link>
        </p>
      )}
    </article>
  );
}

type Summary = Feedback["InterviewSummary"];

/** The whole interview: per competency, the strongest moments, what to work on first, and the trend. */
function InterviewSummary({ summary, onOpen }: { summary: Summary; onOpen: (answerId: string) => void }) {
  const c = summary.compared;
  const moment = (m: Summary["strengths"][number]) => (
    <li key={`${m.answer_id}-${m.code}`}>
      {m.message} {m.quote ? <q>{m.quote}</q> : null}{" "}
      <button type="button" className="link" onClick={() => onOpen(m.answer_id)}>
        See the answer
      </button>
    </li>
  );
  return (
    <section className="card stack" aria-labelledby="summary-heading">
      <h2 id="summary-heading">The whole interview</h2>
      <p>
        Interview score <strong>{Math.round(summary.overall)}</strong> (the mean of {summary.answers} answer
        {summary.answers === 1 ? "" : "s"}
        {summary.follow_ups ? `, ${summary.follow_ups} of them to follow-up questions` : ""}).{" "}
        {c.earlier === null || c.earlier === undefined
          ? "Your first interview: the next ones are compared with it."
          : `Your earlier ${c.earlier_interviews} interview${c.earlier_interviews === 1 ? "" : "s"} averaged ${Math.round(c.earlier)} (${(c.delta ?? 0) >= 0 ? "+" : ""}${Math.round(c.delta ?? 0)} now).`}
      </p>
      <table className="table">
        <caption className="muted small">By competency (the answers whose question asks for it)</caption>
        <thead>
          <tr>
            <th scope="col">Competency</th>
            <th scope="col">Score</th>
            <th scope="col">Answers</th>
          </tr>
        </thead>
        <tbody>
          {summary.competencies.map((row) => (
            <tr key={row.competency}>
              <td>{titleCase(row.competency)}</td>
              <td>{Math.round(row.score)}</td>
              <td>{row.answers.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="grid-2">
        <div>
          <h3>Your strongest moments</h3>
          {summary.strengths.length ? (
            <ol>{summary.strengths.map(moment)}</ol>
          ) : (
            <p className="muted">None stood out yet: the points to work on come first.</p>
          )}
        </div>
        <div>
          <h3>Work on these first</h3>
          <ol>{summary.work_on.map(moment)}</ol>
        </div>
      </div>
    </section>
  );
}

const STAGE_LABELS: Record<string, string> = {
  awaiting_recording: "Waiting for your recording",
  uploading: "Uploading your recording",
  checking: "Checking your recording",
  transcribing: "Transcribing your answer",
  analysing: "Preparing your feedback",
};
// The recording is stored and playable from the moment transcription starts.
const PLAYABLE = new Set(["transcribing", "analysing", "ready"]);

function AnswerResult({ answer, stage }: { answer: Answer; stage?: AnswerStatus }) {
  const player = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  const [highlight, setHighlight] = useState<{ first: number; last: number } | null>(null);
  const [playback, setPlayback] = useState<string | null>(null);
  const current = stage?.stage ?? answer.stage;

  // Each is read once, when the pushed status says it is there: no loops against other services.
  const feedback = useOnce(
    () => unwrap(api.GET("/api/feedback/answers/{answer_id}", { params: { path: { answer_id: answer.id } } })),
    current === "ready",
    [answer.id],
  );
  const recording = useOnce(
    async () =>
      (await unwrap(api.GET("/api/media/recordings", { params: { query: { answer_id: answer.id } } })))[0] ?? null,
    answer.kind === "recording" && PLAYABLE.has(current),
    [answer.id],
  );
  const recordingStatus = recording.value?.status;

  const [playbackTick, setPlaybackTick] = useState(0);
  useEffect(() => {
    const r = recording.value;
    if (!r || r.status !== "ready") return;
    unwrap(api.GET("/api/media/recordings/{recording_id}/playback", { params: { path: { recording_id: r.id } } }))
      .then((p) => setPlayback(p.url))
      .catch(() => setPlayback(null));
  }, [recording.value, playbackTick]);
  // Signed playback links expire (minutes): a video that fails to load asks for a fresh one, once per failure.
  const renewPlayback = () => setPlaybackTick((t) => t + 1);

  const seek = (seconds: number) => {
    if (!player.current) return;
    player.current.currentTime = seconds;
    // "Show the moment" is clicked below the video: bring it into view (only when it is not) as it plays.
    player.current.scrollIntoView({ block: "nearest", behavior: "smooth" });
    void player.current.play().catch(() => undefined);
  };
  const showEvidence = (evidence: Evidence | undefined) => {
    if (!evidence) return;
    setHighlight(evidence.first >= 0 ? { first: evidence.first, last: evidence.last } : null);
    if (evidence.start_s !== null && evidence.start_s !== undefined) seek(evidence.start_s);
  };

  const report = feedback.value;
  const delivery = (report?.metrics as { delivery?: Record<string, unknown> } | undefined)?.delivery;
  const pauses = useMemo(
    () => ((delivery?.pauses as Evidence[] | undefined) ?? []).map((p) => ({ start_s: p.start_s ?? 0, end_s: p.end_s ?? 0 })),
    [delivery],
  );

  const rejected = current === "rejected" || current === "failed" || recording.value?.status === "rejected";
  if (rejected || recording.value?.status === "expired") {
    return (
      <div className="card notice" role="alert">
        <h2>This recording could not be used</h2>
        <p>
          {stage?.reason ??
            answer.rejection_reason ??
            recording.value?.rejection_reason ??
            (rejected ? "The file was not a playable recording." : "The upload was never finished.")}{" "}
          Answer the question again to get feedback.
        </p>
      </div>
    );
  }

  return (
    <div className="results-grid">
      <div className="card stack">
        {answer.kind === "recording" ? (
          playback ? (
            <video
              ref={player}
              className="camera"
              src={playback}
              controls
              playsInline
              aria-label="Your recorded answer"
              onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
              onError={renewPlayback}
            />
          ) : recordingStatus === "purged" ? (
            <p className="muted">This recording was deleted as you asked (your retention setting).</p>
          ) : (
            <ProgressBar
              value={PLAYABLE.has(current) ? 1 : 0.5}
              label={PLAYABLE.has(current) ? "Loading your recording" : STAGE_LABELS[current] ?? "Checking your recording"}
            />
          )
        ) : null}
        <h2>Transcript</h2>
        {report?.status === "ready" ? (
          <>
            <Transcript
              words={report.words}
              fillers={new Set(report.filler_indexes)}
              pauses={pauses}
              time={time}
              highlight={highlight}
              onSeek={answer.kind === "recording" ? seek : undefined}
            />
            <p className="legend muted small">
              <span className="word filler">filler</span> <span className="pause">pause</span>{" "}
              {answer.kind === "recording" ? "Click a word to hear that moment." : null}
            </p>
          </>
        ) : answer.kind === "recording" ? (
          <ProgressBar
            value={current === "transcribing" ? stage?.share ?? 0 : current === "analysing" ? 1 : 0}
            label={STAGE_LABELS[current] ?? "Waiting for your recording to be processed"}
          />
        ) : (
          <p className="muted">{answer.text}</p>
        )}
      </div>
      <div className="card stack">
        <h2>Feedback</h2>
        {report?.status !== "ready" ? (
          <p className="muted" role="status">
            {STAGE_LABELS[current] ?? "Your feedback is being prepared"}. This page updates by itself.
          </p>
        ) : (
          <FeedbackView report={report} delivery={delivery} onEvidence={showEvidence} />
        )}
        <ErrorMessage error={feedback.error && !report ? feedback.error : undefined} />
      </div>
    </div>
  );
}

function scoreClass(value: number): string {
  return value >= 70 ? "good" : value >= 45 ? "fair" : "weak";
}

function FeedbackView({
  report,
  delivery,
  onEvidence,
}: {
  report: Feedback["FeedbackOut"];
  delivery?: Record<string, unknown>;
  onEvidence: (e: Evidence | undefined) => void;
}) {
  const num = (key: string) => (typeof delivery?.[key] === "number" ? (delivery[key] as number) : null);
  return (
    <div className="stack">
      <div className="overall">
        <span className={`overall-score ${scoreClass(report.overall_score ?? 0)}`}>
          {Math.round(report.overall_score ?? 0)}
        </span>
        <span>overall, out of 100</span>
      </div>
      <dl className="figures">
        <div>
          <dt>Pace</dt>
          <dd>{num("wpm_speaking") !== null ? `${Math.round(num("wpm_speaking")!)} words/min` : "–"}</dd>
        </div>
        <div>
          <dt>Fillers</dt>
          <dd>{num("fillers_per_minute") !== null ? `${num("fillers_per_minute")!.toFixed(1)} / min` : `${report.filler_indexes.length}`}</dd>
        </div>
        <div>
          <dt>Longest pause</dt>
          <dd>{num("longest_pause_s") !== null ? `${num("longest_pause_s")!.toFixed(1)} s` : "–"}</dd>
        </div>
      </dl>
      <h3>Scores</h3>
      <ul className="scores">
        {report.scores.map((s) => (
          <li key={s.name}>
            <button
              type="button"
              className="score"
              onClick={() => onEvidence(s.evidence[0])}
              disabled={!s.evidence.length}
            >
              <span className="score-label">{s.label}</span>
              <span className="score-bar" aria-hidden="true">
                <span className={`score-fill ${scoreClass(s.value)}`} style={{ width: `${s.value}%` }} />
              </span>
              <span className="score-value">{s.value}</span>
              <span className="visually-hidden"> out of 100.{s.evidence.length ? " Show the moment." : ""}</span>
            </button>
            <p className="muted small">{s.explanation}</p>
          </li>
        ))}
      </ul>
      {report.remarks.length ? (
        <>
          <h3>What we noticed</h3>
          <ul className="remarks">
            {report.remarks.map((r, i) => (
              <li key={i} className={r.tone === "strength" ? "strength" : "improve"}>
                <span className="tone">{r.tone === "strength" ? "Strength" : "To improve"}</span> {r.message}
                {r.evidence.map((e, j) => (
                  <button key={j} type="button" className="link small" onClick={() => onEvidence(e)}>
                    {e.start_s !== null && e.start_s !== undefined ? formatSeconds(e.start_s) : "see"}: “{e.text}”
                  </button>
                ))}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {report.coaching ? (
        <section aria-labelledby="coach-heading" className="coaching">
          <h3 id="coach-heading">Your coach says</h3>
          <p>{report.coaching.summary}</p>
          {report.coaching.strengths.length ? (
            <>
              <h4>Keep doing</h4>
              <ul>
                {report.coaching.strengths.map((s, i) => (
                  <li key={i}>{s}</li>
                ))}
              </ul>
            </>
          ) : null}
          {report.coaching.improvements.length ? (
            <>
              <h4>Try next time</h4>
              <ul>
                {report.coaching.improvements.map((s, i) => (
                  <li key={i}>
                    <strong>{s.point}</strong> {s.suggestion}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <p>
            <strong>Next step:</strong> {report.coaching.next_step}
          </p>
        </section>
      ) : null}
    </div>
  );
}

function Compare({ after, before }: { after: Answer; before: Answer | null }) {
  const [comparison, setComparison] = useState<Feedback["Comparison"]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!before) return;
    unwrap(
      api.GET("/api/feedback/answers/{answer_id}/compare/{other_answer_id}", {
        params: { path: { answer_id: after.id, other_answer_id: before.id } },
      }),
    )
      .then(setComparison)
      .catch(setError);
  }, [after.id, before?.id]);
  if (!before || !comparison) return error ? <ErrorMessage error={error} /> : null;
  return (
    <section className="card" aria-labelledby="compare-heading">
      <h2 id="compare-heading">
        Attempt {after.attempt} compared with attempt {before.attempt}
      </h2>
      <p>{comparison.summary}</p>
      <details className="data-table">
        <summary>Every score</summary>
        <table className="table">
          <caption className="muted small">
            A change within a score&apos;s noise (how far it moves when the same answer is recorded again) counts as
            the same.
          </caption>
          <thead>
            <tr>
              <th scope="col">Score</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {comparison.scores.map((s) => (
              <tr key={s.name}>
                <th scope="row">{s.label}</th>
                <td>{s.before}</td>
                <td>{s.after}</td>
                <td className={s.verdict === "improved" ? "up" : s.verdict === "worse" ? "down" : "muted"}>
                  {s.verdict === "same" ? `same (${s.delta > 0 ? "+" : ""}${s.delta}, noise ±${s.noise})` : null}
                  {s.verdict !== "same" ? `${s.delta > 0 ? "+" : ""}${s.delta}` : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
