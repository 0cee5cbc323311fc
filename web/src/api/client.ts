import createClient, { type Middleware } from "openapi-fetch";

import { userManager } from "../lib/auth";
import type * as accounts from "./generated/accounts";
import type * as analytics from "./generated/analytics";
import type * as avatar from "./generated/avatar";
import type * as feedback from "./generated/feedback";
import type * as interviews from "./generated/interviews";
import type * as media from "./generated/media";
import type * as notifications from "./generated/notifications";
import type * as transcription from "./generated/transcription";

// Every service's paths start with /api/<service>/, so one client over their union is unambiguous. The types
// come from the services' own OpenAPI documents (see scripts/gen-api.mjs): a path, parameter or field the API
// does not have is a compile error here.
export type Paths = accounts.paths &
  analytics.paths &
  avatar.paths &
  feedback.paths &
  interviews.paths &
  media.paths &
  notifications.paths &
  transcription.paths;

export type Accounts = accounts.components["schemas"];
export type Analytics = analytics.components["schemas"];
export type Avatar = avatar.components["schemas"];
export type Feedback = feedback.components["schemas"];
export type Interviews = interviews.components["schemas"];
export type Media = media.components["schemas"];
export type Notifications = notifications.components["schemas"];
export type Transcription = transcription.components["schemas"];

/** The services' error envelope: `{"error": {"code", "message", "details", "request_id"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function accessToken(): Promise<string | null> {
  let user = await userManager.getUser();
  // Renewal runs ahead of expiry, but a laptop that slept misses it: renew now with the refresh token.
  if (user?.expired) user = await userManager.signinSilent().catch(() => null);
  return user && !user.expired ? user.access_token : null;
}

const bearer: Middleware = {
  async onRequest({ request }) {
    const token = await accessToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<Paths>({ baseUrl: window.location.origin });
api.use(bearer);

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call, or an ApiError carrying the service's stable error code. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch {
    throw new ApiError(0, "network_error", "Intervu could not be reached. Check your connection and try again.");
  }
  const { data, error, response } = outcome;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string } };
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? `The request failed (${response.status}).`,
  );
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
