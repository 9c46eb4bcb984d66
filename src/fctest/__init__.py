"""fctest: contract tests and provider conformance for LLM tool calling.

The public names are listed here explicitly; everything else is private (``_``-prefixed
modules). Importing fctest never imports pytest, vcrpy or hypothesis.
"""

from . import errors
from ._audit import JsonLinesSink
from ._client import AsyncClient, Client
from ._events import (
    Finished,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    ToolCallFinished,
    ToolCallStarted,
    ToolResultEvent,
)
from ._executors import FunctionExecutor, ToolExecutor
from ._guards import Allow, Deny, Edit, Limits
from ._messages import (
    Message,
    OutputSchema,
    ProviderPart,
    Request,
    Response,
    ToolCall,
    ToolResult,
    Usage,
)
from ._registry import RegisteredTool, ToolRegistry
from ._retry import RetryPolicy
from ._run import RunResult
from ._tools import Tool, tool
from ._transports import AsyncMockTransport, AsyncTransport, MockTransport, Transport
from ._version import __version__
from ._wire import HttpRequest, HttpResponse
from .providers import adapter_names, get_adapter

__all__ = [
    "Allow",
    "AsyncClient",
    "AsyncMockTransport",
    "AsyncTransport",
    "Client",
    "Deny",
    "Edit",
    "Finished",
    "FunctionExecutor",
    "HttpRequest",
    "HttpResponse",
    "JsonLinesSink",
    "Limits",
    "Message",
    "MockTransport",
    "OutputSchema",
    "ProviderPart",
    "RegisteredTool",
    "Request",
    "Response",
    "RetryPolicy",
    "RunResult",
    "StreamEvent",
    "TextDelta",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallFinished",
    "ToolCallStarted",
    "ToolExecutor",
    "ToolRegistry",
    "ToolResult",
    "ToolResultEvent",
    "Transport",
    "Usage",
    "__version__",
    "adapter_names",
    "errors",
    "get_adapter",
    "tool",
]
