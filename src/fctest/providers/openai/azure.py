"""Azure OpenAI Chat Completions (``azure-openai``): the OpenAI adapter on Azure's URLs and auth.

Wire docs: https://learn.microsoft.com/azure/ai-foundry/openai/reference (REST reference),
https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle (the ``/openai/v1/``
endpoint) and openai-python ``src/openai/lib/azure.py`` (deployment-scoped routes, the
``api-version`` query parameter, ``api-key`` vs ``Authorization: Bearer``).

Two URL forms (docs/dialects.md#auth-azure-deployment, docs/dialects.md#auth-azure-v1):

- deployment form, when ``AzureConfig.deployment`` is set:
  ``{endpoint}/openai/deployments/{deployment}/chat/completions?api-version={api_version}``;
- v1 form otherwise: ``{endpoint}/openai/v1/chat/completions``, no dated api-version, the
  deployment name goes in ``model`` (``Request.model``).

Bodies, responses and streams are OpenAI's. Azure differences handled elsewhere: the string
``code`` of error bodies (``"429"``) and "retry after N seconds" messages in
``_decode`` (docs/dialects.md#errors-azure); choices without a ``message`` (unconfirmed) in the
Chat adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast
from urllib.parse import quote

from ..._exceptions import UsageError
from ..._messages import Request
from ..._types import JSONObject
from .._base import Config
from ._chat_request import OpenAIAdapter
from ._chat_responder import ChatResponder
from ._profile import OPENAI_PROFILE

__all__ = ["AZURE_PROFILE", "AzureConfig", "AzureOpenAIAdapter", "AzureResponder"]

AZURE_PROFILE = OPENAI_PROFILE.evolve(
    base_url="",
    description_max_length=1024,
    retry_headers=("retry-after",),
    # The environment variables openai-python's AzureOpenAI reads (lib/azure.py).
    env={
        "api_key": ("AZURE_OPENAI_API_KEY",),
        "azure_ad_token": ("AZURE_OPENAI_AD_TOKEN",),
        "endpoint": ("AZURE_OPENAI_ENDPOINT",),
        "api_version": ("OPENAI_API_VERSION",),
    },
    sources={
        "env": "openai-python lib/azure.py (AzureOpenAI reads these variables)",
        "retry_headers": (
            "Azure's 429 says when to retry in retry-after and in its message "
            "(docs/dialects.md#errors-azure)"
        ),
        "tool_name_pattern": (
            "assumed as OpenAI; a dotted-name pattern was quoted in one o4-mini report that does "
            "not say Azure served it, so OpenAI's rule is kept (docs/dialects.md#tool-names-azure)"
        ),
        "description_max_length": (
            "1024 also enforced on Azure o3-mini and gpt-4o deployments "
            "(docs/dialects.md#descriptions-azure)"
        ),
        "strict_mode": (
            "assumed as OpenAI; api-version coverage unconfirmed (docs/dialects.md#strict-azure)"
        ),
        "parallel_call_control": (
            "parallel calls since api-version 2023-12-01-preview, on the models listed "
            "(docs/dialects.md#parallel-azure)"
        ),
    },
)


@dataclass(frozen=True)
class AzureConfig(Config):
    """Where an Azure OpenAI resource lives and how to sign in.

    ``endpoint``: the resource URL (``https://<resource>.openai.azure.com``). ``deployment``:
    use the deployment URL form (needs ``api_version``); without it the ``/openai/v1/`` form
    is used. ``api_key`` goes in the ``api-key`` header; ``azure_ad_token`` (Entra ID) in
    ``Authorization: Bearer``; the two exclude each other, as in openai-python's
    ``AzureOpenAI``. ``base_url`` (from ``Config``) replaces ``{endpoint}/openai/v1``.
    """

    endpoint: str | None = None
    api_version: str | None = "2024-10-21"
    deployment: str | None = None
    azure_ad_token: str | None = field(default=None, repr=False)


class AzureOpenAIAdapter(OpenAIAdapter):
    name = "azure-openai"
    profile = AZURE_PROFILE
    config_type = AzureConfig
    # Each resource has its own host, so recordings are recognised by the two URL forms
    # (docs/dialects.md#auth-azure-deployment, docs/dialects.md#auth-azure-v1).
    endpoints = (
        r"https://[^/]+\.openai\.azure\.com/openai/deployments/[^/]+/chat/completions",
        r"https://[^/]+\.openai\.azure\.com/openai/v1/chat/completions",
    )

    def url(self, request: Request, config: Config) -> str:
        config = cast(AzureConfig, config)  # build_request ran check_config first
        if config.deployment:
            if not config.api_version:
                raise UsageError(
                    f"{self.name}: the deployment URL form needs api_version "
                    "(or leave deployment unset to use the /openai/v1/ endpoint)"
                )
            root = self._endpoint(config)
            return (
                f"{root}/openai/deployments/{quote(config.deployment, safe='')}"
                f"/chat/completions?api-version={quote(config.api_version, safe='')}"
            )
        if config.base_url:
            return config.base_url.rstrip("/") + "/chat/completions"
        return f"{self._endpoint(config)}/openai/v1/chat/completions"

    def headers(self, config: Config) -> dict[str, str]:
        config = cast(AzureConfig, config)
        if config.api_key and config.azure_ad_token:
            raise UsageError(
                f"{self.name}: give api_key or azure_ad_token, not both "
                "(openai-python AzureOpenAI refuses both as well)"
            )
        headers = {"Content-Type": "application/json"}
        if config.api_key:
            headers["api-key"] = config.api_key
        elif config.azure_ad_token:
            headers["Authorization"] = f"Bearer {config.azure_ad_token}"
        headers.update(config.headers)
        return headers

    def _endpoint(self, config: AzureConfig) -> str:
        if not config.endpoint:
            raise UsageError(
                f"{self.name}: AzureConfig.endpoint is required "
                "(https://<resource>.openai.azure.com), or give base_url"
            )
        return config.endpoint.rstrip("/")


class AzureResponder(ChatResponder):
    def error_body(self, status: int, message: str) -> JSONObject:
        """``{"error": {"code": "<status>", "message"}}``: Azure writes the status as a string
        code (docs/dialects.md#errors-azure)."""
        return {"error": {"code": str(status), "message": message}}
