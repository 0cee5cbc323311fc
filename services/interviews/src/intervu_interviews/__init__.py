"""The interviews service: Question bank and practice sessions: questions asked, answers given, attempts kept."""
