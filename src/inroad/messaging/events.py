"""Event types messaging writes to members' event logs (API.md "Real-time").

Data shapes (ids are strings):
- ``message.created`` / ``message.edited`` / ``message.deleted``: ``{conversation_id, message}``
- ``reaction.added`` / ``reaction.removed``: ``{conversation_id, message_id, emoji, handle,
  message}`` (``message.reactions[].mine`` is as the receiving member sees it)
- ``conversation.read``: ``{conversation_id, message_id, handle}`` (+ ``unread_count`` in the
  reader's own copy)
- ``conversation.updated``: ``{conversation_id, changes: {…Conversation fields…}}``, or
  ``{conversation_id, removed: true}`` for the member who left or was removed
- ``typing`` (live only, never stored): ``{conversation_id, member}``
"""

MESSAGE_CREATED = "message.created"
MESSAGE_EDITED = "message.edited"
MESSAGE_DELETED = "message.deleted"
REACTION_ADDED = "reaction.added"
REACTION_REMOVED = "reaction.removed"
CONVERSATION_READ = "conversation.read"
CONVERSATION_UPDATED = "conversation.updated"
TYPING = "typing"
