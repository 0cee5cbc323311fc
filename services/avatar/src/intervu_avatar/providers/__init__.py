"""Who renders the interviewer's clips: the `AvatarProvider` port, the local renderer and a cloud adapter."""
