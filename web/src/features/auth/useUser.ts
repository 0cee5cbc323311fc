import type { User } from "oidc-client-ts";
import { useEffect, useState } from "react";

import { userManager } from "../../lib/auth";

export function useUser(): { user: User | null; loading: boolean; error: string | null } {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        if (window.location.pathname === "/callback") {
          const signedIn = await userManager.signinRedirectCallback();
          window.history.replaceState({}, "", "/");
          if (!cancelled) setUser(signedIn);
        } else {
          const existing = await userManager.getUser();
          if (!cancelled) setUser(existing && !existing.expired ? existing : null);
        }
      } catch (e) {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      } finally {
        if (!cancelled) setLoading(false);
      }
    };
    void load();
    return () => {
      cancelled = true;
    };
  }, []);

  return { user, loading, error };
}
