import { useEffect, useState } from "react";
import Markdown from "react-markdown";
import { Link, useParams } from "react-router-dom";

import { type Accounts, api, unwrap } from "../../api/client";
import { ErrorMessage, Loading } from "../../components/Status";
import { formatDate } from "../../lib/format";
import { useTitle } from "../../lib/useTitle";

/** The privacy policy, public, with its version and every earlier version. */
export function PolicyPage() {
  useTitle("Privacy policy");
  const { version } = useParams();
  const [versions, setVersions] = useState<Accounts["PolicyOut"][]>();
  const [current, setCurrent] = useState<Accounts["PolicyOut"]>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    unwrap(api.GET("/api/accounts/policy")).then(setCurrent).catch(setError);
    unwrap(api.GET("/api/accounts/policy/versions")).then(setVersions).catch(() => setVersions([]));
  }, []);

  const shown = version ? versions?.find((v) => String(v.version) === version) : current;
  if (error) return <ErrorMessage error={error} />;
  if (!shown && version && versions) {
    return (
      <section className="card narrow">
        <h1>No such version</h1>
        <p>
          There is no version {version} of the privacy policy. <Link to="/policy">Read the current one</Link>.
        </p>
      </section>
    );
  }
  if (!shown) return <Loading />;
  return (
    <article className="card policy" aria-labelledby="policy-heading">
      <p className="muted small" id="policy-heading-meta">
        Version {shown.version} · published {formatDate(shown.published_at)}
        {current && shown.version !== current.version ? " · an earlier version" : " · current"}
      </p>
      <div className="markdown" id="policy-heading">
        <Markdown>{shown.markdown}</Markdown>
      </div>
      <aside className="notice small" aria-label="Privacy contact">
        {shown.contact ? (
          <>
            Privacy questions, your rights, or a report that a child under 17 uses Intervu: write to{" "}
            {/^[^@\s/:]+@[^@\s/:]+$/.test(shown.contact) ? (
              <a href={`mailto:${shown.contact}`}>{shown.contact}</a>
            ) : shown.contact.startsWith("https://") ? (
              <a href={shown.contact} rel="noopener noreferrer">
                {shown.contact}
              </a>
            ) : (
              shown.contact
            )}
            .
          </>
        ) : (
          <>The operator of this installation has not set a privacy contact yet.</>
        )}
      </aside>
      {versions && versions.length > 1 ? (
        <nav aria-label="Policy versions" className="small">
          Other versions:{" "}
          {versions
            .filter((v) => v.version !== shown.version)
            .map((v) => (
              <Link key={v.version} to={`/policy/${v.version}`}>
                version {v.version}{" "}
              </Link>
            ))}
        </nav>
      ) : null}
    </article>
  );
}
