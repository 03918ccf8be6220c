"""The knobs of linking one person across the portals and of the joined-view findings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonLinkPolicy:
    #: A probabilistic link (the duplicate model's) is a link at or above this probability; below it goes to
    #: the review list. Deterministic links (a shared id, an accepted merge, agreeing e-mail or address) are
    #: certain.
    certain_probability: float = 0.99
    #: Duplicate-model pairs below this are not even shown for review (the pairs mart's own review floor).
    review_probability: float = 0.5
    #: The health system's own employer group in the health plan. None = the employer whose subscribers link
    #: to the most HR records (the data tells which employer the plan insures the workforce for).
    employer_id: str | None = None
    #: "Attacks across portals": a success on another portal up to this long after a lockout or stuffing
    #: burst, and failures of one IP on several portals with no gap longer than this between them.
    attack_minutes: int = 60
    #: Portals one IP must fail on (within one burst) to be reported.
    attack_portals: int = 2

    def __post_init__(self) -> None:
        for name in ("certain_probability", "review_probability"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"PersonLinkPolicy.{name} must be in (0, 1], got {value!r}")
        if self.review_probability > self.certain_probability:
            raise ValueError("PersonLinkPolicy.review_probability must not exceed certain_probability")
        for name in ("attack_minutes", "attack_portals"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"PersonLinkPolicy.{name} must be a positive whole number, got {value!r}")
