import { UserManager, WebStorageStateStore } from "oidc-client-ts";

// Authorization Code + PKCE with Keycloak's public client `intervu-web` (Keycloak is served under /auth on the
// same origin). Tokens stay in session storage: gone when the tab closes, never in a cookie the API trusts.
// Access tokens are renewed with the refresh token before they expire.
export const userManager = new UserManager({
  authority: `${window.location.origin}/auth/realms/intervu`,
  client_id: "intervu-web",
  redirect_uri: `${window.location.origin}/callback`,
  post_logout_redirect_uri: window.location.origin,
  response_type: "code",
  scope: "openid profile email",
  automaticSilentRenew: true,
  // A new tab (sessionStorage is per tab) signs in without a click while Keycloak's session lasts.
  silent_redirect_uri: `${window.location.origin}/silent-callback.html`,
  silentRequestTimeoutInSeconds: 5,
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

/** Where to go after the sign-in redirect comes back, and what to do there. */
export type ReturnState = { to: string; then?: "confirm-deletion" };

export function signIn(to = window.location.pathname + window.location.search): Promise<void> {
  return userManager.signinRedirect({ state: { to } satisfies ReturnState });
}

export function signUp(): Promise<void> {
  return userManager.signinRedirect({ state: { to: "/welcome" } satisfies ReturnState, prompt: "create" });
}

/** Sign in again now (Keycloak asks for the password even with a live session): confirming a deletion needs
 * a sign-in from the last few minutes, which the API checks with the token's auth_time. */
export function reauthenticate(state: ReturnState): Promise<void> {
  return userManager.signinRedirect({ state, prompt: "login", max_age: 0 });
}

/** A path inside this app, or "/": a return address from a redirect or a query string never leaves the site. */
export function safePath(to: string | null | undefined): string {
  if (!to || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return "/";
  return to;
}
