import { UserManager, WebStorageStateStore } from "oidc-client-ts";

// Authorization Code + PKCE with Keycloak's public client `intervu-web` (Keycloak is served under /auth on the
// same origin). Tokens stay in session storage: gone when the tab closes, never in a cookie the API trusts.
export const userManager = new UserManager({
  authority: `${window.location.origin}/auth/realms/intervu`,
  client_id: "intervu-web",
  redirect_uri: `${window.location.origin}/callback`,
  post_logout_redirect_uri: window.location.origin,
  response_type: "code",
  scope: "openid profile email",
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
});
