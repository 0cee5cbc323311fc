import { useEffect, useState } from "react";
import { Link, Navigate, useNavigate, useParams } from "react-router-dom";

import { ApiError, api, unwrap } from "../../api/client";
import { ErrorMessage, Loading } from "../../components/Status";
import { useTitle } from "../../lib/useTitle";

/**
 * `/answers/{id}`: where a notice about an answer's feedback points (inbox, e-mail, push). The answer's results are
 * a place in its session's results page, which only the interviews service knows: ask it, then go there. Also
 * serves `/results/{id}`, the address older notices carry.
 */
export function AnswerLink() {
  useTitle("Opening your results");
  const { answerId = "" } = useParams();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    // Only an id goes into the request's path (a crafted "%2E%2E" must not walk to another endpoint).
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(answerId)) {
      setError(new ApiError(404, "answer_not_found", "No such answer."));
      return;
    }
    unwrap(api.GET("/api/interviews/sessions/answers/{answer_id}", { params: { path: { answer_id: answerId } } }))
      .then((answer) => {
        const where = new URLSearchParams({ question: answer.session_question_id, answer: answer.id });
        navigate(`/sessions/${answer.session_id}?${where.toString()}`, { replace: true });
      })
      .catch(setError);
  }, [answerId, navigate]);
  if (!error) return <Loading />;
  const missing = error instanceof ApiError && (error.status === 404 || error.status === 422);
  return (
    <section className="card narrow" aria-labelledby="answer-link-heading">
      <h1 id="answer-link-heading">{missing ? "This answer is gone" : "Something went wrong"}</h1>
      <ErrorMessage error={error}>
        {missing ? "It was deleted, or it belongs to someone else." : undefined}
      </ErrorMessage>
      <Link to="/">Back to your sessions</Link>
    </section>
  );
}

/** `/settings/privacy/exports/{id}` (older export notices): the export in the settings page. */
export function ExportLink() {
  const { exportId = "" } = useParams();
  return <Navigate to={`/settings?export=${encodeURIComponent(exportId)}`} replace />;
}
