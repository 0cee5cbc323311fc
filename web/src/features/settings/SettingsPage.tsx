import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link, useLocation, useSearchParams } from "react-router-dom";

import { type Accounts, type Notifications, api, unwrap } from "../../api/client";
import { ErrorMessage, Loading, ProgressBar } from "../../components/Status";
import { reauthenticate } from "../../lib/auth";
import { formatBytes, formatDate } from "../../lib/format";
import { pushSupported, subscribePush, unsubscribePush } from "../../lib/push";
import { useKeepInView } from "../../lib/useKeepInView";
import { usePoll } from "../../lib/usePoll";
import { GoalForm } from "../onboarding/Goal";
import { Consents } from "./Consents";
import { useTitle } from "../../lib/useTitle";

export function SettingsPage() {
  useTitle("Settings");
  return (
    <section className="stack" aria-labelledby="settings-heading">
      <h1 id="settings-heading">Settings</h1>
      <Profile />
      <section className="card" aria-labelledby="goal-heading">
        <h2 id="goal-heading">Your interview</h2>
        <p className="muted small">New sessions start from this role and level; reminders count down to the date.</p>
        <GoalForm />
      </section>
      <section className="card" aria-labelledby="consents-heading">
        <h2 id="consents-heading">Privacy choices</h2>
        <Consents />
        <p className="small">
          Read the <Link to="/policy">privacy policy</Link>.
        </p>
      </section>
      <NotificationSettings />
      <Export />
      <Deletion />
    </section>
  );
}

function Profile() {
  const [profile, setProfile] = useState<Accounts["Profile"]>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    unwrap(api.GET("/api/accounts/me")).then(setProfile).catch(setError);
  }, []);
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setSaved(false);
    setError(undefined);
    try {
      const updated = await unwrap(
        api.PATCH("/api/accounts/me", {
          body: {
            first_name: String(form.get("first_name")),
            last_name: String(form.get("last_name")),
            email: String(form.get("email")),
            birthdate: String(form.get("birthdate")) || null,
          },
        }),
      );
      setProfile(updated);
      setSaved(true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Your profile</h2>
      {!profile ? (
        error ? <ErrorMessage error={error} /> : <Loading />
      ) : (
        <form className="form grid-2" onSubmit={(e) => void save(e)}>
          <label>
            First name
            <input name="first_name" defaultValue={profile.first_name ?? ""} required autoComplete="given-name" />
          </label>
          <label>
            Last name
            <input name="last_name" defaultValue={profile.last_name ?? ""} required autoComplete="family-name" />
          </label>
          <label>
            Email
            <input name="email" type="email" defaultValue={profile.email ?? ""} required autoComplete="email" />
          </label>
          <label>
            Date of birth
            <input name="birthdate" type="date" defaultValue={profile.birthdate ?? ""} required />
          </label>
          <div className="actions">
            <button type="submit">Save profile</button>
            <span role="status" className="ok">
              {saved ? "Saved." : ""}
            </span>
          </div>
          <ErrorMessage error={error} />
        </form>
      )}
    </section>
  );
}

