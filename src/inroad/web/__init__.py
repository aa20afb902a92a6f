"""The server-rendered web UI: it composes the domains and calls the same actions as the API."""
