import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";

import { type Avatar, type Feedback, type Interviews, ApiError, api, unwrap } from "../../api/client";
import { Tabs } from "../../components/Tabs";
import { ErrorMessage, Loading, ProgressBar } from "../../components/Status";
import { formatBytes, formatSeconds, titleCase } from "../../lib/format";
import { usePoll } from "../../lib/usePoll";
import { type UploadState, uploadRecording } from "./upload";
import { useOnce } from "../../lib/useOnce";
import { useTitle } from "../../lib/useTitle";
import { useLevel } from "./useLevel";
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
  // Where the camera's live picture goes: the corner of the stage (RecordAnswer renders it there).
  const [selfView, setSelfView] = useState<HTMLDivElement | null>(null);
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
      {/* A video call: the interviewer large, your camera small in the corner, the question and the controls beside
          (below on a phone). At a 757 px laptop window nothing needed while answering is out of view. */}
      <div className="call">
        <div className="stage">
          <Interviewer question={current} videos={videos.value} personaId={session.interviewer ?? undefined} />
          <div className="self-view" ref={setSelfView} />
        </div>
        <div className="card call-side">
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
            selfView={selfView}
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

/** The interviewer asks: a rendered video when the avatar service has one (captions on), otherwise its voice over
 * the persona's picture, otherwise the persona's picture with the question as a caption and the browser's voice on
 * request. Never an empty box: the words are on screen from the first moment. */