function NotificationSettings() {
  const [prefs, setPrefs] = useState<Notifications["PreferencesOut"]>();
  const [error, setError] = useState<unknown>();
  const [pushMessage, setPushMessage] = useState<string>();
  useEffect(() => {
    unwrap(api.GET("/api/notifications/preferences")).then(setPrefs).catch(setError);
  }, []);
  const change = async (update: Partial<Notifications["PreferencesUpdate"]>) => {
    setError(undefined);
    const before = prefs;
    // Shown at once (a switch that lags behind the click feels broken); put back if the save fails.
    setPrefs((p) => (p ? { ...p, ...Object.fromEntries(Object.entries(update).filter(([k]) => k in p)) } : p));
    try {
      const body = { no_reminders: false, ...update };
      setPrefs(await unwrap(api.PUT("/api/notifications/preferences", { body })));
    } catch (e) {
      setPrefs(before);
      setError(e);
    }
  };
  const togglePush = async (on: boolean) => {
    setPushMessage(undefined);
    try {
      if (on) await subscribePush();
      else await unsubscribePush();
      await change({ push: on });
      setPushMessage(on ? "Push notifications are on for this browser." : "Push notifications are off.");
    } catch (e) {
      setPushMessage(e instanceof Error ? e.message : String(e));
    }
  };
  if (!prefs) return error ? <ErrorMessage error={error} /> : <Loading />;
  return (
    <section className="card" aria-labelledby="notify-heading">
      <h2 id="notify-heading">Notifications</h2>
      <p className="muted small">
        Sent only while “Send me notifications” is on in your privacy choices.
      </p>
      <fieldset className="consents">
        <legend>Channels</legend>
        <label className="switch">
          <input type="checkbox" checked={prefs.email} onChange={(e) => void change({ email: e.target.checked })} />
          <span>Email</span>
        </label>
        <label className="switch">
          <input
            type="checkbox"
            checked={prefs.push}
            disabled={!pushSupported()}
            onChange={(e) => void togglePush(e.target.checked)}
          />
          <span>Push notifications (this browser is the one that receives them)</span>
        </label>
        <p role="status" className="muted small">
          {pushMessage}
        </p>
      </fieldset>
      <fieldset className="consents">
        <legend>Tell me when</legend>
        <label className="switch">
          <input
            type="checkbox"
            checked={prefs.feedback_ready}
            onChange={(e) => void change({ feedback_ready: e.target.checked })}
          />
          <span>My feedback is ready</span>
        </label>
        <label className="switch">
          <input
            type="checkbox"
            checked={prefs.export_ready}
            onChange={(e) => void change({ export_ready: e.target.checked })}
          />
          <span>My data export is ready</span>
        </label>
        <label className="inline">
          Remind me to practise{" "}
          <select
            aria-label="Remind me to practise"
            value={prefs.remind_after_days ?? 0}
            onChange={(e) =>
              void change(
                Number(e.target.value) === 0
                  ? { no_reminders: true }
                  : { remind_after_days: Number(e.target.value) },
              )
            }
          >
            <option value={0}>never</option>
            {[1, 2, 3, 7, 14].map((d) => (
              <option key={d} value={d}>
                after {d} day{d > 1 ? "s" : ""} without practice
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <ErrorMessage error={error} />
    </section>
  );
}

function Export() {
  const [error, setError] = useState<unknown>();
  // `?export={id}`: a notice's link to one export (the inbox, an e-mail): that one is shown, marked, on screen.
  const [params] = useSearchParams();
  const linked = params.get("export");
  const section = useRef<HTMLElement>(null);
  const exports = usePoll(
    () => unwrap(api.GET("/api/accounts/exports")),
    (list) => !list.some((e) => e.status === "collecting"),
    3000,
    [],
  );
  const ask = async () => {
    setError(undefined);
    try {
      await unwrap(api.POST("/api/accounts/exports"));
      exports.reload();
    } catch (e) {
      setError(e);
    }
  };
  const download = async (id: string) => {
    try {
      const fresh = await unwrap(api.GET("/api/accounts/exports/{export_id}", { params: { path: { export_id: id } } }));
      if (fresh.download_url) window.location.assign(fresh.download_url);
    } catch (e) {
      setError(e);
    }
  };
  const list = exports.value ?? [];
  const loaded = exports.value !== undefined;
  useKeepInView(section, Boolean(linked && loaded), [linked]);
  return (
    <section className="card" aria-labelledby="export-heading" id="export" ref={section}>
      <h2 id="export-heading">Export your data</h2>
      <p>
        A ZIP of everything Intervu keeps about you: your profile, sessions, answers, transcripts, feedback and
        recordings, as JSON and media files. It is ready within minutes and kept for 7 days.
      </p>
      <button type="button" onClick={() => void ask()} disabled={list.some((e) => e.status === "collecting")}>
        Export my data
      </button>
      <ErrorMessage error={error} />
      {linked && loaded && !list.some((e) => e.id === linked) ? (
        <p className="notice">That export is no longer here: exports are kept for 7 days. Ask for a new one.</p>
      ) : null}
      <ul className="plain">
        {list.map((e) => (
          <li
            key={e.id}
            className={e.id === linked ? "export linked" : "export"}
            aria-current={e.id === linked ? "true" : undefined}
          >
            <span>Asked {formatDate(e.requested_at)}: </span>
            {e.status === "collecting" ? (
              <ProgressBar value={e.answered} max={e.total} label="Collecting your data from every service" />
            ) : e.status === "ready" ? (
              <button type="button" className="link" onClick={() => void download(e.id)}>
                Download ({formatBytes(e.size ?? 0)}, until {formatDate(e.expires_at)})
              </button>
            ) : (
              <span className="muted">
                {e.status}
                {e.error ? `: ${e.error}` : ""}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Deletion() {
  const location = useLocation();
  const [error, setError] = useState<unknown>();
  const deletion = usePoll(
    () => unwrap(api.GET("/api/accounts/deletion")),
    () => false,
    15000,
    [],
  );
  const current = deletion.value;

  const ask = async () => {
    setError(undefined);
    try {
      await unwrap(api.POST("/api/accounts/deletion"));
      deletion.reload();
    } catch (e) {
      setError(e);
    }
  };
  const confirm = async (signedInAgain = false) => {
    setError(undefined);
    // Deleting everything is the one action that asks for the password again, however recent the sign-in (the API
    // wants one from the last 10 minutes). Back from signing in, the API's answer stands: no loop.
    if (!signedInAgain) {
      await reauthenticate({ to: "/settings#delete", then: "confirm-deletion" });
      return;
    }
    try {
      await unwrap(api.POST("/api/accounts/deletion/confirm"));
      deletion.reload();
    } catch (e) {
      setError(e);
    }
  };
  const cancel = async () => {
    try {
      await unwrap(api.DELETE("/api/accounts/deletion"));
      deletion.reload();
    } catch (e) {
      setError(e);
    }
  };

  // Back from signing in again to confirm: confirm now (once).
  const then = (location.state as { then?: string } | null)?.then;
  useEffect(() => {
    if (then === "confirm-deletion" && current?.status === "awaiting_confirmation") {
      window.history.replaceState({}, "");
      void confirm(true);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [then, current?.status]);

  // Back from the password check (`/settings#delete`): the page opens on this section and its new state, not at
  // the top with the outcome out of sight.
  const section = useRef<HTMLElement>(null);
  const loaded = deletion.value !== undefined;
  useKeepInView(section, location.hash === "#delete" && loaded, [current?.status]);

  return (
    <section className="card danger-zone" aria-labelledby="delete-heading" id="delete" ref={section}>
      <h2 id="delete-heading">Delete your account</h2>
      {!current || current.status === "cancelled" || current.status === "expired" ? (
        <>
          <p>
            Everything is deleted from every service within 30 days: recordings, transcripts, feedback, progress and
            your account. You have 7 days to change your mind after confirming.
          </p>
          <button type="button" className="danger" onClick={() => void ask()}>
            Delete my account…
          </button>
        </>
      ) : current.status === "awaiting_confirmation" ? (
        <div className="notice" role="alert">
          <p>
            Confirm before {formatDate(current.confirm_before)}. For your safety you will be asked for your password
            again.
          </p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void confirm()}>
              Yes, delete everything
            </button>
            <button type="button" className="secondary" onClick={() => void cancel()}>
              Keep my account
            </button>
          </div>
        </div>
      ) : current.status === "scheduled" ? (
        <div className="notice" role="status">
          <p>
            Your account will be deleted on {formatDate(current.grace_ends_at)} (everything gone by{" "}
            {formatDate(current.deadline_at)}). Until then you can change your mind.
          </p>
          <button type="button" className="secondary" onClick={() => void cancel()}>
            Cancel the deletion
          </button>
        </div>
      ) : (
        <p role="status">Deletion in progress: {current.status}.</p>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}
