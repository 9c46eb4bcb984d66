"""The ``fctest`` command. Subcommands stay thin: each calls one public function."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    return run_demo(args.providers or None, out=sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fctest", description="Contract tests and provider conformance for LLM tool calling."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="build one request with the same tools for every adapter and show what each changed",
    )
    demo.add_argument("--providers", nargs="*", help="adapter names (default: all registered)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code
