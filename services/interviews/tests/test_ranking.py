"""Reading a job posting, as pure functions: the title outweighs words every role uses; skills in the posting's
own spelling. (The labelled postings' figures are printed by `make bench`.)"""

from __future__ import annotations

from intervu_interviews.models import Question
from intervu_interviews.ranking import Ranked, infer_role, inferred_skills


def _q(role: str, text: str, key_points: list[str]) -> Question:
    return Question(key=f"{role}/technical/{abs(hash(text))}", role=role, type="technical", text=text,
                    key_points=key_points, competencies=[])  # fmt: skip


def test_the_title_decides_between_close_roles() -> None:
    ranked = [
        Ranked(_q("devops-engineer", "How do you build a CI/CD pipeline?", ["pipeline stages"]), 0.50, ["ci"]),
        Ranked(_q("software-engineer", "How do you design a REST API?", ["resources", "errors"]), 0.47, ["api"]),
    ]
    posting = "Backend Engineer (Python). You will build APIs and keep our CI pipeline green."
    inference = infer_role(ranked, posting)
    assert inference is not None and inference.role == "software-engineer"
    assert inference.alternatives == ["devops-engineer"]
    assert infer_role(ranked, "We build things.") is not None
    assert infer_role([], posting) is None


def test_skills_are_the_postings_own_words_that_mark_its_role() -> None:
    ranked = [
        Ranked(_q("data-analyst", "Write a SQL query with a window function.", ["uses ROW_NUMBER"]), 0.5, []),
        Ranked(_q("data-analyst", "How would you build a dashboard?", ["one question per chart"]), 0.4, []),
        Ranked(_q("marketing", "How would you plan a campaign?", ["audience", "budget", "chart"]), 0.3, []),
    ]
    posting = "Data Analyst, Growth team. You bring strong SQL, window functions, dashboards in Power BI; you chart."
    skills = inferred_skills(ranked, posting, "data-analyst")
    assert "SQL" in skills and "dashboards" in skills and "Power BI" not in skills  # not asked of questions
    assert "chart" not in [s.lower() for s in skills]  # every role's questions use it: no mark of the role
