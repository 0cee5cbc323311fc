import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";

import { type Avatar, type Interviews, ApiError, api, unwrap } from "../../api/client";
import { Tabs } from "../../components/Tabs";
import { ErrorMessage, Loading, ProgressBar } from "../../components/Status";
import { formatBytes, formatSeconds, titleCase } from "../../lib/format";
import { usePoll } from "../../lib/usePoll";
import { type UploadState, uploadRecording } from "./upload";
import { useTitle } from "../../lib/useTitle";
import { type CameraProblem, useRecorder } from "./useRecorder";

type Question = Interviews["SessionQuestionOut"];

export function PracticePage() {
  const { sessionId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const [session, setSession] = useState<Interviews["SessionOut"]>();
  const [error, setError] = useState<unknown>();
  // One camera for the whole interview: turned on once, not again for every question.
  const recorder = useRecorder();
  // How the person answers (camera or typing) stays as they chose it from one question to the next.
  const [mode, setMode] = useState<AnswerMode>("record");
  useTitle("Practice interview");

  const load = useCallback(async () => {
    try {
      let loaded = await unwrap(
        api.GET("/api/interviews/sessions/{session_id}", { params: { path: { session_id: sessionId } } }),
      );
      if (loaded.status === "created") {
        loaded = await unwrap(
          api.POST("/api/interviews/sessions/{session_id}/start", { params: { path: { session_id: sessionId } } }),
        );
      }
      setSession(loaded);
    } catch (e) {
      setError(e);
    }
  }, [sessionId]);
  useEffect(() => void load(), [load]);

  // Until every clip is rendered; nothing planned after a minute means no interviewer video (voice and text then).
  const opened = useRef(Date.now());
  const videos = usePoll(
    () =>
      unwrap(api.GET("/api/avatar/sessions/{session_id}/videos", { params: { path: { session_id: sessionId } } })),
    (v) => (v.total > 0 && v.ready >= v.total) || (v.total === 0 && Date.now() - opened.current > 60_000),
    3000,
    [sessionId],
  );

  // Main questions in order, each followed by the interviewer's follow-ups on it (same position, one level deeper).
  const questions = useMemo(
    () => [...(session?.questions ?? [])].sort((a, b) => a.position - b.position || (a.depth ?? 0) - (b.depth ?? 0)),
    [session],
  );
  const mains = questions.filter((q) => !q.parent_id);
  const chosen = params.get("question");
  const current =
    questions.find((q) => q.id === chosen) ?? questions.find((q) => q.answers.length === 0) ?? questions.at(-1);

  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <section className="card narrow">
        <h1>{missing ? "Session not found" : "Something went wrong"}</h1>
        <ErrorMessage error={error}>
          {missing ? "This practice session does not exist, or it is not yours." : undefined}
        </ErrorMessage>
        <Link to="/practice">Start a new session</Link>
      </section>
    );
  }
  if (!session || !current) return <Loading label="Preparing your interview…" />;

  const index = questions.indexOf(current);
  const main = mains.find((q) => q.id === (current.parent_id ?? current.id));
  const mainNumber = main ? mains.indexOf(main) + 1 : index + 1;
  const answeredAll = mains.every((q) => q.answers.length > 0);
  const finish = async () => {
    try {
      if (session.status !== "completed") {
        await unwrap(
          api.POST("/api/interviews/sessions/{session_id}/complete", { params: { path: { session_id: sessionId } } }),
        );
      }
      navigate(`/sessions/${sessionId}`);
    } catch (e) {
      setError(e);
    }
  };
  const goTo = (question: Question | undefined) => {
    if (question) setParams({ question: question.id });
  };

  return (
    <section className="stack" aria-labelledby="question-heading">
      {session.inferred && session.answered_count === 0 ? <ReadAs session={session} /> : null}
      <nav aria-label="Questions" className="steps-row">
        {questions.map((q) => {
          const n = mains.indexOf(mains.find((m) => m.id === (q.parent_id ?? q.id)) ?? q) + 1;
          const name = q.parent_id ? `Question ${n}, follow-up ${q.depth}` : `Question ${n}`;
          return (
            <button
              key={q.id}
              type="button"
              className={`step ${q.parent_id ? "follow-up" : ""} ${q.id === current.id ? "active" : ""} ${q.answers.length ? "answered" : ""}`}
              aria-current={q.id === current.id ? "step" : undefined}
              aria-label={`${name}${q.answers.length ? ", answered" : ""}`}
              onClick={() => goTo(q)}
            >
              {q.parent_id ? `${n}${String.fromCharCode(96 + (q.depth ?? 1))}` : n}
            </button>
          );
        })}
      </nav>
      <div className="practice-grid">
        <Interviewer question={current} videos={videos.value} />
        <div className="card">
          <p className="muted small">
            {current.parent_id
              ? `Follow-up to question ${mainNumber} of ${mains.length} · answer it in a sentence or two`
              : `Question ${mainNumber} of ${mains.length} · ${titleCase(current.question.type)} · ${titleCase(current.question.difficulty)} · aim for about ${formatSeconds(current.question.suggested_seconds)}`}
          </p>
          <h1 id="question-heading" className="question-text">
            {current.prompt ?? current.question.text}
          </h1>
          {current.answers.length ? (
            <p className="ok">
              Answered ({current.answers.length} attempt{current.answers.length > 1 ? "s" : ""}).{" "}
              <Link to={`/sessions/${sessionId}?question=${current.id}`}>See the feedback</Link> or answer again
              below.
            </p>
          ) : null}
          <Answer
            key={current.id}
            sessionId={sessionId}
            question={current}
            recorder={recorder}
            mode={mode}
            onMode={setMode}
            onAnswered={() => {
              // Stay on this question (its "uploaded"/"sent" note stays visible); "Next question" moves on, or the
              // interviewer's follow-up does when it comes (ListeningNote).
              setParams({ question: current.id }, { replace: true });
              void load();
            }}
          />
          <ListeningNote
            key={`listening-${current.id}`}
            question={current}
            questions={questions}
            interviewer={videos.value?.persona?.name ?? "The interviewer"}
            reload={load}
            onFollowUp={(followUp) => {
              setParams({ question: followUp.id }, { replace: true });
              videos.reload();
            }}
          />
        </div>
      </div>
      <div className="actions spread">
        <button type="button" className="secondary" disabled={index === 0} onClick={() => goTo(questions[index - 1])}>
          Previous question
        </button>
        {index < questions.length - 1 ? (
          <button type="button" className="secondary" onClick={() => goTo(questions[index + 1])}>
            {current.answers.length ? "Next question" : "Skip this question"}
          </button>
        ) : null}
        <button
          type="button"
          disabled={!questions.some((q) => q.answers.length)}
          className={answeredAll ? "" : "secondary"}
          onClick={() => void finish()}
        >
          Finish and see results
        </button>
      </div>
    </section>
  );
}

