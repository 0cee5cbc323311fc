import { lazy, type ReactNode, Suspense, useEffect, useRef } from "react";
import { BrowserRouter, Navigate, NavLink, Route, Routes, useLocation } from "react-router-dom";

import { AuthProvider, useAuth } from "../features/auth/AuthProvider";
import { RequireAuth } from "../features/auth/RequireAuth";
import { HomePage } from "../features/home/HomePage";
import { InboxPage, useUnread } from "../features/inbox/InboxPage";
import { AnswerLink, ExportLink } from "../features/links/Links";
import { PracticePage } from "../features/practice/PracticePage";
import { SetupPage } from "../features/practice/SetupPage";
import { ResultsPage } from "../features/results/ResultsPage";
import { SettingsPage } from "../features/settings/SettingsPage";
import { signIn, signUp, userManager } from "../lib/auth";
import { unsubscribePush } from "../lib/push";

// Charts and Markdown are the heavy parts: loaded with the pages that need them.
const ProgressPage = lazy(() => import("../features/progress/ProgressPage").then((m) => ({ default: m.ProgressPage })));
const PolicyPage = lazy(() => import("../features/policy/PolicyPage").then((m) => ({ default: m.PolicyPage })));
const OnboardingPage = lazy(() =>
  import("../features/onboarding/OnboardingPage").then((m) => ({ default: m.OnboardingPage })),
);

function Header() {
  const { user, loading } = useAuth();
  const unread = useUnread(Boolean(user));
  const signOut = async () => {
    // A shared browser must not keep receiving the previous person's notifications.
    await unsubscribePush().catch(() => undefined);
    await userManager.signoutRedirect();
  };
  return (
    <header className="header">
      <NavLink to="/" className="brand">
        {/* The same mark as the sign-in pages (Keycloak's theme): web/tests checks that they are one file. */}
        <img className="brand-mark" src="/favicon.svg" alt="" width="32" height="32" />
        Intervu
      </NavLink>
      {user ? (
        <nav aria-label="Main" className="nav">
          <NavLink to="/practice">Practise</NavLink>
          <NavLink to="/progress">Progress</NavLink>
          <NavLink to="/inbox">
            Inbox
            {unread > 0 ? (
              <span className="badge" aria-label={`${unread} unread`}>
                {unread}
              </span>
            ) : null}
          </NavLink>
          <NavLink to="/settings">Settings</NavLink>
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </nav>
      ) : loading ? null : (
        <nav aria-label="Account" className="nav">
          <button type="button" className="secondary" onClick={() => void signIn("/")}>
            Sign in
          </button>
          <button type="button" onClick={() => void signUp()}>
            Create an account
          </button>
        </nav>
      )}
    </header>
  );
}

/** After a navigation inside the app, focus goes to the page's content (as a page load would put a screen reader
 * at the top), not left on the link that was pressed. */
function FocusOnNavigation() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById("main")?.focus({ preventScroll: false });
  }, [pathname]);
  return null;
}

function Private({ children }: { children: ReactNode }) {
  return <RequireAuth>{children}</RequireAuth>;
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <FocusOnNavigation />
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Header />
        <main id="main" className="page" tabIndex={-1}>
          <Suspense fallback={<p className="muted">Loading…</p>}>
          <Routes>
            <Route path="/" element={<HomePage />} />
            <Route path="/callback" element={<p className="muted">Signing you in…</p>} />
            <Route path="/policy" element={<PolicyPage />} />
            <Route path="/policy/:version" element={<PolicyPage />} />
            <Route path="/welcome" element={<Private><OnboardingPage /></Private>} />
            <Route path="/practice" element={<Private><SetupPage /></Private>} />
            <Route path="/practice/:sessionId" element={<Private><PracticePage /></Private>} />
            <Route path="/sessions/:sessionId" element={<Private><ResultsPage /></Private>} />
            <Route path="/progress" element={<Private><ProgressPage /></Private>} />
            <Route path="/inbox" element={<Private><InboxPage /></Private>} />
            <Route path="/settings" element={<Private><SettingsPage /></Private>} />
            {/* Where notices point (inbox, e-mail, push), and the addresses older notices carry. */}
            <Route path="/answers/:answerId" element={<Private><AnswerLink /></Private>} />
            <Route path="/results/:answerId" element={<Private><AnswerLink /></Private>} />
            <Route path="/settings/privacy/exports/:exportId" element={<Private><ExportLink /></Private>} />
            <Route path="/privacy" element={<Navigate to="/policy" replace />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
          </Suspense>
        </main>
        <footer className="footer">
          <NavLink to="/policy">Privacy policy</NavLink>
          <span>Your recordings are only ever visible to you.</span>
        </footer>
      </AuthProvider>
    </BrowserRouter>
  );
}

function NotFound() {
  return (
    <section className="card narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing here. <NavLink to="/">Go to the start page</NavLink>.
      </p>
    </section>
  );
}
