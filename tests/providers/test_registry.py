"""The registry: built-in adapters and responders, entry points, duplicates, unknown names, bad
targets."""

from __future__ import annotations

import subprocess
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import pytest

import fctest
import fctest.providers as registry
from fctest import HttpRequest, HttpResponse, Request, Response
from fctest.dialect import Profile
from fctest.errors import ProviderError, UnknownAdapterError, UsageError
from fctest.providers import Adapter, Config, Responder, StreamDecoder
from fctest.providers.openai import OpenAIAdapter

MODULE = "fctest_thirdparty_adapter_for_tests"


class ThirdPartyAdapter(Adapter):
    name: ClassVar[str] = "thirdparty"
    profile: ClassVar[Profile] = Profile()

    def build_request(self, request: Request, config: Config) -> HttpRequest:
        return HttpRequest("POST", "https://example.invalid/v1", {}, b"{}")

    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        return Response(self.name, "m")

    def stream_decoder(self, request: Request | None = None) -> StreamDecoder:
        raise NotImplementedError

    def parse_error(self, response: HttpResponse) -> ProviderError:
        raise NotImplementedError


class NotAnAdapter:
    pass


@dataclass
class _Dist:
    name: str


@dataclass
class _EntryPoint:
    """What the registry reads from ``importlib.metadata.EntryPoint``."""

    name: str
    value: str
    dist: _Dist | None = None
    group: str = "fctest.adapters"


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_EntryPoint]]:
    """An empty entry-point group, a fake third-party module, and cleared caches."""
    module = types.ModuleType(MODULE)
    module.ThirdPartyAdapter = ThirdPartyAdapter  # type: ignore[attr-defined]
    module.NotAnAdapter = NotAnAdapter  # type: ignore[attr-defined]
    module.not_a_class = 42  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, MODULE, module)
    points: list[_EntryPoint] = []

    def entry_points(*, group: str) -> list[_EntryPoint]:
        assert group in ("fctest.adapters", "fctest.responders")
        return [p for p in points if p.group == group]

    monkeypatch.setattr(registry, "entry_points", entry_points)
    _clear()
    yield points
    _clear()


def _clear() -> None:
    for cached in (
        registry._registry,
        registry._responders,
        registry.get_adapter,
        registry.get_responder,
    ):
        cached.cache_clear()


def test_builtins_are_listed_sorted(fresh: list[_EntryPoint]) -> None:
    names = registry.adapter_names()
    assert names == sorted(registry._BUILTINS)
    assert fctest.adapter_names() == names


def test_a_third_party_entry_point_loads(fresh: list[_EntryPoint]) -> None:
    fresh.append(
        _EntryPoint("thirdparty", f"{MODULE}:ThirdPartyAdapter", _Dist("fctest-thirdparty"))
    )
    assert "thirdparty" in registry.adapter_names()
    a = fctest.get_adapter("thirdparty")
    assert isinstance(a, ThirdPartyAdapter)
    assert fctest.get_adapter("thirdparty") is a  # adapters are stateless: one shared instance
    assert a.build_request(Request("m", (fctest.Message.user("q"),)), Config()).url == (
        "https://example.invalid/v1"
    )


def test_unknown_name_lists_the_known_ones(fresh: list[_EntryPoint]) -> None:
    fresh.append(_EntryPoint("thirdparty", f"{MODULE}:ThirdPartyAdapter"))
    with pytest.raises(UnknownAdapterError) as info:
        fctest.get_adapter("nope")
    known = sorted([*registry._BUILTINS, "thirdparty"])
    assert str(info.value) == f"no adapter named 'nope'; known adapters: {', '.join(known)}"
    assert isinstance(info.value, LookupError)


