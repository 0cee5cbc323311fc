import { useEffect, useState } from "react";

/**
 * How loud the microphone is, 0..1, about fifteen times a second (Web Audio's analyser on the camera's own stream:
 * nothing is recorded or sent). `heard` says whether speech-like sound came in the last three seconds, so the page
 * can say "we can hear you" or point at a muted or wrong microphone before the person answers into silence.
 */
export function useLevel(stream: MediaStream | null): {
  level: number;
  heard: boolean;
  everHeard: boolean;
  silentFor: number;
} {
  const [state, setState] = useState({ level: 0, heard: false, everHeard: false, silentFor: 0 });
  useEffect(() => {
    if (!stream || stream.getAudioTracks().length === 0 || typeof AudioContext === "undefined") return;
    const context = new AudioContext();
    const source = context.createMediaStreamSource(stream);
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const started = performance.now();
    let lastHeard = -Infinity;
    const timer = window.setInterval(() => {
      void context.resume().catch(() => undefined);
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const rms = Math.sqrt(sum / samples.length);
      // Speech at a normal distance is around -30 dBFS; -60 dBFS is a quiet room. Shown on that range.
      const db = 20 * Math.log10(rms + 1e-9);
      const level = Math.min(1, Math.max(0, (db + 60) / 45));
      const now = performance.now();
      if (level > 0.25) lastHeard = now;
      setState({
        level,
        heard: now - lastHeard < 3000,
        everHeard: lastHeard > -Infinity,
        silentFor: (now - Math.max(lastHeard, started)) / 1000,
      });
    }, 66);
    return () => {
      window.clearInterval(timer);
      source.disconnect();
      void context.close();
    };
  }, [stream]);
  return state;
}
