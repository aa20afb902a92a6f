"""Event types premium writes to members' event logs (API.md "Real-time").

Data shapes (ids are strings):
- ``credits.changed`` → the member whose credits changed: ``{plan, balance}``
- ``inmail.answered`` → both participants: ``{conversation_id, inmail_state, answered_at}``
  (``inmail_state``: interested | not_interested | replied)
"""

CREDITS_CHANGED = "credits.changed"
INMAIL_ANSWERED = "inmail.answered"
