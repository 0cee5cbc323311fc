"""The device a session was practised on (type, operating system, browser), read from the browser's User-Agent
and kept only for people who consented to it (the privacy policy, section 1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from ua_parser import parse

DeviceType = Literal["desktop", "mobile", "tablet", "unknown"]
_DESKTOP_OS = ("Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Chrome OS", "FreeBSD")


class DeviceInfo(BaseModel):
    type: DeviceType
    os: str | None
    browser: str | None


def _version(family: str, major: str | None, minor: str | None = None) -> str:
    return " ".join(p for p in (family, ".".join(v for v in (major, minor) if v)) if p)


def describe_device(user_agent: str | None) -> DeviceInfo | None:
    if not user_agent or not user_agent.strip():
        return None
    parsed = parse(user_agent[:1000])  # a User-Agent is short; a huge header is not worth parsing whole
    ua, os, device = parsed.user_agent, parsed.os, parsed.device
    os_family = os.family if os else None
    family = device.family if device else ""
    if "iPad" in family or "Tablet" in user_agent or (os_family == "Android" and "Mobile" not in user_agent):
        kind: DeviceType = "tablet"
    elif os_family in ("Android", "iOS") or "Mobile" in user_agent:
        kind = "mobile"
    elif os_family in _DESKTOP_OS:
        kind = "desktop"
    else:
        kind = "unknown"
    return DeviceInfo(
        type=kind,
        os=_version(os.family, os.major, os.minor) if os and os.family != "Other" else None,
        browser=_version(ua.family, ua.major) if ua and ua.family != "Other" else None,
    )
