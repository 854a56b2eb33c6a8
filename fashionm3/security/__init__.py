"""Security guards: what the app lets callers reach, fetch and read."""
