import { useEffect, useState } from "react";
import Markdown from "react-markdown";
import { useNavigate, useSearchParams } from "react-router-dom";

import { type Accounts, api, unwrap } from "../../api/client";
import { userManager } from "../../lib/auth";
import { ErrorMessage, Loading } from "../../components/Status";
import { safePath } from "../../lib/auth";
import { formatDate } from "../../lib/format";
import { useTitle } from "../../lib/useTitle";
import { Consents } from "../settings/Consents";
import { GoalForm } from "./Goal";

/** First visit (and whenever a new policy version is current): accept the privacy policy, choose consents. */
export function OnboardingPage() {
  const [status, setStatus] = useState<Accounts["PolicyStatus"]>();
  // Whether this person accepted an earlier version when the page opened ("changed" rather than "our policy").
  const [returning, setReturning] = useState(false);
  const [profile, setProfile] = useState<Accounts["Profile"]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safePath(params.get("next") ?? "/practice");
  useTitle("Welcome");

  useEffect(() => {
    unwrap(api.GET("/api/accounts/policy/status"))
      .then((loaded) => {
        setStatus(loaded);
        setReturning(loaded.accepted_version !== null && loaded.accepted_version !== undefined);
      })
      .catch(setError);
    unwrap(api.GET("/api/accounts/me")).then(setProfile).catch(setError);
  }, []);

  const accept = async () => {
    if (!status) return;
    setBusy(true);
    try {
      await unwrap(api.POST("/api/accounts/policy/acceptances", { body: { version: status.current.version } }));
      // The services that process answers read the accepted version from the access token: renew it now, so the
      // next request (a practice session) carries it. A failed renewal is not fatal: the token renews on its own.
      await userManager.signinSilent().catch(() => null);
      setStatus({ ...status, needs_acceptance: false, accepted_version: status.current.version });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!status) return error ? <ErrorMessage error={error} /> : <Loading />;
  return (
    <section className="stack" aria-labelledby="welcome-heading">
      <h1 id="welcome-heading">{profile?.first_name ? `Welcome, ${profile.first_name}` : "Welcome to Intervu"}</h1>
      <ol className="steps">
        <li className={status.needs_acceptance ? "current" : "done"}>
          <h2>{returning ? "Our privacy policy changed" : "Our privacy policy"}</h2>
          <p>
            Version {status.current.version}, published {formatDate(status.current.published_at)}.
            {status.current.summary ? ` What changed: ${status.current.summary}` : ""}
          </p>
          <details>
            <summary>Read the whole policy</summary>
            <div className="markdown policy-text">
              <Markdown>{status.current.markdown}</Markdown>
            </div>
          </details>
          {status.needs_acceptance ? (
            <button type="button" disabled={busy} onClick={() => void accept()}>
              I have read and accept the privacy policy
            </button>
          ) : (
            <p className="ok">Accepted. Thank you.</p>
          )}
        </li>
        <li className={status.needs_acceptance ? "" : "current"}>
          <h2>Your choices</h2>
          <p>Each is optional and you can change it at any time in Settings.</p>
          {status.needs_acceptance ? <p className="muted">Accept the policy first.</p> : <Consents />}
        </li>
        <li className={status.needs_acceptance ? "" : "current"}>
          <h2>What are you preparing for?</h2>
          <p>
            Optional: your first sessions start from this role and level, and reminders count down to your interview.
          </p>
          {status.needs_acceptance ? <p className="muted">Accept the policy first.</p> : <GoalForm />}
        </li>
        <li>
          <h2>Your account</h2>
          <p className="muted">
            {profile
              ? `${profile.first_name ?? ""} ${profile.last_name ?? ""} · ${profile.email ?? ""}${profile.birthdate ? ` · born ${profile.birthdate}` : ""}`
              : "…"}
          </p>
        </li>
      </ol>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" disabled={status.needs_acceptance} onClick={() => navigate(next, { replace: true })}>
          Continue
        </button>
      </div>
    </section>
  );
}
