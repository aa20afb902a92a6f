"""Events the network emits, as data: each ``do_*`` action returns the events its transaction
produced and the caller publishes them after commit.

The seam for the real-time layer: ``NetworkEvent`` is ``(member_id, type, data)``, exactly what
``inroad.realtime.outbox.Outbox.add((member_id,), type, data)`` takes, so wiring is a loop over
``result.events`` inside the action's transaction (or after it, for a best-effort push).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INVITATION_RECEIVED = "invitation.received"
INVITATION_ACCEPTED = "invitation.accepted"


@dataclass(frozen=True)
class NetworkEvent:
    member_id: int
    type: str
    data: dict[str, Any]


def invitation_received(
    recipient_id: int, invitation_id: int, sender_handle: str | None
) -> list[NetworkEvent]:
    """For the recipient: a new invitation is waiting."""
    return [
        NetworkEvent(
            recipient_id,
            INVITATION_RECEIVED,
            {"invitation_id": str(invitation_id), "from": sender_handle},
        )
    ]


def invitation_accepted(
    sender_id: int,
    recipient_id: int,
    invitation_id: int,
    sender_handle: str | None,
    recipient_handle: str | None,
) -> list[NetworkEvent]:
    """For both members (the sender learns of it; the recipient's other sessions update)."""
    data = {"invitation_id": str(invitation_id), "from": sender_handle, "to": recipient_handle}
    return [
        NetworkEvent(sender_id, INVITATION_ACCEPTED, data),
        NetworkEvent(recipient_id, INVITATION_ACCEPTED, data),
    ]
