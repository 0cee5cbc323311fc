import { Upload } from "tus-js-client";

import { accessToken } from "../../api/client";

export type UploadState =
  | { phase: "uploading"; sent: number; total: number }
  | { phase: "reconnecting"; sent: number; total: number; attempt: number }
  | { phase: "done"; recordingId: string }
  | { phase: "failed"; message: string; sent: number; total: number };

// Small chunks: on a weak connection a dropped request costs at most this much, and the progress bar moves.
const CHUNK_SIZE = 512 * 1024;
// Keep retrying for about three minutes (a train tunnel, a Wi-Fi hand-over) before asking the person.
const RETRY_DELAYS = [0, 1000, 2000, 3000, 5000, 10000, 15000, 20000, 30000, 30000, 30000, 30000];

/** Uploads a recording with tus: resumable, so a dropped connection continues from the last byte the server
 * has. (The recording itself lives in memory: closing the tab loses it, and the page warns before that.) */
export function uploadRecording(
  blob: Blob,
  ids: { answerId: string; sessionId: string },
  onState: (state: UploadState) => void,
): { abort: () => void; retry: () => void } {
  let sent = 0;
  let failed = false;
  let finished = false;
  const upload = new Upload(blob, {
    endpoint: `${window.location.origin}/api/media/uploads/`,
    chunkSize: CHUNK_SIZE,
    retryDelays: RETRY_DELAYS,
    metadata: {
      filename: `answer-${ids.answerId}.webm`,
      filetype: blob.type.split(";")[0] || "video/webm",
      answer_id: ids.answerId,
      session_id: ids.sessionId,
    },
    // One upload per answer: after a reload, the same answer resumes the same upload.
    fingerprint: async () => `intervu-answer-${ids.answerId}-${blob.size}`,
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    onBeforeRequest: async (request) => {
      // Tokens are renewed while a long upload runs: take the current one for every request.
      const token = await accessToken();
      if (token) request.setHeader("Authorization", `Bearer ${token}`);
    },
    onProgress: (bytes, total) => {
      sent = bytes;
      onState({ phase: "uploading", sent: bytes, total });
    },
    onShouldRetry: (error, attempt) => {
      const status = error.originalResponse?.getStatus() ?? 0;
      // 4xx other than conflicts and rate limits are answers, not outages: retrying will not help.
      const retry = status === 0 || status >= 500 || status === 409 || status === 423 || status === 429;
      if (retry) onState({ phase: "reconnecting", sent, total: blob.size, attempt: attempt + 1 });
      return retry;
    },
    onError: (error) => {
      const body = error.message.match(/response text: (\{.*\})/)?.[1];
      let message = "The upload stopped. Check your connection, then retry: it continues where it stopped.";
      try {
        const parsed = body ? (JSON.parse(body) as { error?: { message?: string } }) : null;
        if (parsed?.error?.message) message = parsed.error.message;
      } catch {
        /* not the service's JSON: keep the general message */
      }
      failed = true;
      onState({ phase: "failed", message, sent, total: blob.size });
    },
    onSuccess: () => {
      finished = true;
      window.removeEventListener("online", online);
      const recordingId = (upload.url ?? "").replace(/\/+$/, "").split("/").pop() ?? "";
      onState({ phase: "done", recordingId });
    },
  });

  const start = async () => {
    failed = false;
    const previous = await upload.findPreviousUploads();
    if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  };
  // Back online after the retries ran out: carry on by ourselves (only then: while tus-js-client is still
  // retrying, a second start would run two chains of requests).
  const online = () => {
    if (failed && !finished) void start();
  };
  window.addEventListener("online", online);
  void start();
  return {
    abort: () => {
      window.removeEventListener("online", online);
      void upload.abort();
    },
    retry: () => {
      if (failed && !finished) void start();
    },
  };
}