/** The interviewer asks: a rendered video when the avatar service has one, otherwise its voice, otherwise the
 * browser reads the question aloud. The words are always on screen too. */
function Interviewer({ question, videos }: { question: Question; videos?: Avatar["SessionVideos"] }) {
  const clip = videos?.clips.find((c) =>
    question.parent_id
      ? c.kind === "follow_up" && c.session_question_id === question.id
      : c.kind === "question" && c.question_id === question.question.id,
  );
  const mediaRef = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  const [blocked, setBlocked] = useState(false);
  const ready = Boolean(clip?.status === "ready" && (clip.webm_url || clip.mp4_url || clip.audio_webm_url));

  // Played once per question, when its clip becomes ready (not again when the poll brings freshly signed URLs).
  useEffect(() => {
    setBlocked(false);
    const element = mediaRef.current;
    if (!element || !ready) return;
    element.play().catch(() => setBlocked(true)); // autoplay with sound refused: offer a button
  }, [ready, question.id]);

  const speak = () => {
    if (!("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(question.prompt ?? question.question.text));
  };

  return (
    <figure className="card interviewer">
      {ready && clip?.media === "video" ? (
        <video
          key={question.id}
          ref={mediaRef}
          controls
          playsInline
          preload="auto"
          aria-label="The interviewer asks the question"
        >
          {clip.webm_url ? <source src={clip.webm_url} type="video/webm" /> : null}
          {clip.mp4_url ? <source src={clip.mp4_url} type="video/mp4" /> : null}
          {clip.captions_url ? <track kind="captions" src={clip.captions_url} srcLang="en" label="English" default /> : null}
        </video>
      ) : ready ? (
        <audio key={question.id} ref={mediaRef} controls preload="auto" aria-label="The interviewer asks the question">
          {clip?.audio_webm_url ? <source src={clip.audio_webm_url} type="audio/webm" /> : null}
          {clip?.audio_m4a_url ? <source src={clip.audio_m4a_url} type="audio/mp4" /> : null}
        </audio>
      ) : (
        <div className="interviewer-placeholder">
          {videos && videos.total > 0 && videos.ready < videos.total ? (
            <ProgressBar value={videos.ready} max={videos.total} label="Preparing your interviewer" />
          ) : null}
          <button type="button" className="secondary" onClick={speak}>
            Read the question aloud
          </button>
        </div>
      )}
      {blocked ? (
        <button type="button" className="secondary" onClick={() => void mediaRef.current?.play()}>
          Play the question
        </button>
      ) : null}
      <figcaption className="muted small">
        {videos?.persona ? `${videos.persona.name}, ${videos.persona.title}` : "Your interviewer"}
      </figcaption>
    </figure>
  );
}

/** While the interviewer decides what to ask next about the newest answer (it waits for that answer's analysis):
 * a note, polling the session; a follow-up, when one is asked, becomes the current question. */
function ListeningNote({
  question,
  questions,
  interviewer,
  reload,
  onFollowUp,
}: {
  question: Question;
  questions: Question[];
  interviewer: string;
  reload: () => Promise<void>;
  onFollowUp: (followUp: Question) => void;
}) {
  const newest = question.answers.reduce<Question["answers"][number] | undefined>(
    (a, b) => (a && a.attempt > b.attempt ? a : b),
    undefined,
  );
  const pending = newest?.follow_up === "pending";
  const followUp = newest ? questions.find((q) => q.from_answer_id === newest.id) : undefined;
  const seen = useRef<string | undefined>(undefined);
  // Which answer this page watched being decided: "no follow-up" is said only for that one, not for old answers.
  const waited = useRef<string | undefined>(undefined);
  if (pending && newest) waited.current = newest.id;

  useEffect(() => {
    if (!pending) return;
    const started = Date.now();
    const timer = window.setInterval(() => {
      // The decision comes with the answer's analysis: seconds for a typed answer, a little more for a recording.
      if (Date.now() - started > 90_000) window.clearInterval(timer);
      else void reload();
    }, 1000);
    return () => window.clearInterval(timer);
  }, [pending, reload]);

  useEffect(() => {
    if (followUp && newest?.follow_up === "asked" && seen.current !== followUp.id) {
      seen.current = followUp.id;
      // A beat after the "sent" note, as a person would pause before asking.
      const timer = window.setTimeout(() => onFollowUp(followUp), 1200);
      return () => window.clearTimeout(timer);
    }
  }, [followUp, newest, onFollowUp]);

  if (!pending) {
    return newest && newest.follow_up === "none" && waited.current === newest.id ? (
      <p className="muted" role="status">
        No follow-up on this one: go on to the next question when you are ready.
      </p>
    ) : null;
  }
  return (
    <p className="listening" role="status">
      <span className="dots" aria-hidden="true" /> {interviewer} is listening to your answer and may ask a follow-up…
    </p>
  );
}

type Recorder = ReturnType<typeof useRecorder>;
type AnswerMode = "record" | "type";

function Answer({
  sessionId,
  question,
  recorder,
  mode,
  onMode: setMode,
  onAnswered,
}: {
  sessionId: string;
  question: Question;
  recorder: Recorder;
  mode: AnswerMode;
  onMode: (mode: AnswerMode) => void;
  onAnswered: () => void;
}) {
  return (
    <div className="stack">
      <Tabs
        label="Answer by"
        value={mode}
        options={[
          { value: "record", label: "Record on camera" },
          { value: "type", label: "Type my answer" },
        ]}
        onChange={setMode}
      />
      {mode === "record" ? (
        <RecordAnswer
          sessionId={sessionId}
          question={question}
          recorder={recorder}
          onAnswered={onAnswered}
          onType={() => setMode("type")}
        />
      ) : (
        <TypeAnswer sessionId={sessionId} question={question} onAnswered={onAnswered} />
      )}
    </div>
  );
}

function TypeAnswer({ sessionId, question, onAnswered }: { sessionId: string; question: Question; onAnswered: () => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const submit = async () => {
    setBusy(true);
    setSent(false);
    setError(undefined);
    try {
      await unwrap(
        api.POST("/api/interviews/sessions/{session_id}/questions/{session_question_id}/answers", {
          params: { path: { session_id: sessionId, session_question_id: question.id } },
          body: { kind: "text", text },
        }),
      );
      setText("");
      setSent(true);
      onAnswered();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const words = text.trim() ? text.trim().split(/\s+/).length : 0;
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        Your answer
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={8} required />
      </label>
      <p className="muted small">{words} words</p>
      {sent ? (
        <p className="ok" role="status">
          Sent. Your feedback is being prepared.
        </p>
      ) : null}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" disabled={busy || words === 0}>
          {busy ? "Sending…" : "Submit my answer"}
        </button>
      </div>
    </form>
  );
}

const GUIDANCE: Record<Exclude<CameraProblem, null>, string> = {
  denied:
    "Intervu is not allowed to use your camera or microphone. Click the camera icon in the address bar (or the " +
    "padlock), set Camera and Microphone to Allow, then press Try again. On a phone: Settings → your browser → " +
    "Camera and Microphone.",
  missing: "No camera or microphone was found. Connect one (or check it is switched on), then press Try again.",
  busy: "Your camera or microphone is in use by another application (a video call?). Close it, then press Try again.",
  insecure: "Recording needs a secure (https) connection. Open Intervu at its https:// address.",
  unsupported: "This browser cannot record video here. Try a recent Chrome, Edge, Firefox or Safari, or type your answer.",
};

function RecordAnswer({
  sessionId,
  question,
  recorder,
  onAnswered,
  onType,
}: {
  sessionId: string;
  question: Question;
  recorder: Recorder;
  onAnswered: () => void;
  onType: () => void;
}) {
  const preview = useRef<HTMLVideoElement>(null);
  const [upload, setUpload] = useState<UploadState | null>(null);
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState(false);
  const handle = useRef<{ abort: () => void; retry: () => void } | null>(null);
  const reviewUrl = useMemo(() => (recorder.blob ? URL.createObjectURL(recorder.blob) : null), [recorder.blob]);
  const { discard } = recorder;

  // A new question starts without the previous question's recording.
  useEffect(() => discard(), [discard, question.id]);
  useEffect(() => {
    if (preview.current && recorder.stream) preview.current.srcObject = recorder.stream;
  }, [recorder.stream, reviewUrl]);
  useEffect(() => () => void (reviewUrl && URL.revokeObjectURL(reviewUrl)), [reviewUrl]);
  // Leaving the page while bytes are still going would lose the answer: the browser asks first. (Moving to
  // another question does not stop the upload: it carries on in the background.)
  const uploading = upload !== null && upload.phase !== "done";
  useEffect(() => {
    if (!uploading) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [uploading]);

  const send = async () => {
    if (!recorder.blob || sending) return;
    setSending(true);
    setError(undefined);
    try {
      const answer = await unwrap(
        api.POST("/api/interviews/sessions/{session_id}/questions/{session_question_id}/answers", {
          params: { path: { session_id: sessionId, session_question_id: question.id } },
          body: { kind: "recording" },
        }),
      );
      setUpload({ phase: "uploading", sent: 0, total: recorder.blob.size });
      handle.current = uploadRecording(recorder.blob, { answerId: answer.id, sessionId }, (state) => {
        setUpload(state);
        if (state.phase === "done") onAnswered();
      });
    } catch (e) {
      setError(e);
      setSending(false);
    }
  };

  if (recorder.problem) {
    return (
      <div className="notice" role="alert">
        <h2>Camera or microphone needed</h2>
        <p>{GUIDANCE[recorder.problem]}</p>
        <div className="actions">
          <button type="button" onClick={() => void recorder.enable()}>
            Try again
          </button>
          <button type="button" className="secondary" onClick={onType}>
            Type my answer instead
          </button>
        </div>
      </div>
    );
  }
  if (!recorder.stream) {
    return (
      <div className="stack">
        <p>Intervu will ask your browser for the camera and microphone. Only you will ever see the recording.</p>
        <div className="actions">
          <button type="button" onClick={() => void recorder.enable()}>
            Turn on camera and microphone
          </button>
        </div>
      </div>
    );
  }

  const target = question.question.suggested_seconds;
  return (
    <div className="stack">
      {reviewUrl && !recorder.recording ? (
        <video className="camera" src={reviewUrl} controls playsInline aria-label="Your recorded answer" />
      ) : (
        <video className="camera mirror" ref={preview} autoPlay muted playsInline aria-label="Your camera" />
      )}
      {recorder.recording || recorder.blob ? (
        <div className={`timer ${recorder.elapsed > target ? "over" : ""}`} role="timer" aria-live="off">
          <span className={recorder.recording ? "rec-dot" : ""} aria-hidden="true" />
          {recorder.recording ? "Recording " : "Recorded "}
          <strong>{formatSeconds(recorder.elapsed)}</strong> / {formatSeconds(target)} suggested
          <div className="timer-track" aria-hidden="true">
            <div className="timer-fill" style={{ width: `${Math.min(100, (recorder.elapsed / target) * 100)}%` }} />
          </div>
        </div>
      ) : null}
      {upload ? (
        <UploadProgress
          state={upload}
          onRetry={() => handle.current?.retry()}
          onAgain={() => {
            setUpload(null);
            setSending(false);
            recorder.discard();
          }}
        />
      ) : (
        <div className="actions">
          {recorder.recording ? (
            <button type="button" className="danger" onClick={recorder.stop}>
              Stop recording
            </button>
          ) : recorder.blob ? (
            <>
              <button type="button" disabled={sending} onClick={() => void send()}>
                Use this answer
              </button>
              <button type="button" className="secondary" onClick={recorder.discard}>
                Record again
              </button>
            </>
          ) : (
            <button type="button" onClick={recorder.start}>
              Start recording
            </button>
          )}
        </div>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}

function UploadProgress({
  state,
  onRetry,
  onAgain,
}: {
  state: UploadState;
  onRetry: () => void;
  onAgain: () => void;
}) {
  if (state.phase === "done") {
    return (
      <div className="stack">
        <p className="ok" role="status">
          Uploaded. Your transcript and feedback are being prepared.
        </p>
        <div className="actions">
          <button type="button" className="secondary" onClick={onAgain}>
            Record another attempt
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="stack">
      <ProgressBar value={state.sent} max={state.total} label="Uploading your answer" />
      {/* The byte count changes with every chunk: shown, not announced; a lost connection is announced. */}
      <p className="muted small">
        {formatBytes(state.sent)} of {formatBytes(state.total)}
        <span role="status">
          {state.phase === "reconnecting"
            ? ` · Connection lost: reconnecting (attempt ${state.attempt}). Keep this page open; the upload continues where it stopped.`
            : ""}
        </span>
      </p>
      {state.phase === "failed" ? (
        <div className="notice" role="alert">
          <p>{state.message}</p>
          <button type="button" onClick={onRetry}>
            Retry the upload
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** What a pasted posting was read as, and the way to choose the role instead (before the first answer). */
function ReadAs({ session }: { session: Interviews["SessionOut"] }) {
  const inferred = session.inferred!;
  const navigate = useNavigate();
  const [roles, setRoles] = useState<Interviews["RoleSummary"][]>([]);
  const [role, setRole] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    unwrap(api.GET("/api/interviews/roles"))
      .then((list) => setRoles(list.filter((r) => r.role !== "general" && r.role !== inferred.role)))
      .catch(() => setRoles([]));
  }, [inferred.role]);

  const choose = async () => {
    if (!role || !session.job_description) return;
    setBusy(true);
    setError(undefined);
    try {
      const body: Interviews["SessionCreate"] = {
        job_description: session.job_description,
        role,
        question_count: session.questions.length,
      };
      if (session.interviewer) body.interviewer = session.interviewer as Interviews["SessionCreate"]["interviewer"];
      const replacement = await unwrap(api.POST("/api/interviews/sessions", { body }));
      // The session read the wrong way is set aside, not left open in the history.
      await api.POST("/api/interviews/sessions/{session_id}/abandon", { params: { path: { session_id: session.id } } });
      navigate(`/practice/${replacement.id}`, { replace: true });
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <div className="card read-as" role="status">
      <p>
        We read this posting as <strong>{inferred.label}</strong>
        {inferred.skills.length ? <> · it asks for {inferred.skills.slice(0, 6).join(", ")}</> : null}.
      </p>
      <div className="read-as-fix">
        <label>
          Not right? Choose the role
          <select aria-label="Choose the role" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="">{inferred.label} (as read)</option>
            {[...inferred.alternatives, ...roles.map((r) => r.role).filter((r) => !inferred.alternatives.includes(r))].map(
              (r) => (
                <option key={r} value={r}>
                  {roles.find((x) => x.role === r)?.label ?? titleCase(r)}
                </option>
              ),
            )}
          </select>
        </label>
        <button type="button" onClick={() => void choose()} disabled={!role || busy}>
          {busy ? "Choosing questions…" : "Use this role"}
        </button>
      </div>
      <ErrorMessage error={error} />
    </div>
  );
}
