"""Messaging: conversations (1:1, groups, message requests), messages, reactions, read state,
folders, attachments and message search."""
