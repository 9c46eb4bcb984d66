"""A provider's ``Config`` from the client's arguments and the environment, and its secrets.

Settings come from keyword arguments, else from the environment variables the adapter declares
(``Profile.env``: config field -> variable names, the first one set wins). This is the only
place that reads ``os.environ`` for a provider, and it reads adapter and config fields, never a
provider's name: a credential is a config field hidden from the repr whose default is ``None``
(``Config.api_key``, Azure's ``azure_ad_token``); an adapter that declares a variable for one
expects a credential, and its absence is a ``UsageError`` naming the variables.

A setting given as a callable is called before every request (awaited by the async client when
it returns an awaitable): azure-identity's ``get_bearer_token_provider`` has that shape. The
secrets (credential values, credential header values) are collected so that error messages
can be scrubbed of them, whatever the provider echoes back.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._exceptions import ProviderError, UsageError
from ._log import scrub
from ._secrets import MIN_SECRET, SECRET_HEADERS
from .providers import Adapter, Config, check_config

__all__ = ["Settings", "credential_fields", "scrub_error", "secret_values"]


def credential_fields(config_type: type[Config]) -> list[str]:
    """Config fields that hold a credential: hidden from the repr and ``None`` by default."""
    return [
        f.name
        for f in dataclasses.fields(config_type)
        if f.init and not f.repr and f.default is None
    ]


def secret_values(headers: Mapping[str, str]) -> list[str]:
    """Credential header values, and the token alone for ``Bearer <token>``."""
    out = []
    for k, v in headers.items():
        if k.lower() in SECRET_HEADERS and v:
            out.append(v)
            token = v.rpartition(" ")[2]
            if token != v:
                out.append(token)
    return out


def scrub_error(error: BaseException, secrets: Iterable[str]) -> None:
    """Take secrets out of an error's text, in place (a provider may echo a key back)."""
    real = [s for s in secrets if len(s) >= MIN_SECRET]
    if not real:
        return
    error.args = tuple(scrub(a, real) if isinstance(a, str) else a for a in error.args)
    if isinstance(error, ProviderError):
        error.message = scrub(error.message, real)
        error.body = scrub(error.body, real)


class Settings:
    """One client's resolved ``Config``, its per-request settings and its secrets."""

    __slots__ = ("adapter", "config", "dynamic", "secrets")

    def __init__(
        self,
        adapter: Adapter,
        *,
        api_key: str | Callable[[], Any] | None,
        base_url: str | None,
        headers: Mapping[str, str] | None,
        config: Config | None,
        settings: Mapping[str, Any],
    ) -> None:
        self.adapter = adapter
        if config is not None:
            if api_key is not None or base_url is not None or headers or settings:
                raise UsageError(
                    f"{adapter.name}: pass either config= or individual settings, not both"
                )
            config = check_config(adapter, config)
            self.config, self.dynamic = config, {}
        else:
            given = _given(adapter, api_key, base_url, headers, settings)
            self.dynamic = {k: v for k, v in given.items() if k != "headers" and callable(v)}
            try:
                static = {k: v for k, v in given.items() if k not in self.dynamic}
                self.config = adapter.config_type(**static)
            except TypeError as exc:
                raise UsageError(
                    f"{adapter.name}: cannot build {adapter.config_type.__name__}: {exc}"
                ) from None
        secrets = [
            v
            for f in dataclasses.fields(self.config)
            if not f.repr and isinstance(v := getattr(self.config, f.name), str)
        ]
        secrets += secret_values(self.config.headers)
        self.secrets = tuple(s for s in secrets if len(s) >= MIN_SECRET)

    def current(self) -> Config:
        """The config for the next request, per-request settings called."""
        if not self.dynamic:
            return self.config
        values = {}
        for name, fn in self.dynamic.items():
            value = fn()
            if inspect.isawaitable(value):
                if inspect.iscoroutine(value):
                    value.close()  # never awaited: close it so it does not warn
                raise UsageError(
                    f"{self.adapter.name}: setting {name!r} returned an awaitable; "
                    "use fctest.AsyncClient for async providers of settings"
                )
            values[name] = value
        return dataclasses.replace(self.config, **values)

    async def acurrent(self) -> Config:
        """``current`` for the async client: awaitable settings are awaited."""
        if not self.dynamic:
            return self.config
        values = {}
        for name, fn in self.dynamic.items():
            value = fn()
            if inspect.isawaitable(value):
                value = await value
            values[name] = value
        return dataclasses.replace(self.config, **values)

    def env_hint(self, message: str, config: Config) -> str:
        """Where to set the unset settings an adapter's error message names."""
        return "; ".join(
            f"pass {name}=... or set {' or '.join(variables)}"
            for name, variables in self.adapter.profile.env.items()
            if name in message and getattr(config, name, None) is None
        )


def _given(
    adapter: Adapter,
    api_key: str | Callable[[], Any] | None,
    base_url: str | None,
    headers: Mapping[str, str] | None,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    name = adapter.name
    config_type = adapter.config_type
    fields = {f.name for f in dataclasses.fields(config_type) if f.init}
    given: dict[str, Any] = {k: v for k, v in settings.items() if v is not None}
    if api_key is not None:
        given["api_key"] = api_key
    if base_url is not None:
        given["base_url"] = base_url
    if headers:
        given["headers"] = dict(headers)
    unknown = sorted(k for k in given if k not in fields)
    if unknown:
        raise UsageError(
            f"{name}: unknown setting{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"{config_type.__name__} takes: {', '.join(sorted(fields))}"
        )
    for field_name, variables in adapter.profile.env.items():
        if field_name in given or field_name not in fields:
            continue
        for variable in variables:
            value = os.environ.get(variable)
            if value:
                given[field_name] = value
                break
    credentials = credential_fields(config_type)
    expected = [c for c in credentials if c in adapter.profile.env]
    if expected and not any(given.get(c) is not None for c in credentials):
        env_names = [v for c in expected for v in adapter.profile.env[c]]
        args = " or ".join(f"{c}=..." for c in credentials)
        raise UsageError(
            f"{name}: no API key: pass {args} or set the environment variable "
            f"{' or '.join(env_names)}"
        )
    return given
