"""A session's interviewer clips: planned from `interviews.session_created.v1`, rendered by the worker, served."""
