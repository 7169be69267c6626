"""The MCP server for AI agents: tools over the same GraphQL schema and policy as
``/graphql``, with compact answers that fit a token budget."""
