"""Who is calling and what they may do: bearer tokens, roles, scopes, limits, audit."""
