# The gateway as a container: non-root, state in /data, health probe on /health.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY system_apis ./system_apis
COPY process_apis ./process_apis
COPY experience_api ./experience_api
COPY erp_sandbox ./erp_sandbox
# The versions `make test` ran with (constraints.txt, generated on Python 3.11 like this image).
RUN pip install --no-cache-dir --prefix=/install -c constraints.txt ".[postgres]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ERP_GATEWAY_HOST=0.0.0.0 \
    ERP_GATEWAY_PORT=8000 \
    ERP_GATEWAY_DATA_DIR=/data
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home-dir /data --create-home gateway
USER gateway
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('ERP_GATEWAY_PORT', '8000')}/health\", timeout=2)"]
ENTRYPOINT ["erp-gateway"]
CMD ["serve"]
