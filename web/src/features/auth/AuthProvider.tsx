import type { User } from "oidc-client-ts";
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";

import { type ReturnState, safePath, userManager } from "../../lib/auth";

type AuthState = { user: User | null; loading: boolean; error: string | null };

const AuthContext = createContext<AuthState>({ user: null, loading: true, error: null });

export function useAuth(): AuthState {
  return useContext(AuthContext);
}

/** Holds the signed-in person; finishes the sign-in redirect on /callback and goes where it started. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ user: null, loading: true, error: null });
  // React Router hands out a new navigate on every navigation: the effect must run once, not on each page.
  const navigate = useRef(useNavigate());

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        if (window.location.pathname === "/callback") {
          const user = await userManager.signinRedirectCallback();
          if (cancelled) return;
          setState({ user, loading: false, error: null });
          const back = (user.state ?? { to: "/" }) as ReturnState;
          navigate.current(safePath(back.to), { replace: true, state: { then: back.then } });
          return;
        }
        let existing = await userManager.getUser();
        if (!existing || existing.expired) {
          // Signed in to Keycloak in another tab (or a push notification opened this one): no click needed.
          existing = await userManager.signinSilent().catch(() => null);
        }
        if (!cancelled) setState({ user: existing && !existing.expired ? existing : null, loading: false, error: null });
      } catch (e) {
        if (cancelled) return;
        // A stale callback (Back to /callback after signing in): the person may well be signed in already.
        const existing = await userManager.getUser().catch(() => null);
        if (existing && !existing.expired) setState({ user: existing, loading: false, error: null });
        else setState({ user: null, loading: false, error: e instanceof Error ? e.message : String(e) });
        if (window.location.pathname === "/callback") navigate.current("/", { replace: true });
      }
    };
    void load();
    const loaded = (user: User) => setState({ user, loading: false, error: null });
    const unloaded = () => setState({ user: null, loading: false, error: null });
    userManager.events.addUserLoaded(loaded);
    userManager.events.addUserUnloaded(unloaded);
    userManager.events.addUserSignedOut(unloaded);
    return () => {
      cancelled = true;
      userManager.events.removeUserLoaded(loaded);
      userManager.events.removeUserUnloaded(unloaded);
      userManager.events.removeUserSignedOut(unloaded);
    };
  }, []);

  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}
