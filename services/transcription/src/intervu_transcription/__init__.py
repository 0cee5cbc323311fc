"""The transcription service: Speech-to-text of every answer with word timings and fillers kept verbatim."""
