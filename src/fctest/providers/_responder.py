"""The provider's side of a wire format: what its API would answer.

The reference server (``fctest serve``), the round-trip properties and the benchmarks need
each wire format written as well as read. That direction is a ``Responder``, registered beside
its adapter (``fctest.providers.get_responder``), so an ``Adapter`` stays the client's four
sans-I/O methods. A responder answers the requests its adapter builds: it reads the adapter's
profile (wire names, strict mode's nulls) through the same ``Fitting`` the request was built
with. Optional for third-party adapters: replaying cassettes does not need one.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from ..dialect import Fitting, Profile, fit_request
from ._base import Adapter

if TYPE_CHECKING:
    from .._messages import Request, Response
    from .._wire import HttpRequest, HttpResponse

__all__ = ["Responder"]

A = TypeVar("A", bound=Adapter)


class Responder(abc.ABC, Generic[A]):
    """Writes what ``adapter``'s provider would answer. Deterministic: the same response
    always gives the same bytes (ids it makes up are digests of the content, never a clock)."""

    def __init__(self, adapter: A) -> None:
        self.adapter = adapter

    @property
    def name(self) -> str:
        return self.adapter.name

    @property
    def profile(self) -> Profile:
        return self.adapter.profile

    def fitting(self, request: Request | None) -> Fitting | None:
        """The fitting ``request`` was built with (``None`` without a request): the names and
        argument forms a model answering it would use."""
        if request is None:
            return None
        return fit_request(request, self.profile, provider=self.name)

    def resolved(self, request: Request | None) -> Profile:
        """The profile for ``request``'s model (the adapter's own without a request)."""
        fitting = self.fitting(request)
        return self.profile if fitting is None else fitting.profile

    def wire_names(self, request: Request | None) -> Mapping[str, str]:
        """Declared tool name -> the name ``request`` put on the wire (``{}`` without one): a
        model answers with the names it was sent, and the adapter maps them back."""
        fitting = self.fitting(request)
        return {} if fitting is None else fitting.names

    @staticmethod
    def model(response: Response, request: Request | None) -> str:
        """The model an answer names: the response's, else the one the request asked for."""
        return response.model or (request.model if request is not None else "")

    @abc.abstractmethod
    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        """``response`` as this provider's 2xx JSON answer (the adapter's ``parse_response``
        reads it back to an equal ``Response``, and so does the provider's official SDK)."""

    @abc.abstractmethod
    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        """``response`` as this provider streams it, one wire event per item (an SSE event
        with its blank line, or an NDJSON line); argument text is cut into fragments of at
        most ``fragment_size`` characters where the provider streams arguments in pieces."""

    @abc.abstractmethod
    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        """An error answer in this provider's documented error shape (the adapter's
        ``parse_error`` maps it to the class the status stands for); ``retry_after`` goes in
        the profile's ``retry_headers``."""

    @abc.abstractmethod
    def assistant_turns(self, request: HttpRequest) -> int:
        """How many assistant (model) turns the history of a request built by the adapter
        holds: the reference server answers step ``n`` of a scenario's script with it."""
