"""The notifications service: Web push and email when feedback is ready or practice is due, only with permission."""
