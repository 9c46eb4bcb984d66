"""The ``fctest`` command. Subcommands stay thin: each calls one public function."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

__all__ = ["main"]


if TYPE_CHECKING:
    _Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    return run_demo(args.providers or None, out=sys.stdout)


def _check(args: argparse.Namespace) -> int:
    from .compat import run_check

    strict = {"as-declared": None, "on": True, "off": False}[args.strict]
    return run_check(
        args.target, args.providers, output=args.format, strict=strict, model=args.model
    )


def _serve(args: argparse.Namespace) -> int:
    from .server import serve

    return serve(args.host, args.port, cassettes=args.cassettes, out=sys.stdout, err=sys.stderr)


def _matrix(args: argparse.Namespace) -> int:
    from . import matrix

    if args.matrix_command == "observe":
        return matrix.observe_command(
            args.paths, output=args.output, provider=args.provider, root=args.root
        )
    if args.matrix_command == "merge":
        return matrix.merge_command(args.inputs, output=args.output)
    if args.matrix_command == "diff":
        return matrix.diff_command(
            args.old,
            args.new,
            allow=args.allow,
            allow_file=args.allow_file,
            fail_on=args.fail_on or ("regression",),
            fmt=args.format,
        )
    return matrix.render_command(
        args.file,
        fmt=args.format,
        output=args.output,
        width=args.width,
        color=args.color,
        step_summary=not args.no_step_summary,
        update=args.update,
        check=args.check,
    )


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
    _add_check(sub)
    serve = sub.add_parser(
        "serve",
        help="run the reference server on loopback: every built-in provider's wire format, "
        "answering the conformance scenarios (or a folder of cassettes) until Ctrl-C",
    )
    serve.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    serve.add_argument("--cassettes", metavar="DIR", help="answer from the cassettes in DIR")
    serve.set_defaults(func=_serve)
    _add_matrix(sub)
    return parser


def _add_check(sub: _Subparsers) -> None:
    check = sub.add_parser(
        "check",
        help="check your tools against providers, offline: compatible, compatible after "
        "rewriting (what changed), or incompatible (why, where); exit 1 if any is refused",
    )
    check.add_argument(
        "target",
        metavar="TARGET",
        help="import path of a Tool, a list of tools or a module (pkg.mod:attr), "
        "or a JSON file of OpenAI-style tool definitions",
    )
    check.add_argument("--providers", nargs="*", help="adapter names (default: all registered)")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument(
        "--model",
        help="check for this model: each provider's rules for its model family apply "
        "(default: the providers' documented defaults)",
    )
    check.add_argument(
        "--strict",
        choices=["as-declared", "on", "off"],
        default="as-declared",
        help="check every tool as strict (on) or not (off); default: each tool's own setting",
    )
    check.set_defaults(func=_check)


def _add_matrix(sub: _Subparsers) -> None:
    matrix = sub.add_parser(
        "matrix", help="observe recordings; merge, diff and render capability matrix files"
    )
    msub = matrix.add_subparsers(dest="matrix_command", required=True)
    observe = msub.add_parser(
        "observe",
        help="decode real cassettes (any format fctest reads) with the right adapter and write "
        "recorded observations per provider and model; counts go to stderr",
    )
    observe.add_argument("paths", nargs="+", metavar="PATH", help="cassette files or folders")
    observe.add_argument(
        "-o", "--output", metavar="OUT", help="observations file to write (default stdout)"
    )
    observe.add_argument(
        "--provider", metavar="NAME", help="decode everything with this adapter (default: detect)"
    )
    observe.add_argument(
        "--root",
        metavar="DIR",
        help="what recorded paths are made relative to (default: the working directory)",
    )
    merge = msub.add_parser(
        "merge", help="merge results/observations/matrix files (any order) into one matrix"
    )
    merge.add_argument(
        "inputs", nargs="+", metavar="FILE", help="results, observations or matrix files"
    )
    merge.add_argument(
        "-o", "--output", metavar="OUT", help="matrix file to write (default stdout)"
    )
    diff = msub.add_parser(
        "diff", help="list changed cells; exit 1 on a regression (or --fail-on) not allowed"
    )
    diff.add_argument("old", metavar="OLD", help="the baseline (say, the last release's matrix)")
    diff.add_argument("new", metavar="NEW", help="the matrix to check")
    diff.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="PROVIDER:CAPABILITY=REASON",
        help="accept a known blocking change (provider[family or model]:capability=reason); "
        "repeatable",
    )
    diff.add_argument("--allow-file", metavar="FILE", help="one --allow entry per line")
    diff.add_argument(
        "--fail-on",
        action="append",
        choices=["regression", "finding"],
        metavar="KIND",
        help="also exit 1 on this kind of change: finding (a new contradiction between a "
        "declaration and real traffic); regressions always fail; repeatable",
    )
    diff.add_argument("--format", choices=["text", "json"], default="text")
    render = msub.add_parser("render", help="render a matrix for a terminal, Markdown, HTML, JSON")
    render.add_argument("file", metavar="FILE", help="matrix or results file")
    render.add_argument("--format", choices=["terminal", "md", "html", "json"], default="terminal")
    render.add_argument("-o", "--output", metavar="OUT", help="file to write (default stdout)")
    render.add_argument("--width", type=int, default=100, help="terminal width (default 100)")
    render.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    render.add_argument(
        "--no-step-summary",
        action="store_true",
        help="md: do not append to $GITHUB_STEP_SUMMARY even when it is set",
    )
    render.add_argument(
        "--update",
        metavar="DOC",
        help="put the Markdown matrix between DOC's fctest-matrix markers",
    )
    render.add_argument(
        "--check", action="store_true", help="with --update: exit 1 if DOC is stale"
    )
    matrix.set_defaults(func=_matrix)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code
