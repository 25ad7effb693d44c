"""The change records that the comparison yields and every renderer consumes.

A `Change` says what differs at one place of the two schemas (by rule id from `rules.CATALOGUE`),
what that does to the wire in each direction, what it does to the generated bindings, and, for
each direction it breaks, a verified witness event (or why there is none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Effect(str, Enum):
    """Effect of a change in one direction (BACKWARD or FORWARD) or on the bindings (API)."""

    COMPATIBLE = "compatible"
    BREAKING = "breaking"
    UNDECIDED = "undecided"  # counted as breaking: the engine could not prove inclusion
    NONE = "none"  # documentation-only, or no effect at all on this axis

    @property
    def breaks(self) -> bool:
        """Breaking and undecided both fail a check: soundness before convenience."""
        return self in (Effect.BREAKING, Effect.UNDECIDED)


class Direction(str, Enum):
    """BACKWARD: OLD documents must be valid under NEW. FORWARD: NEW documents valid under OLD."""

    BACKWARD = "backward"
    FORWARD = "forward"


@dataclass(frozen=True)
class Witness:
    """A complete root-level event that one schema accepts and the other rejects.

    `verified` is True only after both verdicts were checked with `jsonschema` for each schema's
    own draft; `accepted_by`/`rejected_by` are "old"/"new". `error` is the rejecting validator's
    first message, so a reader sees why.
    """

    direction: Direction
    event: Any
    accepted_by: str
    rejected_by: str
    verified: bool
    error: str = ""


@dataclass(frozen=True)
class Change:
    """One difference between OLD and NEW, classified by a catalogue rule.

    - `rule`: stable kebab-case id from `rules.CATALOGUE`; the message template lives there.
    - `old_pointer` / `new_pointer`: JSON pointers of the place in each document (None if absent).
    - `definition`: the definition that holds the place (None for the root schema).
    - `property`: the property name concerned, if any.
    - `backward` / `forward` / `api`: effects; `api` is the effect on generated bindings.
    - `details`: rule-specific values used by the message (e.g. old and new type).
    - `reached_from`: JSON pointers of root-level properties through which data reaches the place.
    - `witnesses`: one per breaking direction where one could be built and verified.
    - `no_witness`: per breaking direction without a witness, the reason.
    """

    rule: str
    old_pointer: str | None
    new_pointer: str | None
    definition: str | None
    property: str | None
    backward: Effect
    forward: Effect
    api: Effect = Effect.NONE
    details: dict[str, Any] = field(default_factory=dict)
    reached_from: tuple[str, ...] = ()
    witnesses: tuple[Witness, ...] = ()
    no_witness: dict[str, str] = field(default_factory=dict)
    accepted: str | None = None  # reason, when an accepted-breaks entry matches this change
    # Which reading of an undeclared document this change (its effects, its witness) rests on,
    # e.g. "old read as 2020-12"; None when every reading gives the same change.
    reading: str | None = None


@dataclass(frozen=True)
class Report:
    """Everything `diff` found for one OLD/NEW pair, plus the overall verdicts."""

    old_name: str
    new_name: str
    changes: tuple[Change, ...]
    backward: Effect
    forward: Effect
    api: Effect
    stale_accepted: tuple[dict[str, Any], ...] = ()
    # The readings decided, when a document declares no draft ("old read as draft-04", ...): the
    # verdicts are the worst over them, so they hold whatever draft a reader applies.
    readings: tuple[str, ...] = ()
