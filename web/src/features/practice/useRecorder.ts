import { useCallback, useEffect, useRef, useState } from "react";

export type CameraProblem = "denied" | "missing" | "busy" | "insecure" | "unsupported" | null;

function problemOf(error: unknown): CameraProblem {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "missing";
  if (name === "NotReadableError" || name === "AbortError") return "busy";
  return "unsupported";
}

function pickMimeType(): string {
  const wanted = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm", "video/mp4"];
  return wanted.find((type) => MediaRecorder.isTypeSupported(type)) ?? "";
}

/** Camera + microphone, recording with MediaRecorder. The stream is released when the page is left. */
export function useRecorder() {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problem, setProblem] = useState<CameraProblem>(null);
  const [recording, setRecording] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [blob, setBlob] = useState<Blob | null>(null);
  const recorder = useRef<MediaRecorder | null>(null);
  const startedAt = useRef(0);
  const timer = useRef<number | undefined>(undefined);

  const enable = useCallback(async () => {
    setProblem(null);
    if (!window.isSecureContext) return setProblem("insecure");
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === "undefined") {
      return setProblem("unsupported");
    }
    try {
      const media = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
        audio: { echoCancellation: true, noiseSuppression: true },
      });
      setStream(media);
    } catch (error) {
      setProblem(problemOf(error));
    }
  }, []);

  useEffect(
    () => () => {
      window.clearInterval(timer.current);
      stream?.getTracks().forEach((track) => track.stop());
    },
    [stream],
  );

  const start = useCallback(() => {
    if (!stream || recorder.current?.state === "recording") return;
    const mimeType = pickMimeType();
    // About 1 Mbit/s of video: sharp enough to see yourself, a 2-minute answer stays near 15 MB.
    const media = new MediaRecorder(stream, {
      mimeType: mimeType || undefined,
      videoBitsPerSecond: 1_000_000,
      audioBitsPerSecond: 64_000,
    });
    // This recording's own chunks: a late event from an earlier recorder cannot mix into them.
    const chunks: Blob[] = [];
    media.ondataavailable = (event) => event.data.size && chunks.push(event.data);
    media.onstop = () => setBlob(new Blob(chunks, { type: media.mimeType || "video/webm" }));
    media.start(1000);
    recorder.current = media;
    startedAt.current = performance.now();
    setElapsed(0);
    setBlob(null);
    setRecording(true);
    timer.current = window.setInterval(() => setElapsed((performance.now() - startedAt.current) / 1000), 250);
  }, [stream]);

  const stop = useCallback(() => {
    window.clearInterval(timer.current);
    if (recorder.current?.state === "recording") recorder.current.stop();
    setRecording(false);
  }, []);

  const discard = useCallback(() => {
    setBlob(null);
    setElapsed(0);
  }, []);

  return { stream, problem, recording, elapsed, blob, enable, start, stop, discard };
}
