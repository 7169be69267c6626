"""``SapSession``: the HTTP session with one SAP Gateway, beneath the OData operations.

It owns the ``httpx.AsyncClient`` (base URL, authentication, ``Accept``/``Accept-Language``
headers, the session cookies), builds service URLs (``sap-client``, ``$format=json``, SAP's
``__next`` links), gives writes their CSRF token (:mod:`system_apis.sap.csrf`) and turns
transport failures and SAP's error answers into :mod:`system_apis.contracts.errors` exceptions.
"""

from __future__ import annotations

import json
import re
import string
import uuid
from collections.abc import Mapping, Sequence

import httpx

from system_apis.contracts.errors import (
    AuthenticationFailed,
    ErpError,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.sap.answers import JsonObject
from system_apis.sap.batch import (
    MalformedBatch,
    Write,
    batch_answers,
    batch_body,
    changeset_answers,
    changeset_body,
    new_boundary,
)
from system_apis.sap.csrf import CSRF_HEADER, CsrfTokens, csrf_required, with_token
from system_apis.sap.errors import error_from_response
from system_apis.sap.odata import encode_query
from system_apis.tracing import event_hooks

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
# Failures that prove the request never left: a write that hit one of these can be retried.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


# What may stand in a path (and, with "?", a query) that httpx's parser keeps as it is:
# RFC 3986 unreserved characters, sub-delimiters, ":", "@", "/" and "%" starting a
# percent-encoded octet. No space, control character, quote, "#", "[" or "]".
_PATH_CHARACTERS = string.ascii_letters + string.digits + "-._~" + "!$&'()*+,;=" + ":@/%"
_QUERY_CHARACTERS = _PATH_CHARACTERS + "?"
_STRAY_PERCENT = re.compile("%(?![0-9A-Fa-f]{2})")
_MAX_URL_LENGTH = 65536  # httpx refuses longer components


def _plain(base: httpx.URL, target: str) -> httpx.URL | None:
    """``target`` (an absolute path with its query) on ``base``'s origin as an httpx URL,
    built without parsing when httpx's parser would keep it unchanged: only the characters
    above, every "%" starting an encoded octet, no dot segment (which httpx would remove).
    None for anything else, which the caller leaves to httpx's parser and its checks."""
    path, has_query, query = target.partition("?")
    if (
        len(target) > _MAX_URL_LENGTH
        or not path.startswith("/")
        or path.startswith("//")
        or "/." in path
        or path.strip(_PATH_CHARACTERS)
        or query.strip(_QUERY_CHARACTERS)
        or _STRAY_PERCENT.search(target)
    ):
        return None
    reference = base._uri_reference
    url = httpx.URL(base)
    url._uri_reference = reference._replace(
        path=path, query=query if has_query else None, fragment=None
    )
    return url


class SapSession:
    """Requests to the services under ``<base_url>/<service_path>/``.

    A service name with slashes (``api_billingdocument/srvd_a2x/sap/billingdocument/0001``) is
    an OData v4 service path under ``<base_url>/<odata4_path>/`` instead; OData v2 service
    names never contain one. ``connection`` is the connection name set on the errors the
    session raises.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None,
        sap_client: str | None,
        timeout: float | httpx.Timeout,
        transport: httpx.AsyncBaseTransport | None,
        connection: str | None,
        service_path: str,
        language: str | None,
        odata4_path: str = "/sap/opu/odata4/sap",
    ) -> None:
        headers = {"Accept": "application/json"}
        if language:
            headers["Accept-Language"] = language
        self._http = httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            transport=transport,
            headers=headers,
            follow_redirects=False,
            event_hooks=event_hooks(),
        )
        self._sap_client = sap_client
        self.connection = connection
        self._service_path = service_path.strip("/")
        self._odata4_path = odata4_path.strip("/")
        self._csrf = CsrfTokens()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(
        self,
        method: str,
        service: str,
        resource: str,
        query: list[tuple[str, str]],
        *,
        json_body: JsonObject | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One request to ``<service root><resource>?<query>``; a write carries a CSRF token.

        Reads ask for ``$format=json``. A write SAP refuses for its token is sent once more with
        a freshly fetched one. Answers other than success raise.
        """
        write = method in WRITE_METHODS
        if method == "GET":
            query = [*query, ("$format", "json")]
        url = self._url(service, resource, query)
        content = None
        request_headers = dict(headers or {})
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":")).encode()
            request_headers["Content-Type"] = "application/json"
        if not write:
            return await self._send_url(method, url, write=False, headers=request_headers)

        return await self._write(service, method, url, request_headers, content)

    async def _write(
        self,
        service: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
    ) -> httpx.Response:
        """A write with the CSRF token of ``service``, sent once more with a fresh token when
        SAP refuses the one it carried."""
        token = await self._csrf_token(service)
        response = await self._send_url(
            method, url, write=True, headers=with_token(headers, token), content=content
        )
        if csrf_required(response):
            token = await self._csrf_token(service, stale=token)
            response = await self._send_url(
                method, url, write=True, headers=with_token(headers, token), content=content
            )
            if csrf_required(response):
                raise AuthenticationFailed(
                    "SAP refused a freshly fetched CSRF token",
                    connection=self.connection,
                )
        return response

    async def send_changeset(self, service: str, writes: Sequence[Write]) -> list[httpx.Response]:
        """``writes`` in one ``$batch`` changeset, all or nothing; one answer per write.

        The batch carries the CSRF token as a write does (a changeset needs one). When SAP
        refused a write, none was made and its error raises as if it had been sent alone; a
        lost answer raises UnknownOutcome.
        """
        root = self._http.base_url.join(self._service_root(service))
        requests = [httpx.Request(w.method, root.join(w.target)) for w in writes]
        boundary, changeset = new_boundary(), f"changeset_{uuid.uuid4()}"
        response = await self._write(
            service,
            "POST",
            self._url(service, "$batch", []),
            {"Content-Type": f"multipart/mixed; boundary={boundary}"},
            changeset_body(boundary, changeset, writes),
        )
        try:
            answers = changeset_answers(response, requests)
        except MalformedBatch as exc:
            raise UnknownOutcome(
                f"SAP answered a $batch changeset with {exc}; the writes may have happened",
                connection=self.connection,
            ) from exc
        for answer in answers:
            if not answer.is_success:
                raise error_from_response(answer, write=True, connection=self.connection)
        return answers

    async def get_many(
        self, service: str, reads: list[tuple[str, list[tuple[str, str]]]]
    ) -> list[httpx.Response]:
        """Several ``GET`` of ``(resource, query)`` in one ``$batch``; one answer per read.

        A read SAP refused raises its error as if it had been sent alone. A batch of reads
        needs no CSRF token (SAP Gateway checks it for changesets only).
        """
        targets = [
            f"{resource}?{encode_query([*query, ('$format', 'json')])}" for resource, query in reads
        ]
        root = self._http.base_url.join(self._service_root(service))
        requests = [httpx.Request("GET", root.join(target)) for target in targets]
        boundary = new_boundary()
        response = await self._send_url(
            "POST",
            self._url(service, "$batch", []),
            write=False,
            headers={"Content-Type": f"multipart/mixed; boundary={boundary}"},
            content=batch_body(boundary, targets),
        )
        try:
            answers = batch_answers(response, requests)
        except MalformedBatch as exc:
            raise Unavailable(
                f"SAP answered a $batch with {exc}", connection=self.connection
            ) from exc
        for answer in answers:
            if not answer.is_success:
                raise error_from_response(answer, write=False, connection=self.connection)
        return answers

    async def get_metadata(self, service: str) -> str:
        """The EDMX document ``<service root>$metadata`` (XML; never ``$format=json``)."""
        url = self._url(service, "$metadata", [])
        response = await self._send_url(
            "GET", url, write=False, headers={"Accept": "application/xml"}
        )
        return response.text

    async def get_next(self, service: str, next_link: str) -> httpx.Response:
        """``GET`` of SAP's ``__next`` link of a collection read of ``service``."""
        return await self._send_url("GET", self._next_url(service, next_link), write=False)

    def _service_root(self, service: str) -> str:
        segments = service.split("/")
        if any(s in ("", ".", "..") or "?" in s or "#" in s for s in segments):
            raise ValueError(f"not an SAP service name: {service!r}")
        prefix = self._odata4_path if len(segments) > 1 else self._service_path
        return f"{prefix}/{service}/"

    def _url(self, service: str, resource: str, query: list[tuple[str, str]]) -> str:
        items = list(query)
        if self._sap_client:
            items.append(("sap-client", self._sap_client))
        url = self._service_root(service) + resource
        return f"{url}?{encode_query(items)}" if items else url

    def _next_url(self, service: str, next_link: str) -> str:
        """The URL of SAP's ``__next`` link: same origin only; relative to the service root."""
        target = httpx.URL(next_link)
        if target.is_absolute_url:
            base = self._http.base_url
            if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
                raise Unavailable(
                    f"SAP pointed the next page to another origin: {target.host}",
                    connection=self.connection,
                )
            return str(target)
        if next_link.startswith("/"):
            return next_link
        return self._service_root(service) + next_link

    async def _send_url(
        self,
        method: str,
        url: str,
        *,
        write: bool,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method, self._absolute(url), headers=headers, content=content
            )
        except httpx.TimeoutException as exc:
            raise self._transport_error(exc, write, "timed out") from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, write, "failed") from exc
        except httpx.InvalidURL as exc:
            raise ValidationRejected(
                f"cannot build an SAP URL: {exc}", connection=self.connection
            ) from exc
        if response.is_success:
            return response
        if write and csrf_required(response):
            return response
        raise error_from_response(response, write=write, connection=self.connection)

    def _absolute(self, url: str) -> httpx.URL | str:
        """``url`` joined to the client's base URL as httpx would join it, parsed at most
        once: a relative string is parsed twice by httpx (alone, then joined), and our
        ``$filter`` URLs run to thousands of characters, each checked and quoted on every
        parse. One already in httpx's canonical form is not parsed at all (:func:`_plain`)."""
        if not url.isascii() or "://" in url.partition("?")[0]:
            return url
        base = self._http.base_url
        target = base.raw_path.decode("ascii") + url.lstrip("/")
        return _plain(base, target) or base.copy_with(raw_path=target.encode("ascii"))

    def _transport_error(self, exc: httpx.HTTPError, write: bool, what: str) -> ErpError:
        name = type(exc).__name__
        if write and not isinstance(exc, _NOT_SENT):
            return UnknownOutcome(
                f"SAP request {what} after it was sent ({name}); the write may have happened",
                connection=self.connection,
            )
        return Unavailable(f"SAP request {what} ({name})", connection=self.connection)

    async def _csrf_token(self, service: str, *, stale: str | None = None) -> str:
        """The CSRF token of a service root; fetched when missing or equal to ``stale``."""

        async def fetch() -> httpx.Response:
            url = self._url(service, "", [])
            return await self._send_url("GET", url, write=False, headers={CSRF_HEADER: "Fetch"})

        return await self._csrf.token(self._service_root(service), fetch, stale=stale)
