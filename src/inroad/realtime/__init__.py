"""Real-time: the per-member event log, the event bus, ``/api/v1/sync`` and the WebSocket."""
