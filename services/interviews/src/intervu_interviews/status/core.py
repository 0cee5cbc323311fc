"""The order of an answer's stages and what may follow what: a pure core, so events that arrive late or out of order
(JetStream redelivers, services run at their own pace) can never move an answer backwards."""

from __future__ import annotations

from dataclasses import dataclass

from intervu_interviews.models import AnswerStage

RANK = {
    AnswerStage.AWAITING_RECORDING: 0,
    AnswerStage.UPLOADING: 1,
    AnswerStage.CHECKING: 2,
    AnswerStage.TRANSCRIBING: 3,
    AnswerStage.ANALYSING: 4,
    AnswerStage.READY: 5,
    AnswerStage.REJECTED: 5,
    AnswerStage.FAILED: 5,
}
FINAL = frozenset({AnswerStage.READY, AnswerStage.REJECTED, AnswerStage.FAILED})


@dataclass(frozen=True)
class Move:
    stage: AnswerStage
    share: float


def next_state(current: AnswerStage, share: float, wanted: AnswerStage, wanted_share: float = 0.0) -> Move | None:
    """The state after ``wanted`` arrives, or None when it changes nothing.

    Forward only; within a stage the share only grows. After a rejection or a failure the person may upload the same
    answer again: a new upload starts over. A final answer (ready) never changes.
    """
    wanted_share = max(0.0, min(1.0, wanted_share))
    if current == AnswerStage.READY:
        return None
    if current in FINAL and wanted == AnswerStage.UPLOADING:
        return Move(wanted, 0.0)
    if RANK[wanted] > RANK[current]:
        return Move(wanted, 1.0 if wanted in FINAL else wanted_share)
    if wanted == current and wanted not in FINAL and wanted_share > share + 1e-9:
        return Move(wanted, wanted_share)
    return None