def test_unknown_name_with_nothing_registered(
    fresh: list[_EntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "_BUILTINS", {})
    with pytest.raises(UnknownAdapterError, match=r"known adapters: \(none\)$"):
        fctest.get_adapter("openai")


def test_duplicate_of_a_builtin_names_both_owners(
    fresh: list[_EntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        registry._BUILTINS, "dup", ("fctest.providers.dup:DupAdapter", "fctest.providers.dup:R")
    )
    fresh.append(_EntryPoint("dup", "acme_llm.adapter:AcmeAdapter", _Dist("acme-llm")))
    with pytest.raises(UsageError) as info:
        registry.adapter_names()
    assert str(info.value) == (
        "adapter name 'dup' is registered twice: by fctest (built-in) "
        "(fctest.providers.dup:DupAdapter) and by acme-llm (acme_llm.adapter:AcmeAdapter)"
    )
    with pytest.raises(UsageError, match="registered twice"):
        fctest.get_adapter("openai")  # every lookup fails until it is fixed


def test_duplicate_between_two_entry_points(fresh: list[_EntryPoint]) -> None:
    fresh.append(_EntryPoint("same", "one.mod:A", _Dist("pkg-one")))
    fresh.append(_EntryPoint("same", "two.mod:B", None))
    with pytest.raises(UsageError) as info:
        registry.adapter_names()
    assert str(info.value) == (
        "adapter name 'same' is registered twice: by pkg-one (one.mod:A) "
        "and by two.mod:B (two.mod:B)"
    )


@pytest.mark.parametrize("attr", ["NotAnAdapter", "not_a_class"])
def test_a_non_adapter_target_is_refused(fresh: list[_EntryPoint], attr: str) -> None:
    fresh.append(_EntryPoint("bad", f"{MODULE}:{attr}"))
    with pytest.raises(UsageError) as info:
        fctest.get_adapter("bad")
    assert str(info.value) == (
        f"adapter 'bad' ({MODULE}:{attr}) is not a fctest.providers.Adapter subclass"
    )


@pytest.mark.parametrize(
    ("target", "why"),
    [
        (f"{MODULE}:Missing", f"module '{MODULE}' has no attribute 'Missing'"),
        (
            "fctest_no_such_module_anywhere:Adapter",
            "No module named 'fctest_no_such_module_anywhere'",
        ),
    ],
)
def test_a_target_that_does_not_import_is_a_usage_error(
    fresh: list[_EntryPoint], target: str, why: str
) -> None:
    fresh.append(_EntryPoint("broken", target))
    with pytest.raises(UsageError) as info:
        fctest.get_adapter("broken")
    assert str(info.value) == f"adapter 'broken' ({target}) cannot be loaded: {why}"
    assert info.value.__cause__ is not None


def test_every_builtin_loads(fresh: list[_EntryPoint]) -> None:
    for name, target in registry._BUILTINS.items():
        try:
            a = fctest.get_adapter(name)
        except UsageError as e:  # a module still being written by another helper
            pytest.fail(f"{name} ({target}): {e}")
        assert isinstance(a, Adapter)
        assert a.name == name, target
        assert isinstance(a.profile, Profile)


def test_adapter_module_does_not_import_at_registry_time() -> None:
    # Built-ins are imported lazily: listing names must not import any adapter module.
    code = (
        "import sys, fctest; fctest.adapter_names(); "
        "print(sorted(m for m in sys.modules if m.startswith('fctest.providers.') "
        "and not m.split('.')[-1].startswith('_')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# --- responders: the provider's side, registered beside the adapter --------------------------


class ThirdPartyResponder(Responder[ThirdPartyAdapter]):
    """Answers every request with one text turn (enough to show it was picked)."""

    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        return HttpResponse(200, {}, b"third-party")

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        return [b"third-party"]

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        return HttpResponse(status, {}, message.encode())

    def assistant_turns(self, request: HttpRequest) -> int:
        return 0


class ChatVendor(OpenAIAdapter):
    """A vendor that speaks Chat Completions and registers no responder of its own."""

    name = "chat-vendor"


def test_every_builtin_has_its_responder(fresh: list[_EntryPoint]) -> None:
    for name in registry._BUILTINS:
        responder = registry.get_responder(name)
        assert isinstance(responder, Responder)
        assert responder.adapter is fctest.get_adapter(name)
        assert responder.name == name


def test_a_registered_responder_is_used(fresh: list[_EntryPoint]) -> None:
    sys.modules[MODULE].ThirdPartyResponder = ThirdPartyResponder  # type: ignore[attr-defined]
    fresh.append(_EntryPoint("thirdparty", f"{MODULE}:ThirdPartyAdapter"))
    fresh.append(
        _EntryPoint("thirdparty", f"{MODULE}:ThirdPartyResponder", group="fctest.responders")
    )
    responder = registry.get_responder("thirdparty")
    assert isinstance(responder, ThirdPartyResponder)
    assert responder.encode_error(503, "busy").body == b"busy"


def test_an_adapter_without_a_responder_says_where_to_register_one(
    fresh: list[_EntryPoint],
) -> None:
    fresh.append(_EntryPoint("thirdparty", f"{MODULE}:ThirdPartyAdapter"))
    with pytest.raises(UsageError) as info:
        registry.get_responder("thirdparty")
    assert str(info.value) == (
        "adapter 'thirdparty' has no responder: the provider's side (what its API would "
        "answer) is registered under the 'fctest.responders' entry-point group"
    )


def test_a_subclass_of_a_builtin_answers_with_the_builtins_responder(
    fresh: list[_EntryPoint],
) -> None:
    sys.modules[MODULE].ChatVendor = ChatVendor  # type: ignore[attr-defined]
    fresh.append(_EntryPoint("chat-vendor", f"{MODULE}:ChatVendor"))
    responder = registry.get_responder("chat-vendor")
    assert type(responder) is type(registry.get_responder("openai"))
    assert responder.adapter is fctest.get_adapter("chat-vendor")
