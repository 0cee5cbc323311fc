"""The offline default coach: a narrative assembled from the metrics, so feedback never needs a cloud account."""

from __future__ import annotations

from typing import Any

from intervu_feedback.coaching.base import Coaching, Improvement

_DRILLS = {
    "fillers": "Answer the same question again and replace each filler with a one-second silent pause.",
    "pace": "Record a one-minute answer aiming for 140-160 words per minute; listen back once.",
    "structure": "Write four lines (situation, task, action, result) before you answer, then answer from them.",
    "coverage": "List the points the question asks for before you start, and tick them off as you speak.",
    "relevance": "Start with a one-sentence direct answer to the question, then give your example.",
    "quantified": "Add one number to your result: time saved, a percentage, a count of people or customers.",
    "length": "Aim for the suggested time: lead with the point, one example, one result.",
    "pauses": "When you need time, say so, then pause silently; practise with a timer.",
    "intonation": "Read your answer aloud and stress one key word in each sentence.",
    "presence": "Set the camera at eye level, sit centred and look at the lens.",
}


class LocalCoach:
    name = "local"
    third_party = False

    async def write(self, brief: dict[str, Any]) -> Coaching:
        scores = sorted(brief["scores"], key=lambda s: s["value"])
        strengths = [r["message"] for r in brief["remarks"] if r["tone"] == "strength"][:3]
        best = [s for s in reversed(scores) if s["value"] >= 70][:2]
        strengths += [f"{s['name'].capitalize()}: {s['why']}" for s in best if len(strengths) < 3]
        if not strengths:
            strengths = ["You gave a complete answer to work from."]
        improve = [r["message"] for r in brief["remarks"] if r["tone"] == "improve"]
        weakest = [s for s in scores if s["value"] < 80][:3]
        improvements = [
            Improvement(
                point=f"{s['name'].capitalize()} ({s['value']}/100): {s['why']}",
                suggestion=_DRILLS.get(s["name"], "Practise this answer again with that in mind."),
            )
            for s in weakest
        ]
        if not improvements:
            improvements = [
                Improvement(point="A strong answer overall.", suggestion="Try a harder question of the same type.")
            ]
        overall = brief["overall"]
        # Said of the answer, never of the attempt: "a first answer" read as "your first attempt" on attempt two.
        level = "a strong answer" if overall >= 80 else "a solid base" if overall >= 60 else "a draft with clear gains"
        summary = f"This answer scored {overall}/100: {level}."
        if improve:
            summary += " The biggest gain: " + improve[0][0].lower() + improve[0][1:]
        next_step = improvements[0].suggestion if weakest else "Practise a harder question of this type."
        return Coaching(
            summary=summary[:1200], strengths=strengths[:4], improvements=improvements[:4], next_step=next_step
        )
