"""The cassette of one test: where it lives, how requests match it, what gets written.

What the ``fctest_cassette`` fixture returns: one per test, installed with vcrpy (``_vcr``) for
the whole test. Record modes keep vcrpy's meanings:

======================  ====================================================================
``none`` (default)      replay only; a missing cassette or an unknown request fails the test
``once``                record if the cassette does not exist, else behave like ``none``
``new_episodes``        replay what matches, record what does not, keep both
``all``                 record everything again and write only what this run sent
======================  ====================================================================

A request is keyed once (``_matching``); what is recorded is stored as ``_recording`` says and
written by ``_serializer`` (readable JSON, streams as event lists) with its provenance in the
top-level ``fctest`` key. Failures (``_failures``) subclass ``CassetteError``, an
``AssertionError``: a drifted request fails where it is sent, and again after the test if the
code under test swallowed the error; recorded interactions the test never asked for fail it
after it ran.

This module imports vcrpy (through ``_vcr``): ``fctest._cassettes`` imports it only when
``Cassette`` is asked for, which the plugin does only inside the fixtures that need it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import CassetteError, RequestDrift
from .._secrets import is_secret_name
from ._failures import Where, drift, missing, unplayed
from ._matching import Key, Matcher
from ._recording import CassetteSpec, provenance, stored_request, stored_response
from ._scrub import Secrets
from ._serializer import CassetteSerializer, load_yaml
from ._vcr import VcrCassette, VcrRequest, install

if TYPE_CHECKING:
    from fctest import AsyncClient, Client
    from fctest.providers import Adapter

__all__ = ["Cassette"]

REPLAY_KEY = "fctest-replay-key"
"""The key a replaying client sends: replay never needs a real one."""

PLACEHOLDER_KEY = "fctest-placeholder-key"
"""The key a recording client sends to a server that needs none (a base-URL override)."""

DEFAULT_MODEL = "fctest-model"
"""The model a client asks for when neither the option nor the cassette names one."""


class Cassette:
    """The cassette of one test: where it lives, how it records, where its bytes came from.

    What the ``fctest_cassette`` fixture returns. ``path`` is the YAML file; ``provenance``
    what the file says about its recording (or, once this run recorded, what it will say);
    ``client()`` a ``fctest.Client`` wired to it.
    """

    def __init__(
        self, spec: CassetteSpec, adapter: Adapter, *, cache_dir: Path | None = None
    ) -> None:
        self.spec = spec
        self.cache_dir = cache_dir
        self.adapter = adapter
        self.secrets = Secrets(
            v for name in spec.credential_env if (v := os.environ.get(name, "")) and v
        )
        aliases = [spec.base_url] if spec.base_url != spec.canonical_base else []
        self.matcher = Matcher.build(spec.canonical_base, aliases, spec.ignored_fields)
        self.errors: list[CassetteError] = []
        self.loaded_provenance: dict[str, Any] | None = None
        self.new_provenance: dict[str, Any] | None = None
        self._serializer = CassetteSerializer(secrets=self.secrets)
        self._context: Any = None
        self._vcr: VcrCassette | None = None
        self._owned_http: Any = None

    # --- facts ----------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.spec.path

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def provider(self) -> str:
        return self.spec.provider

    @property
    def record_mode(self) -> str:
        return self.spec.record_mode

    @property
    def display_path(self) -> str:
        """The path relative to the rootdir when it is inside it (as messages show it)."""
        try:
            return self.spec.path.resolve().relative_to(self.spec.rootdir.resolve()).as_posix()
        except ValueError:
            return str(self.spec.path)

    @property
    def exists(self) -> bool:
        return self.spec.path.is_file()

    @property
    def provenance(self) -> dict[str, Any] | None:
        """Where the recorded bytes come from (``source``, ``endpoint``, ``api_version``,
        ``date``, ``fctest_version``, ``model``), or ``None`` when nothing is recorded."""
        return self.new_provenance or self.loaded_provenance

    @property
    def replay_only(self) -> bool:
        """Whether this run can only replay: mode ``none``, or ``once`` with the file there."""
        if self.record_mode == "none":
            return True
        if self.record_mode == "once":
            return self._vcr.file_existed if self._vcr is not None else self.exists
        return False

    @property
    def model(self) -> str:
        """The model a client asks for: the option, else the recorded one, else a placeholder."""
        if self.spec.model:
            return self.spec.model
        recorded = (self.loaded_provenance or {}).get("model")
        return recorded if isinstance(recorded, str) and recorded else DEFAULT_MODEL

    @property
    def base_url(self) -> str:
        """The base URL a client must send to for this cassette."""
        return self.spec.base_url

    @property
    def play_count(self) -> int:
        return 0 if self._vcr is None else int(self._vcr.play_count)

    @property
    def interactions(self) -> int:
        """How many interactions the cassette holds (loaded and recorded in this run)."""
        return 0 if self._vcr is None else len(self._vcr.data)

    def __repr__(self) -> str:
        return f"<fctest Cassette {self.display_path} mode={self.record_mode}>"

    # --- lifecycle ------------------------------------------------------------------------
    def open(self) -> Cassette:
        """Install the vcrpy cassette (loading the file) until ``close()``."""
        self._context, self._vcr = install(self, self._serializer)
        return self

    def close(self) -> None:
        """Uninstall the cassette, writing it if this run recorded anything."""
        context, self._context = self._context, None
        http, self._owned_http = self._owned_http, None
        try:
            if context is not None:
                self._serializer.provenance = self.new_provenance or self.loaded_provenance
                context.__exit__(None, None, None)
        finally:
            if http is not None:
                http.close()

    def __enter__(self) -> Cassette:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def parse(self, text: str) -> Any:
        """The cassette's YAML, parsed; through ``cache_dir`` when there is one.

        A safe YAML load costs about 2 ms per cassette (libyaml parses, Python constructs); a
        JSON copy of the parsed data, keyed by a hash of the text, loads 50 times faster. Data
        that JSON cannot hold (``!!binary`` bodies) is simply not cached.
        """
        if self.cache_dir is None:
            return load_yaml(text)
        import hashlib
        import json

        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()
        cached = self.cache_dir / f"{digest}.json"
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        data = load_yaml(text)
        try:
            dumped = json.dumps(data, ensure_ascii=False)
        except (TypeError, ValueError):
            return data
        if json.loads(dumped) != data:  # YAML that JSON would change (integer keys...)
            return data
        with contextlib.suppress(OSError):
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
            tmp.write_text(dumped, encoding="utf-8")
            os.replace(tmp, cached)
        return data

    # --- matching -------------------------------------------------------------------------
    def key(self, request: Any, *, scrub: bool = True) -> tuple[Key, Any]:
        """The lookup key of a vcrpy request and its body as compared (computed once each)."""
        attribute = "_fctest_key" if scrub else "_fctest_fast_key"
        cached: tuple[Key, Any] | None = getattr(request, attribute, None)
        if cached is None:
            cached = self.matcher.key(
                request.method, request.uri, request.body, self.secrets, scrub=scrub
            )
            setattr(request, attribute, cached)
        return cached

    def unmatched(self, request: Any) -> CassetteError:
        """The error for a request the cassette cannot answer (remembered for after the test)."""
        vcr = self._vcr
        error: CassetteError
        if vcr is None or not vcr.file_existed:
            error = missing(self._where, self.provider, self.adapter.profile.env.get("api_key", ()))
        else:
            error = self._drift(request, vcr)
        self.errors.append(error)
        return error

    @property
    def _where(self) -> Where:
        return Where(self.display_path, str(self.spec.path), self.spec.nodeid or "<test>")

    def _drift(self, request: Any, vcr: VcrCassette) -> RequestDrift:
        key, compared = self.key(request)
        recorded = [(i, self.key(r, scrub=False)[0], body) for i, r, body in vcr.loaded()]
        return drift(self._where, key, compared, recorded)

    def check(self) -> None:
        """After the test: re-raise a swallowed failure, then fail on unplayed interactions."""
        if self.errors:
            raise self.errors[0]
        vcr = self._vcr
        if vcr is None or self.record_mode == "all":
            return
        indexes = vcr.unplayed()
        if indexes:
            requests = [(i, vcr.data[i][0].method, vcr.data[i][0].uri) for i in indexes]
            raise unplayed(self._where, requests, vcr._loaded_count)

    # --- recording hooks ------------------------------------------------------------------
    def before_record_request(self, request: Any) -> Any:
        """A copy of ``request`` as stored: canonical URL, stable headers, no secrets."""
        return VcrRequest(*stored_request(request, self.matcher, self.secrets))

    def before_record_response(self, response: Any) -> Any:
        """The response as stored: body decompressed, credentials and secrets scrubbed."""
        return stored_response(response, self.secrets)

    def recorded(self, request: Any, response: Any) -> None:
        """Bookkeeping after an interaction was recorded: the provenance it gives the file."""
        if self.new_provenance is None:
            self.new_provenance = provenance(self.spec, self.model, request, response, self.secrets)

    # --- the client -----------------------------------------------------------------------
    def _client_kwargs(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        from fctest import RetryPolicy

        kwargs: dict[str, Any] = {"base_url": self.base_url}
        if self.replay_only:
            kwargs["api_key"] = REPLAY_KEY
            kwargs["retry"] = RetryPolicy(sleep=_no_wait, async_sleep=_no_wait_async)
        elif self.spec.base_url != self.spec.canonical_base and not any(
            os.environ.get(name) for name in self.spec.credential_env
        ):
            kwargs["api_key"] = PLACEHOLDER_KEY
        kwargs.update(overrides)
        return kwargs

    def client(self, **overrides: Any) -> Client:
        """A ``fctest.Client`` for this provider and model that talks through this cassette.

        Replaying, it sends a placeholder key (none is needed) and never waits between retries.
        Recording, the key comes from the environment (a placeholder if a base-URL override
        points at a server that needs none). ``overrides`` are ``fctest.Client`` arguments.
        """
        from fctest import Client

        kwargs = self._client_kwargs(overrides)
        if not self.replay_only and "transport" not in kwargs and "http_client" not in kwargs:
            # Recording opens real connections: give them an httpx client of this test's own,
            # closed with the cassette, rather than the process-wide one (whose keep-alive
            # sockets would outlive a test's server).
            kwargs["http_client"] = self._http_client()
        client = Client(self.adapter, self.model, **kwargs)
        self.remember_secrets(client.config)
        return client

    def async_client(self, **overrides: Any) -> AsyncClient:
        """``client()``'s asynchronous twin (``await client.aclose()`` when done)."""
        from fctest import AsyncClient

        client = AsyncClient(self.adapter, self.model, **self._client_kwargs(overrides))
        self.remember_secrets(client.config)
        return client

    def _http_client(self) -> Any:
        if self._owned_http is None:
            from fctest._transports.httpx import DEFAULT_TIMEOUT, HttpClient

            self._owned_http = HttpClient(timeout=DEFAULT_TIMEOUT)
        return self._owned_http

    def remember_secrets(self, config: Any) -> None:
        """Scrub the credential values of ``config`` wherever they appear."""
        from fctest._settings import credential_fields

        for name in credential_fields(type(config)):
            value = getattr(config, name, None)
            if isinstance(value, str) and value not in (REPLAY_KEY, PLACEHOLDER_KEY):
                self.secrets.add(value)
        for name, value in dict(getattr(config, "headers", {}) or {}).items():
            if is_secret_name(name) and isinstance(value, str):
                self.secrets.add(value)


def _no_wait(_seconds: float) -> None:
    """Replay answers at once: waiting between retries only slows the test down."""


async def _no_wait_async(_seconds: float) -> None:
    """The async twin of ``_no_wait``."""
