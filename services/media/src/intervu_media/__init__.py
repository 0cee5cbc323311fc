"""The media service: Resumable recording uploads (tus), validation with ffprobe, and owner-only playback."""
