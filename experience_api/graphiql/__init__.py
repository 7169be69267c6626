"""GraphiQL served by the gateway itself, so it works on a closed network."""
