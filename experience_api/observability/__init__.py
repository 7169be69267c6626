"""Traces (OpenTelemetry), request ids and the format of the gateway's log lines."""
