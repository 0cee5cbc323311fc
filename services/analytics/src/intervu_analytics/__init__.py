"""The analytics service: Progress over time: scores per skill, pace and filler trends."""
