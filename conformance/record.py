"""Record the shipped cassettes again: the conformance run against the reference server.

    python conformance/record.py [pytest args...]

Starts ``fctest serve`` on a free loopback port and runs ``pytest conformance`` in a child
process (so the plugin sees a fresh interpreter) in record mode ``all``, with every built-in
provider pointed at the server. The cassettes are written through the plugin's own record mode
over real HTTP, and their provenance says ``reference-server``. Pass
``--fctest-providers NAME`` to record one provider.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fctest.server import running

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    with running() as server:
        args = [sys.executable, "-m", "pytest", str(HERE), "-q", "-p", "no:cacheprovider"]
        args += ["--fctest-record-mode", "all"]
        for provider, url in sorted(server.base_urls().items()):
            args += ["--fctest-base-url", f"{provider}={url}"]
        return subprocess.run([*args, *argv], cwd=HERE.parent, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
