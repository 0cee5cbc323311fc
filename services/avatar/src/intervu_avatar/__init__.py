"""The avatar service: The AI video interviewer: personas, speech and talking-head videos, rendered ahead of time."""
