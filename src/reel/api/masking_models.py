"""The response models of the masking-rules routes that came with the rules editor (pydantic: the OpenAPI
document and docs/contracts/operator-api.md describe them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from reel.domain.rules import Preset


class ConsentModel(BaseModel):
    """Whether recording waits for consent, and whether Global Privacy Control refuses it."""

    required: bool
    honor_gpc: bool


class RulesVersionModel(BaseModel):
    """One version of an application's rules document, with who saved it, when, and what it restored."""

    version: int = Field(description="0: Reel's built-in defaults (never saved)")
    preset: Preset
    consent: ConsentModel
    rules: list[dict[str, Any]] = Field(
        description="The rules, as docs/contracts/masking-rules.md writes them"
    )
    updated_by: str | None = Field(description="The operator id who saved it; null for version 0")
    updated_by_name: str | None = Field(description="That operator's name, null if unknown or deleted")
    updated_at: int | None = Field(description="When it was saved, ms epoch; null for version 0")
    restored_from: int | None = Field(description="The earlier version this one copies (a restore), or null")


class RulesCheckModel(BaseModel):
    """A draft rules document the server accepts, written as it would be stored (version not assigned)."""

    ok: Literal[True]
    document: dict[str, Any]


class PreviewModel(BaseModel):
    """One segment of a session masked with draft rules: what the player would receive after saving them."""

    n: int = Field(description="The segment's number, as in GET /api/v1/sessions/{id}")
    start: int
    end: int
    head: list[dict[str, Any]] = Field(description="The state at the segment's start (replay events)")
    events: list[dict[str, Any]] = Field(description="The segment's events, masked with the draft rules")
    rules: dict[str, Any] = Field(description="The draft rules document as parsed (version: the current one)")
