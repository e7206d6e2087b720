"""Errors that carry Dutch messages for the user instead of tracebacks."""

from __future__ import annotations


class InputRefused(Exception):
    """Input that Kindkaart refuses; `messages` are Dutch sentences fit to show a user."""

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


class SourceUnavailable(Exception):
    """A remote source (CBS, PDOK) could not be reached; the message is Dutch."""


class WouldEmptyValues(InputRefused):
    """A file that would empty values an earlier load had; the caller may ask to replace anyway."""
