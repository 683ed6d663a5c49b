"""Errors every provider engine raises, so tasks can decide without knowing the provider.

The one question a task asks of a failure is "may I try again later?", so each error
carries ``permanent``. A transient error may also carry ``retry_after`` (seconds), the
provider's own hint, and ``maybe_created`` when a create request failed in a way that
does not tell whether the provider acted on it (a timeout after the request was sent).
"""

from __future__ import annotations


class ProviderError(Exception):
    """A call to an image provider failed.

    ``message`` is the provider's own explanation (its problem ``detail``) when it sent
    one, so it can be logged and, where safe, shown.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        permanent: bool,
        retry_after: float | None = None,
        maybe_created: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = message
        self.status = status
        self.permanent = permanent
        self.retry_after = retry_after
        self.maybe_created = maybe_created

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status}, "
            f"permanent={self.permanent}, retry_after={self.retry_after})"
        )


class ProviderUnavailable(ProviderError):
    """Transient: rate limited, provider 5xx, network failure or timeout. Try later."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        maybe_created: bool = False,
    ) -> None:
        super().__init__(
            message,
            status=status,
            permanent=False,
            retry_after=retry_after,
            maybe_created=maybe_created,
        )


class CreateOutcomeUnknown(ProviderUnavailable):
    """A create may or may not have happened at the provider.

    Never create again blindly after this: look the job up first (``find_training`` /
    ``find_prediction``), and create only when the lookup finds nothing.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message, status=status, maybe_created=True)


class ProviderRejected(ProviderError):
    """Permanent: the provider refused the request (4xx other than 408/429). Don't retry."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message, status=status, permanent=True)


class ProviderNotFound(ProviderRejected):
    """Permanent: the object does not exist (HTTP 404)."""


class NotConfigured(ProviderError):
    """Permanent: the engine lacks a setting it needs (for example the API token)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class WebhookInvalid(Exception):
    """A webhook delivery failed verification; answer 4xx and do nothing else."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
