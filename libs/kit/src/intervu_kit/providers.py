"""What every third-party provider adapter shares."""

from __future__ import annotations

import httpx

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_third_party(base_url: str) -> bool:
    """Does talking to this server send data off the machine? A server on this machine (llama.cpp, Ollama, a
    local Whisper server) does not, and needs no consent to third-party processing."""
    return httpx.URL(base_url).host not in _LOCAL_HOSTS
