"""Which adapter reads a recorded exchange: from the request's URL, else from the body itself.

``fctest matrix observe`` reads other projects' cassettes, whose files say nothing of fctest's
adapter names. A recording is recognised by its request URL: an adapter claims the URLs it
builds itself for its profile's default base URL (so a third-party adapter with a base URL is
recognised without doing anything), plus the ``endpoints`` patterns it declares for what a base
URL cannot say (an Azure resource's own host, the same wire format served elsewhere). A
response-only fixture has no URL: a folder named after an adapter is taken as a hint when that
adapter reads the body; otherwise the adapter that reads the most out of it (calls, then text),
or the common base of several that read the same (the OpenAI-compatible vendors share the Chat
decoder), else nothing. Sans-I/O like every module here: bytes and strings in, a name out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from .._exceptions import ProtocolError, ProviderError, UsageError
from .._messages import Message, Request, Response
from .._wire import HttpResponse
from ._base import Adapter

__all__ = ["adapter_for_body", "adapter_for_url"]

_PROBE_MODEL = "fctest-probe-model"


def _url_pattern(url: str) -> str:
    """A regex for the URLs like ``url`` (its query dropped, the probe model any model)."""
    bare = url.partition("?")[0].partition("#")[0]
    return re.escape(bare).replace(re.escape(_PROBE_MODEL), r"[^/:?#]+")


def _built_urls(adapter: Adapter) -> list[str]:
    """The URLs ``adapter`` builds with its default config, for a plain and a streamed request
    (none when its profile has no default base URL and the config needs one)."""
    urls = []
    for stream in (False, True):
        probe = Request(model=_PROBE_MODEL, messages=(Message.user("x"),), stream=stream)
        try:
            urls.append(adapter.build_request(probe, adapter.config_type(api_key="k")).url)
        except (UsageError, TypeError):
            return []
    return urls


@cache
def _patterns(adapter: Adapter) -> tuple[re.Pattern[str], ...]:
    sources = [_url_pattern(u) for u in _built_urls(adapter)] + list(adapter.endpoints)
    return tuple(re.compile(s) for s in dict.fromkeys(sources))


def adapter_for_url(url: str, adapters: Iterable[Adapter]) -> Adapter | None:
    """The first of ``adapters`` that claims ``url`` (query and fragment ignored), or ``None``."""
    bare = url.partition("?")[0].partition("#")[0]
    for adapter in adapters:
        if any(p.fullmatch(bare) for p in _patterns(adapter)):
            return adapter
    return None


def _score(adapter: Adapter, response: HttpResponse, stream: bool) -> int:
    """How much ``adapter`` reads out of the body: 0 when it reads nothing or refuses it, more
    for a typed error, text, and most for tool calls."""
    try:
        decoded = _decode(adapter, response, stream)
    except ProtocolError:
        return 0
    except ProviderError:
        return 1
    return 2 * len(decoded.tool_calls) + (1 if decoded.text else 0)


def _decode(adapter: Adapter, response: HttpResponse, stream: bool) -> Response:
    if not stream:
        return adapter.parse_response(response)
    decoder = adapter.stream_decoder()
    decoder.feed(response.body)
    return decoder.close()


def _common_base(candidates: Sequence[Adapter]) -> Adapter | None:
    """The candidate every other candidate's class derives from, if there is one."""
    for base in candidates:
        if all(isinstance(other, type(base)) for other in candidates):
            return base
    return None


def adapter_for_body(
    response: HttpResponse, *, stream: bool, adapters: Sequence[Adapter], hints: Sequence[str]
) -> Adapter | None:
    """The adapter that reads a response recorded without its request.

    ``hints`` are names the file's folders suggest (``vercel__ai/xai/...`` says ``xai``): the
    first hinted adapter that reads anything wins; else the adapter that reads the most, or
    the common base of those that read the same; else ``None``.
    """
    scores = {a.name: _score(a, response, stream) for a in adapters}
    for hint in hints:
        if scores.get(hint, 0) > 0:
            return next(a for a in adapters if a.name == hint)
    best = max(scores.values(), default=0)
    if best == 0:
        return None
    return _common_base([a for a in adapters if scores[a.name] == best])
