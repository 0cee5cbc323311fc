import { useEffect, useState } from "react";

import { type Interviews, accessToken, api, unwrap } from "../api/client";

export type SessionStatus = Interviews["SessionStatusOut"];
export type AnswerStatus = Interviews["AnswerStatusOut"];

/** Parse server-sent events out of a text stream: each `data:` payload of a `status` event, in order. */
export function parseEvents(buffer: string): { events: string[]; rest: string } {
  const events: string[] = [];
  const blocks = buffer.split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    const data = block
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => line.slice(6))
      .join("\n");
    if (data) events.push(data);
  }
  return { events, rest };
}

/**
 * Every answer of a session on its way to feedback, pushed by the interviews service (server-sent events over a
 * streaming fetch, so the request carries the access token). The stream ends once every answer is final; it is
 * opened again after a drop, and when streaming fails the status is polled instead.
 */
export function useAnswerStatus(sessionId: string, enabled = true): { status?: SessionStatus; error?: unknown } {
  const [status, setStatus] = useState<SessionStatus>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (!enabled || !sessionId) return;
    const stop = new AbortController();
    let failures = 0;
    const sleep = (ms: number) => new Promise((resolve) => window.setTimeout(resolve, ms));

    const poll = async (): Promise<boolean> => {
      const next = await unwrap(
        api.GET("/api/interviews/sessions/{session_id}/status", { params: { path: { session_id: sessionId } } }),
      );
      setStatus(next);
      setError(undefined);
      return next.done;
    };

    const stream = async (): Promise<boolean> => {
      const token = await accessToken();
      const response = await fetch(`/api/interviews/sessions/${sessionId}/status/stream`, {
        headers: { Accept: "text/event-stream", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        signal: stop.signal,
      });
      if (!response.ok || !response.body) throw new Error(`status stream: ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let done = false;
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        const parsed = parseEvents(buffer + chunk.value);
        buffer = parsed.rest;
        for (const data of parsed.events) {
          const next = JSON.parse(data) as SessionStatus;
          setStatus(next);
          setError(undefined);
          done = next.done;
          failures = 0;
        }
      }
      return done;
    };

    void (async () => {
      while (!stop.signal.aborted) {
        try {
          // After two failed streams in a row (a proxy that buffers, an old browser), poll every two seconds.
          const finished = failures >= 2 ? await poll() : await stream();
          if (finished) return;
          if (failures >= 2) await sleep(2000);
        } catch (e) {
          if (stop.signal.aborted) return;
          failures += 1;
          setError(e);
          await sleep(Math.min(10_000, 1000 * failures));
        }
      }
    })();
    return () => stop.abort();
  }, [sessionId, enabled]);

  return { status, error };
}
