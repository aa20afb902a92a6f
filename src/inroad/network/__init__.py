"""Network: connections, degrees, mutual connections, invitations, suggestions, blocks, reports."""
