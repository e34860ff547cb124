"""Replay-time masking (docs/contracts/masking-rules.md): the rules current at replay applied to every
event the player receives (pure, no I/O). The rules model itself is reel.domain.rules."""

from reel.replay.masking.detectors import mask_detected
from reel.replay.masking.labels import mask_action
from reel.replay.masking.replay import ReplayMasker, mask_events
from reel.replay.masking.text import mask_text
from reel.replay.masking.urls import mask_url

__all__ = ["ReplayMasker", "mask_action", "mask_detected", "mask_events", "mask_text", "mask_url"]
