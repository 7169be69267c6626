"""``GET /metrics``: the gateway's series in Prometheus' text format.

Like ``/health`` and ``/ready`` it takes no token (Prometheus scrapes every replica); it
shows counts, durations and names of connections, flows and operations, never a record.
In production keep it off the public route (see docs/metrics.md).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from experience_api.gateway import Gateway
from process_apis.metrics.exposition import CONTENT_TYPE


async def metrics(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    if gateway.exposition is None:
        return Response("no metrics are wired in this gateway\n", 404, media_type="text/plain")
    body = await gateway.exposition.render()
    return Response(body, headers={"Content-Type": CONTENT_TYPE})