function Interviewer({
  question,
  videos,
  personaId,
}: {
  question: Question;
  videos?: Avatar["SessionVideos"];
  personaId?: string;
}) {
  const clip = videos?.clips.find((c) =>
    question.parent_id
      ? c.kind === "follow_up" && c.session_question_id === question.id
      : c.kind === "question" && c.question_id === question.question.id,
  );
  const mediaRef = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  const [blocked, setBlocked] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [captions, setCaptions] = useState(true);
  const ready = Boolean(clip?.status === "ready" && (clip.webm_url || clip.mp4_url || clip.audio_webm_url));
  const text = question.prompt ?? question.question.text;
  // No player controls on the stage, so its own: pause what plays (WCAG 1.4.2), captions on or off.
  const pause = () => mediaRef.current?.pause();
  const toggleCaptions = () => {
    const track = mediaRef.current?.textTracks?.[0];
    if (track) track.mode = captions ? "hidden" : "showing";
    setCaptions(!captions);
  };
  // The persona's picture (a frame of its greeting clip), for whenever its video is not there (yet).
  const personas = useOnce(() => unwrap(api.GET("/api/avatar/personas")), true, []);
  const persona =
    personas.value?.find((p) => p.id === (personaId ?? videos?.persona?.id)) ?? personas.value?.find((p) => p.default);
  const still = persona?.preview?.mp4_url ?? persona?.preview?.webm_url;

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
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  };
  const replay = () => {
    const element = mediaRef.current;
    if (!element) return speak();
    element.currentTime = 0;
    void element.play().catch(() => setBlocked(true));
  };
  const name = videos?.persona ? `${videos.persona.name}, ${videos.persona.title}` : persona ? `${persona.name}, ${persona.title}` : "Your interviewer";

  return (
    <figure className="interviewer">
      {ready && clip?.media === "video" ? (
        <video
          key={question.id}
          ref={mediaRef}
          playsInline
          preload="auto"
          aria-label="The interviewer asks the question"
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onEnded={() => setPlaying(false)}
        >
          {clip.webm_url ? <source src={clip.webm_url} type="video/webm" /> : null}
          {clip.mp4_url ? <source src={clip.mp4_url} type="video/mp4" /> : null}
          {clip.captions_url ? <track kind="captions" src={clip.captions_url} srcLang="en" label="English" default /> : null}
        </video>
      ) : (
        <>
          {still ? (
            <video className="still" src={`${still}#t=1`} muted playsInline preload="metadata" aria-hidden="true" tabIndex={-1} />
          ) : (
            <div className="still" aria-hidden="true" />
          )}
          {ready ? (
            <audio
              key={question.id}
              ref={mediaRef}
              preload="auto"
              aria-label="The interviewer asks the question"
              onPlay={() => setPlaying(true)}
              onPause={() => setPlaying(false)}
              onEnded={() => setPlaying(false)}
            >
              {clip?.audio_webm_url ? <source src={clip.audio_webm_url} type="audio/webm" /> : null}
              {clip?.audio_m4a_url ? <source src={clip.audio_m4a_url} type="audio/mp4" /> : null}
            </audio>
          ) : null}
          <p className="caption" aria-hidden="true">
            {text}
          </p>
        </>
      )}
      <figcaption className="stage-name">{name}</figcaption>
      <div className="stage-controls">
        {!ready && videos && videos.total > 0 && videos.ready < videos.total ? (
          <ProgressBar value={videos.ready} max={videos.total} label="Preparing your interviewer" />
        ) : null}
        {blocked ? (
          <button type="button" onClick={() => void mediaRef.current?.play()}>
            Play the question
          </button>
        ) : playing ? (
          <button type="button" className="secondary" onClick={pause}>
            Pause
          </button>
        ) : (
          <button type="button" className="secondary" onClick={ready ? replay : speak}>
            {ready ? "Replay the question" : "Read the question aloud"}
          </button>
        )}
        {ready && clip?.media === "video" && clip.captions_url ? (
          <button type="button" className="secondary" aria-pressed={captions} onClick={toggleCaptions}>
            Captions
          </button>
        ) : null}
      </div>
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

  // The page re-renders often (the clips' poll, the pushed status): the beat before moving on must survive that.
  // Marking the follow-up as seen only when the move happens, and keying the effect on what decides it (not on a
  // callback that is new at every render), stopped the timer from being cleared and never set again (seen in CI
  // while the interviewer's clips were still rendering).
  const moveTo = useRef(onFollowUp);
  moveTo.current = onFollowUp;
  const target = followUp && newest?.follow_up === "asked" ? followUp : undefined;
  useEffect(() => {
    if (!target || seen.current === target.id) return;
    // A beat after the "sent" note, as a person would pause before asking.
    const timer = window.setTimeout(() => {
      seen.current = target.id;
      moveTo.current(target);
    }, 1200);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [target?.id]);

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
  selfView,
  mode,
  onMode: setMode,
  onAnswered,
}: {
  sessionId: string;
  question: Question;
  recorder: Recorder;
  selfView: HTMLElement | null;
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
          selfView={selfView}
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
  selfView,
  onAnswered,
  onType,
}: {
  sessionId: string;
  question: Question;
  recorder: Recorder;
  selfView: HTMLElement | null;
  onAnswered: () => void;
  onType: () => void;
}) {
  const preview = useRef<HTMLVideoElement>(null);
  const [upload, setUpload] = useState<UploadState | null>(null);
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState(false);
  const handle = useRef<{ abort: () => void; retry: () => void } | null>(null);
  const reviewUrl = useMemo(() => (recorder.blob ? URL.createObjectURL(recorder.blob) : null), [recorder.blob]);
  const { discard, start } = recorder;
  const level = useLevel(recorder.stream);
  const [countdown, setCountdown] = useState<number | null>(null);
  useEffect(() => {
    if (countdown === null) return;
    if (countdown === 0) {
      setCountdown(null);
      start();
      return;
    }
    const timer = window.setTimeout(() => setCountdown(countdown - 1), 1000);
    return () => window.clearTimeout(timer);
  }, [countdown, start]);

  // A new question starts without the previous question's recording.
  useEffect(() => discard(), [discard, question.id]);
  useEffect(() => {
    if (preview.current && recorder.stream) preview.current.srcObject = recorder.stream;
  }, [recorder.stream, reviewUrl, selfView]);
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
  const reviewing = Boolean(reviewUrl && !recorder.recording);
  const begin = () => {
    // Three seconds to look up and breathe, as before a real answer; the camera's picture shows the count.
    setCountdown(3);
  };
  return (
    <div className="stack">
      {/* Your camera, live, small in the corner of the stage (and the microphone's level under it). */}
      {selfView && !reviewing
        ? createPortal(
            <>
              <video className="camera mirror" ref={preview} autoPlay muted playsInline aria-label="Your camera" />
              {countdown !== null ? (
                <span className="countdown" aria-hidden="true">
                  {countdown}
                </span>
              ) : null}
              <LevelMeter level={level.level} />
            </>,
            selfView,
          )
        : null}
      {countdown !== null ? (
        <p className="muted" role="status">
          Recording starts in {countdown}…
        </p>
      ) : null}
      {!recorder.recording && !recorder.blob && countdown === null ? (
        <p
          className={level.everHeard ? "ok small" : level.silentFor > 3 ? "notice small" : "muted small"}
          role="status"
        >
          {/* Once heard, a thinking pause is not a broken microphone: the warning is for one never heard. */}
          {level.everHeard
            ? "We can hear you."
            : level.silentFor > 3
              ? "We cannot hear you: check that your microphone is on and not muted, or choose another in the browser's site settings."
              : "Say something to test your microphone."}
        </p>
      ) : null}
      {!recorder.recording && !recorder.blob && countdown === null ? <FramingGuide video={preview} /> : null}
      {reviewing && reviewUrl ? (
        <div className="review">
          {/* #t: the first frame shows instead of a black box; the length is the recorder's own (a recorded WebM
              does not say how long it is until it has played). */}
          <video className="camera" src={`${reviewUrl}#t=0.1`} controls playsInline preload="auto" aria-label="Your recorded answer" />
          <p className="muted small">Your answer, {formatSeconds(recorder.elapsed)} long. Watch it, then use it or record again.</p>
        </div>
      ) : null}
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
          ) : countdown !== null ? (
            <button type="button" className="secondary" onClick={() => setCountdown(null)}>
              Cancel
            </button>
          ) : (
            <button type="button" onClick={begin}>
              Start recording
            </button>
          )}
        </div>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}

