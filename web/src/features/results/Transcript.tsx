import { Fragment, type KeyboardEvent } from "react";

import type { Feedback } from "../../api/client";
import { formatSeconds } from "../../lib/format";

type Word = Feedback["WordOut"];
type Pause = { start_s: number; end_s: number };

/** The words of an answer in sync with its recording: the word being said is marked, a click seeks there,
 * fillers and long pauses are highlighted, and a chosen piece of evidence is outlined. */
export function Transcript({
  words,
  fillers,
  pauses,
  time,
  highlight,
  onSeek,
}: {
  words: Word[];
  fillers: Set<number>;
  pauses: Pause[];
  time: number;
  highlight: { first: number; last: number } | null;
  onSeek?: (seconds: number) => void;
}) {
  // One tab stop for the whole transcript (the word being said, or the first): arrow keys move between words.
  const move = (event: KeyboardEvent<HTMLButtonElement>) => {
    const buttons = [...(event.currentTarget.parentElement?.querySelectorAll<HTMLButtonElement>("button.word") ?? [])];
    const at = buttons.indexOf(event.currentTarget);
    const next =
      event.key === "ArrowRight" ? at + 1 : event.key === "ArrowLeft" ? at - 1
      : event.key === "Home" ? 0 : event.key === "End" ? buttons.length - 1 : null;
    if (next === null || !buttons[next]) return;
    event.preventDefault();
    buttons[next].focus();
  };
  const current = words.findIndex((w) => w.start !== null && w.end !== null && time >= w.start! && time < w.end! + 0.05);
  const pauseBefore = new Map<number, Pause>();
  for (const pause of pauses) {
    const index = words.findIndex((w) => (w.start ?? -1) >= pause.end_s - 0.01);
    if (index >= 0) pauseBefore.set(index, pause);
  }
  const focusable = current >= 0 ? current : words.findIndex((w) => w.start !== null && w.start !== undefined);
  return (
    <div className="transcript" aria-label="Transcript" role="group">
      {words.map((word, i) => {
        const pause = pauseBefore.get(i);
        const classes = [
          "word",
          fillers.has(i) ? "filler" : "",
          i === current ? "current" : "",
          highlight && i >= highlight.first && i <= highlight.last ? "evidence" : "",
        ].join(" ");
        return (
          <Fragment key={i}>
            {pause ? (
              <span className="pause" title={`Pause of ${(pause.end_s - pause.start_s).toFixed(1)} s`}>
                pause {(pause.end_s - pause.start_s).toFixed(1)} s
              </span>
            ) : null}
            {onSeek && word.start !== null && word.start !== undefined ? (
              <button
                type="button"
                className={classes}
                aria-current={i === current ? "true" : undefined}
                tabIndex={i === focusable ? 0 : -1}
                onKeyDown={move}
                title={`${formatSeconds(word.start)}${fillers.has(i) ? " · filler" : ""}`}
                onClick={() => onSeek(word.start!)}
              >
                {word.text}
              </button>
            ) : (
              <span className={classes}>{word.text}</span>
            )}{" "}
          </Fragment>
        );
      })}
    </div>
  );
}
