"""The plugin's options, resolved once per run, and where each test's cassette lives.

Every ``--fctest-*`` option has an ini twin; the command line wins. Paths from the command line
are relative to where pytest was started, paths from an ini file to that file's folder. Adapter
names are checked against the registry only when an option names one, so a run that does not
use fctest never loads it.

Nothing here imports vcrpy or hypothesis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .._cassettes import DEFAULT_IGNORED_FIELDS

if TYPE_CHECKING:
    from .._cassettes import CassetteSpec
    from ..providers import Adapter

__all__ = ["RECORD_MODES", "PluginConfig", "cassette_spec", "resolve"]

RECORD_MODES = ("none", "once", "new_episodes", "all")

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-\[\]]+")


@dataclass(frozen=True)
class PluginConfig:
    """The resolved options of one pytest run."""

    record_mode: str = "none"
    providers: tuple[str, ...] | None = None
    """``None``: every registered adapter."""
    cassette_dir: Path = Path("cassettes")
    results: Path | None = None
    base_urls: Mapping[str, str] = field(default_factory=dict)
    models: Mapping[str, str] = field(default_factory=dict)
    ignored_fields: tuple[str, ...] = DEFAULT_IGNORED_FIELDS
    rootdir: Path = field(default_factory=Path.cwd)

    def selected_providers(self) -> list[str]:
        """The adapters tests run against, in the order given (default: all, sorted)."""
        if self.providers is not None:
            return list(self.providers)
        from ..providers import adapter_names

        return adapter_names()

    def options_json(self) -> dict[str, Any]:
        """The options as the results file records them (JSON-ready, paths relative)."""
        return {
            "record_mode": self.record_mode,
            "providers": list(self.providers) if self.providers is not None else "all",
            "cassette_dir": _relative(self.cassette_dir, self.rootdir),
            "base_urls": dict(sorted(self.base_urls.items())),
            "models": dict(sorted(self.models.items())),
        }


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _pairs(values: Iterable[str], what: str, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in values:
        item = raw.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise pytest.UsageError(f"{option} takes PROVIDER={what.upper()}, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _check_names(names: Iterable[str], option: str) -> None:
    names = list(names)
    if not names:
        return
    from ..providers import adapter_names

    known = adapter_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise pytest.UsageError(
            f"{option}: no adapter named {', '.join(repr(n) for n in unknown)}; "
            f"registered adapters: {', '.join(known)} (third-party adapters register through "
            "the 'fctest.adapters' entry-point group)"
        )


def _path(config: pytest.Config, cli: str | None, ini_name: str) -> Path | None:
    if cli:
        return Path(config.invocation_params.dir, cli)
    value = config.getini(ini_name)
    if not value:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return Path(base, str(value))


def resolve(config: pytest.Config) -> PluginConfig:
    """The plugin's options for this run; ``pytest.UsageError`` for a bad value."""
    mode = config.getoption("fctest_record_mode") or config.getini("fctest_record_mode") or "none"
    if mode not in RECORD_MODES:
        raise pytest.UsageError(
            f"--fctest-record-mode / fctest_record_mode: {mode!r} is not one of "
            f"{', '.join(RECORD_MODES)}"
        )
    cli_providers: Sequence[str] | None = config.getoption("fctest_providers")
    raw = list(cli_providers) if cli_providers else list(config.getini("fctest_providers"))
    names = [n.strip() for item in raw for n in str(item).split(",") if n.strip()]
    providers = tuple(dict.fromkeys(names)) if names else None

    base_urls = _pairs(config.getini("fctest_base_urls"), "url", "fctest_base_urls")
    base_urls.update(_pairs(config.getoption("fctest_base_url") or (), "url", "--fctest-base-url"))
    for provider, url in base_urls.items():
        if not url.startswith(("http://", "https://")):
            raise pytest.UsageError(
                f"--fctest-base-url {provider}={url}: the URL must start with http:// or https://"
            )
    models = _pairs(config.getini("fctest_models"), "model", "fctest_models")
    models.update(_pairs(config.getoption("fctest_model") or (), "model", "--fctest-model"))
    _check_names([*(providers or ()), *base_urls, *models], "fctest provider options")

    ignored = [
        *DEFAULT_IGNORED_FIELDS,
        *config.getini("fctest_ignore_fields"),
        *(config.getoption("fctest_ignore_field") or ()),
    ]
    cassette_dir = _path(config, config.getoption("fctest_cassette_dir"), "fctest_cassette_dir")
    return PluginConfig(
        record_mode=mode,
        providers=providers,
        cassette_dir=cassette_dir or Path(config.rootpath, "cassettes"),
        results=_path(config, config.getoption("fctest_results"), "fctest_results"),
        base_urls=base_urls,
        models=models,
        ignored_fields=tuple(dict.fromkeys(f.strip() for f in ignored if f.strip())),
        rootdir=config.rootpath,
    )


# --- where a test's cassette lives ----------------------------------------------------------
def scenario_of(item: pytest.Item) -> Any:
    """The ``fctest.scenarios.Scenario`` a test is parametrized with, or ``None``."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    from ..scenarios import Scenario

    return next((v for v in callspec.params.values() if isinstance(v, Scenario)), None)


def _test_name(item: pytest.Item, provider: str) -> str:
    name = str(getattr(item, "originalname", item.name))
    cls = getattr(item, "cls", None)
    if cls is not None:
        name = f"{cls.__name__}.{name}"
    callspec = getattr(item, "callspec", None)
    ids = str(callspec.id) if callspec is not None else ""
    if ids == provider:
        ids = ""
    elif ids.endswith("-" + provider):
        ids = ids[: -len(provider) - 1]
    return f"{name}[{ids}]" if ids else name


def cassette_spec(
    item: pytest.Item, provider: str, adapter: Adapter, conf: PluginConfig
) -> CassetteSpec:
    """Where ``item``'s cassette lives for ``provider`` and how it is recorded.

    A test parametrized with a ``Scenario`` uses ``<dir>/<provider>/<scenario id>.yaml``; any
    other ``<dir>/<provider>/<module>/<test name>.yaml``.
    """
    from .._cassettes import CassetteSpec, canonical_base_url
    from .._settings import credential_fields

    scenario = scenario_of(item)
    folder = conf.cassette_dir / provider
    if scenario is not None:
        name = str(scenario.id)
        path = folder / f"{_UNSAFE.sub('_', name)}.yaml"
    else:
        name = _test_name(item, provider)
        module = Path(str(item.path)).stem
        path = folder / module / f"{_UNSAFE.sub('_', name)}.yaml"
    canonical = canonical_base_url(adapter)
    credentials = credential_fields(adapter.config_type)
    env = tuple(v for f, names in adapter.profile.env.items() if f in credentials for v in names)
    return CassetteSpec(
        path=path,
        name=name,
        provider=provider,
        record_mode=conf.record_mode,
        canonical_base=canonical,
        base_url=conf.base_urls.get(provider, canonical).rstrip("/"),
        nodeid=item.nodeid,
        rootdir=conf.rootdir,
        model=conf.models.get(provider),
        ignored_fields=conf.ignored_fields,
        credential_env=env,
    )