type Framing = Feedback["FramingOut"];

/**
 * Before answering: is your face in the picture, centred, at a good distance, facing the camera and lit? A frame of
 * the camera every few seconds, checked by the feedback service with the very detector and limits the answer's
 * feedback uses (nothing is stored). Once it is right it says so and stops asking.
 */
function FramingGuide({ video }: { video: React.RefObject<HTMLVideoElement | null> }) {
  // Asked for, not automatic: the policy promises the camera is used while you record; this check sends one still
  // frame at a time, on request, and keeps none.
  const [checking, setChecking] = useState(false);
  const [framing, setFraming] = useState<Framing>();
  useEffect(() => {
    if (!checking || framing?.ok) return;
    let cancelled = false;
    let busy = false;
    let tries = 0;
    const check = async () => {
      const element = video.current;
      if (busy || !element || element.videoWidth === 0) return;
      if (++tries > 24) return setChecking(false); // a minute of trying: the person has the advice by now
      busy = true;
      try {
        // At most 1280 pixels wide: what the check needs, and under the service's limits for any camera.
        const scale = Math.min(1, 1280 / element.videoWidth);
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(element.videoWidth * scale);
        canvas.height = Math.round(element.videoHeight * scale);
        canvas.getContext("2d")?.drawImage(element, 0, 0, canvas.width, canvas.height);
        const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
        if (!blob || cancelled) return;
        const result = await unwrap(
          api.POST("/api/feedback/framing", {
            body: blob as never,
            bodySerializer: (body: unknown) => body as Blob,
            headers: { "Content-Type": "image/jpeg" },
          }),
        );
        if (!cancelled) setFraming(result);
      } catch {
        // The guide is a help, not a gate: a failed check leaves the last answer on screen.
      } finally {
        busy = false;
      }
    };
    const first = window.setTimeout(() => void check(), 300);
    const timer = window.setInterval(() => void check(), 2500);
    return () => {
      cancelled = true;
      window.clearTimeout(first);
      window.clearInterval(timer);
    };
  }, [checking, framing?.ok, video]);
  if (!checking && !framing) {
    return (
      <p className="small">
        <button type="button" className="link" onClick={() => setChecking(true)}>
          Check how I appear on camera
        </button>{" "}
        <span className="muted">(a still frame at a time is checked as your answer&apos;s video will be; none is kept)</span>
      </p>
    );
  }
  if (!framing) return <p className="muted small">Checking how you appear on camera…</p>;
  const item = (good: boolean, text: string) => (
    <li className={good ? "good" : "bad"}>
      <span aria-hidden="true">{good ? "✓" : "✗"}</span> {text}
    </li>
  );
  return (
    <div className="framing" role="status" aria-label="How you appear on camera">
      <ul className="plain checks">
        {item(framing.face, "Your face is in the picture")}
        {framing.face ? item(framing.centred && framing.distance === "ok", "Centred, at a good distance") : null}
        {framing.face ? item(framing.lit, "Your face is well lit") : null}
      </ul>
      {framing.advice.length ? <p className="small">{framing.advice[0]}</p> : null}
    </div>
  );
}

/** The microphone's level, as a bar: it moves when you speak. */
function LevelMeter({ level }: { level: number }) {
  const percent = Math.round(level * 100);
  return (
    <div className="level" role="meter" aria-label="Microphone level" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="level-fill" style={{ width: `${percent}%` }} />
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
