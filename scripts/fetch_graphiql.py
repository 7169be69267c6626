"""Re-fetch the GraphiQL assets the gateway serves itself (experience_api/graphiql/static/).

Each file comes from a pinned npm package tarball whose sha256 is checked before anything is
written; each package's licence file is kept beside its files. Run from the repository root:

    python3 scripts/fetch_graphiql.py

Only the Python standard library is used; a changed tarball stops the script (exit 1).
"""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
TARGET = Path(__file__).resolve().parent.parent / "experience_api" / "graphiql" / "static"

# package, version, sha256 of its tarball, {path in the tarball: file name served}
PACKAGES = (
    (
        "react",
        "18.2.0",
        "a151f7caec911760e42b7a6f6f1dfcaba141fd11ff49e2af901a2eee0366297c",
        {
            "package/umd/react.production.min.js": "react.production.min.js",
            "package/LICENSE": "react.LICENSE.txt",
        },
    ),
    (
        "react-dom",
        "18.2.0",
        "20a71e86b691f860c781f3732a85c7b3c63c4d3d9a803dca9dfe6ed0eb30e2ef",
        {
            "package/umd/react-dom.production.min.js": "react-dom.production.min.js",
            "package/LICENSE": "react-dom.LICENSE.txt",
        },
    ),
    (
        "graphiql",
        "3.8.3",
        "1cadb1c2ca0dc51ea71fb4bb2680e6185e83fe400c9a62ca5fb9dfb922472bbd",
        {
            "package/graphiql.min.js": "graphiql.min.js",
            "package/graphiql.min.css": "graphiql.min.css",
            "package/LICENSE": "graphiql.LICENSE.txt",
        },
    ),
)


def fetch(name: str, version: str, sha256: str) -> bytes:
    url = f"{REGISTRY}/{name}/-/{name}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        tarball: bytes = response.read()
    actual = hashlib.sha256(tarball).hexdigest()
    if actual != sha256:
        raise SystemExit(f"{url}: sha256 {actual}, expected {sha256}")
    return tarball


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, version, sha256, files in PACKAGES:
        tarball = fetch(name, version, sha256)
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member, served in files.items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise SystemExit(f"{name}@{version} has no file {member}")
                (TARGET / served).write_bytes(extracted.read())
        print(f"{name}@{version}: {', '.join(files.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
