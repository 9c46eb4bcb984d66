"""The errors a cassette raises to fail a test.

They subclass ``AssertionError`` (vcrpy's ``errors.py`` does the same for a cassette mismatch):
a request that does not match the recording is a failed expectation, not a crash, and pytest
shows it as a plain failure. Each message says what happened, where the cassette is and what
to run to fix it.

::

    AssertionError
    └── CassetteError
        ├── CassetteMissing        record mode ``none`` and no cassette file
        ├── RequestDrift           a request the cassette does not hold (JSON paths that changed)
        └── UnplayedInteractions   recorded interactions the test never asked for
"""

from __future__ import annotations

__all__ = ["CassetteError", "CassetteMissing", "RequestDrift", "UnplayedInteractions"]


class CassetteError(AssertionError):
    """Root of the cassette failures; ``path`` is the cassette file."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class CassetteMissing(CassetteError):
    """Record mode ``none`` and the cassette does not exist: the message says how to record it."""


class RequestDrift(CassetteError):
    """The request sent now matches no recorded, unplayed one.

    ``paths`` lists the JSON paths (RFC 6901 pointers into the request body, or ``method`` /
    ``url``) where it differs from the nearest recorded request.
    """

    def __init__(self, message: str, *, path: str = "", paths: tuple[str, ...] = ()) -> None:
        super().__init__(message, path=path)
        self.paths = paths


class UnplayedInteractions(CassetteError):
    """Recorded interactions were never requested: the code sends fewer requests than it did."""

    def __init__(self, message: str, *, path: str = "", indexes: tuple[int, ...] = ()) -> None:
        super().__init__(message, path=path)
        self.indexes = indexes
