import { useEffect, useState } from "react";
import { Link } from "react-router-dom";

import { type Notifications, api, unwrap } from "../../api/client";
import { ErrorMessage, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { useTitle } from "../../lib/useTitle";

/** The number of unread notices, refreshed every minute while signed in (the header's badge). */
export function useUnread(signedIn: boolean): number {
  const [unread, setUnread] = useState(0);
  useEffect(() => {
    if (!signedIn) return;
    const load = () =>
      unwrap(api.GET("/api/notifications/inbox", { params: { query: { limit: 1 } } }))
        .then((inbox) => setUnread(inbox.unread))
        .catch(() => undefined);
    void load();
    const timer = window.setInterval(load, 60_000);
    window.addEventListener("intervu:inbox-changed", load);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("intervu:inbox-changed", load);
    };
  }, [signedIn]);
  return unread;
}

function internal(link: string | null | undefined): string | null {
  if (!link) return null;
  try {
    const url = new URL(link, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search : null;
  } catch {
    return null;
  }
}

export function InboxPage() {
  useTitle("Inbox");
  const [inbox, setInbox] = useState<Notifications["Inbox"]>();
  const [error, setError] = useState<unknown>();
  const load = () => unwrap(api.GET("/api/notifications/inbox", { params: { query: { limit: 50 } } })).then(setInbox).catch(setError);
  useEffect(() => void load(), []);
  const changed = () => window.dispatchEvent(new Event("intervu:inbox-changed"));

  const read = async (id: string) => {
    await unwrap(api.POST("/api/notifications/inbox/{notice_id}/read", { params: { path: { notice_id: id } } })).catch(setError);
    await load();
    changed();
  };
  const readAll = async () => {
    await unwrap(api.POST("/api/notifications/inbox/read-all")).catch(setError);
    await load();
    changed();
  };

  if (!inbox) return error ? <ErrorMessage error={error} /> : <Loading />;
  return (
    <section className="stack" aria-labelledby="inbox-heading">
      <div className="title-row">
        <h1 id="inbox-heading">Inbox</h1>
        <button type="button" className="secondary" disabled={inbox.unread === 0} onClick={() => void readAll()}>
          Mark all as read
        </button>
      </div>
      <ErrorMessage error={error} />
      {inbox.items.length === 0 ? <p className="card">Nothing here yet.</p> : null}
      <ul className="inbox">
        {inbox.items.map((n) => {
          const to = internal(n.link);
          return (
            <li key={n.id} className={`card ${n.read_at ? "" : "unread"}`}>
              <div className="title-row">
                <h2 className="h3">{n.title}</h2>
                <span className="muted small">{formatDate(n.created_at)}</span>
              </div>
              <p>{n.body}</p>
              <div className="actions">
                {to ? (
                  <Link to={to} onClick={() => void read(n.id)}>
                    Open
                  </Link>
                ) : null}
                {n.read_at ? null : (
                  <button type="button" className="link" onClick={() => void read(n.id)}>
                    Mark as read
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
