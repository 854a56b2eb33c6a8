"""Security by construction: server-issued identities, personal API keys, guarded outbound fetches, typed input."""
