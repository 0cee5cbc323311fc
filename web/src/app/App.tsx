import { useUser } from "../features/auth/useUser";
import { ServiceStatus } from "../features/status/ServiceStatus";
import { userManager } from "../lib/auth";

export function App() {
  const { user, loading, error } = useUser();

  return (
    <main className="page">
      <header className="header">
        <h1>Intervu</h1>
        {loading ? null : user ? (
          <div className="account">
            <span>Signed in as {user.profile.name ?? user.profile.email}</span>
            <button type="button" onClick={() => void userManager.signoutRedirect()}>
              Sign out
            </button>
          </div>
        ) : (
          <div className="account">
            <button type="button" onClick={() => void userManager.signinRedirect()}>
              Sign in
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => void userManager.signinRedirect({ extraQueryParams: { prompt: "create" } })}
            >
              Create an account
            </button>
          </div>
        )}
      </header>
      <p className="lead">
        Practise job interviews with an AI interviewer and get honest, specific feedback. Private by design.
      </p>
      {error ? (
        <p role="alert" className="error">
          Sign-in failed: {error}
        </p>
      ) : null}
      <ServiceStatus />
    </main>
  );
}
