"""The HTTP side of outbound webhooks: the httpx sender the delivery worker uses."""
