from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from intervu_kit.policy_gate import PolicyAccepted

from intervu_feedback.framing.schemas import FramingOut
from intervu_feedback.framing.service import MAX_BYTES, FrameTooLarge, check

router = APIRouter(tags=["framing"])
_CHECKS = anyio.CapacityLimiter(2)


@router.post(
    "/framing",
    response_model=FramingOut,
    openapi_extra={
        "requestBody": {"required": True, "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def check_framing(request: Request, user: PolicyAccepted) -> FramingOut:
    """Before answering: one frame of your camera (a JPEG, at most 1 MB and 1920x1080) checked the way your answer's
    feedback will check the video (face in the picture, centred, distance, facing the camera) plus the light on
    your face, with what to change. Nothing is stored."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            raise FrameTooLarge()
    # A few at a time: each check decodes a frame and runs the detector, and the API must stay responsive.
    result = await anyio.to_thread.run_sync(check, bytes(body), limiter=_CHECKS)
    return FramingOut(
        ok=result.ok, face=result.face, centred=result.centred, distance=result.distance,
        facing=result.facing, lit=result.lit, advice=result.advice,
    )  # fmt: skip
