"""What authentication costs a request: token validation alone (RS256 and ES256), and
`{ __typename }` over HTTP (in process) tokenless in local mode against with a bearer token
in production mode, with rate limiting in memory or in Redis.

    .venv/bin/python bench/authentication.py [--requests 2000] [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from experience_api.app import create_app
from experience_api.security.config import AuthSettings, RateLimitSettings
from experience_api.security.jwks import StaticKeys
from experience_api.security.tokens import TokenValidator, TrustedIssuer
from experience_api.settings import Settings

ISSUER = "https://idp.bench"


class Issuer:
    """An RSA and an EC signing key, their JWKS, and tokens for a sales caller."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[Any, str]] = {
            "rsa-1": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
            "ec-1": (ec.generate_private_key(ec.SECP256R1()), "ES256"),
        }
        self.issuer = ISSUER

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, (key, alg) in self.keys.items():
            family = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
            keys.append({**json.loads(family.to_jwk(key.public_key())), "kid": kid, "alg": alg})
        return {"keys": keys}

    def token(self, kid: str = "rsa-1", client: str = "bench") -> str:
        key, alg = self.keys[kid]
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": "erp-gateway",
            "sub": "bench",
            "azp": client,
            "iat": now,
            "exp": now + 3600,
            "roles": ["sales"],
            "companies": ["*"],
        }
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


QUERY = {"query": "{ __typename }"}


async def validation(issuer: Issuer, n: int) -> None:
    keys = StaticKeys.from_document(issuer.jwks())
    validator = TokenValidator(
        [TrustedIssuer(issuer.issuer, keys)],
        audience="erp-gateway",
        algorithms=["RS256", "ES256"],
        leeway_seconds=30,
    )
    for kid, (_, algorithm) in issuer.keys.items():
        token = issuer.token(kid)
        start = time.perf_counter()
        for _ in range(n):
            await validator.validate(token)
        each = (time.perf_counter() - start) / n
        print(f"validate {algorithm}: {each * 1e6:8.1f} µs per token")


async def http(settings: Settings, token: str | None, n: int, label: str) -> None:
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            times = []
            for _ in range(n):
                start = time.perf_counter()
                response = await client.post("/graphql", json=QUERY, headers=headers)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text
    times.sort()
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99)]
    print(
        f"{label:44} p50 {p50 * 1e3:6.2f} ms  p99 {p99 * 1e3:6.2f} ms  {n / sum(times):7.0f} req/s"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--redis", default=None, help="also measure with Redis counters")
    args = parser.parse_args()
    issuer = Issuer()
    await validation(issuer, args.requests)
    unlimited = RateLimitSettings(default="1000000/minute")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        jwks = data / "jwks.json"
        jwks.write_text(json.dumps(issuer.jwks()))

        def production(storage: str = "memory://", enabled: bool = True) -> Settings:
            limits = unlimited.model_copy(update={"storage_url": storage, "enabled": enabled})
            auth = AuthSettings(issuer=issuer.issuer, jwks_file=jwks, rate_limit=limits)
            return Settings(data_dir=data, mode="production", auth=auth)

        local = Settings(
            data_dir=data,
            auth=AuthSettings(rate_limit=unlimited.model_copy(update={"enabled": False})),
        )
        n = args.requests
        await http(local, None, n, "local, tokenless, no rate limit")
        await http(
            production(enabled=False), issuer.token(), n, "production, RS256 token, no rate limit"
        )
        await http(production(), issuer.token(), n, "production, RS256 token, memory limits")
        if args.redis:
            token = issuer.token(client=f"bench-{time.time()}")
            await http(production(args.redis), token, n, "production, RS256 token, Redis limits")


if __name__ == "__main__":
    asyncio.run(main())
