"""The experience layer: GraphQL API, HTTP app, CLI, settings and the composition root."""
