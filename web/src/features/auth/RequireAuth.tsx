import { type ReactNode, useEffect, useState } from "react";
import { Navigate, useLocation } from "react-router-dom";

import { api, unwrap } from "../../api/client";
import { signIn, signUp } from "../../lib/auth";
import { useAuth } from "./AuthProvider";

/** Pages for signed-in people. A person who has not accepted the current privacy policy goes to /welcome first. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { user, loading } = useAuth();
  const location = useLocation();
  // The answer, and the page it was asked for: the same RequireAuth stays mounted from route to route, so a "no"
  // from before the acceptance must not send the person back to /welcome from the next page.
  const [policy, setPolicy] = useState<{ ok: boolean; path: string } | null>(null);
  const policyOk = policy && (policy.ok || policy.path === location.pathname) ? policy.ok : null;

  // Checked again on each page until accepted; once accepted, it stays accepted here.
  useEffect(() => {
    if (!user || policy?.ok) return;
    let cancelled = false;
    const path = location.pathname;
    unwrap(api.GET("/api/accounts/policy/status"))
      .then((status) => !cancelled && setPolicy({ ok: !status.needs_acceptance, path }))
      .catch(() => !cancelled && setPolicy({ ok: true, path })); // accounts down: let the page say what fails
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user, location.pathname]);

  if (loading) return <p className="muted">Loading…</p>;
  if (!user) {
    return (
      <section className="card narrow" aria-labelledby="signin-heading">
        <h1 id="signin-heading">Sign in to continue</h1>
        <p>This page shows your own practice, so Intervu needs to know it is you.</p>
        <div className="actions">
          <button type="button" onClick={() => void signIn()}>
            Sign in
          </button>
          <button type="button" className="secondary" onClick={() => void signUp()}>
            Create an account
          </button>
        </div>
      </section>
    );
  }
  if (policyOk === null) return <p className="muted">Loading…</p>;
  if (!policyOk && location.pathname !== "/welcome") {
    return <Navigate to={`/welcome?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  return <>{children}</>;
}
