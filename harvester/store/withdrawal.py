"""The withdrawal guard: which missing records a complete run may withdraw at once."""

from __future__ import annotations

from collections.abc import Collection, Set
from dataclasses import dataclass, field


@dataclass(slots=True)
class WithdrawalPlan:
    """Remote ids to withdraw now, or to hold for review with the reason."""

    withdraw: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    reason: str | None = None


def plan_withdrawals(known_active: Set[str], seen: Collection[str], max_share: float) -> WithdrawalPlan:
    """Decide what to do with the records a complete run no longer saw.

    Nothing is withdrawn, and everything missing is held for review, when the
    source listed no record at all although records are stored, or when more
    than `max_share` of the stored records are missing. A source that
    suddenly looks empty or much smaller is more often broken than emptied.
    """
    missing = sorted(known_active.difference(seen))
    if not missing:
        return WithdrawalPlan()

    if not seen:
        reason = (f"the source listed no records although {len(known_active)} are stored; "
                  f"{len(missing)} withdrawals are held for review")
        return WithdrawalPlan(held=missing, reason=reason)

    share = len(missing) / len(known_active)
    if share > max_share:
        reason = (f"{len(missing)} of {len(known_active)} stored records ({share:.0%}) are missing, "
                  f"more than the {max_share:.0%} allowed; withdrawals are held for review")
        return WithdrawalPlan(held=missing, reason=reason)

    return WithdrawalPlan(withdraw=missing)
