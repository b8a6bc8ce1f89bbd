"""The client's clock around an event, to bound the times an answer reports for it (a small helper of the
conformance cases; nothing here asserts)."""

from __future__ import annotations

import email.utils
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


def moment(text: object) -> datetime | None:
    """A time as an answer writes it (an HTTP date, or ISO 8601), in UTC; None when it is neither."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Clock:
    """The client's clock read just before and just after an event (``with clock.event(): ...``), widened by
    `skew_seconds` on each side: the window a time reported for that event must fall in."""

    def __init__(self, skew_seconds: float) -> None:
        self.skew = timedelta(seconds=skew_seconds)
        self.earliest: datetime | None = None
        self.latest: datetime | None = None
        self.open_before = False

    def since_ever(self) -> None:
        """The event happened before the case began: only the window's end is known."""
        self.open_before = True

    @contextmanager
    def event(self):
        """Read the clock around the block (the event)."""
        before = datetime.now(UTC)
        yield
        self.earliest, self.latest = before - self.skew, datetime.now(UTC) + self.skew

    def within(self, when: datetime | None) -> bool:
        """True when `when` falls in the window."""
        if when is None or self.latest is None:
            return False
        return when <= self.latest and (self.open_before or when >= self.earliest)

    def window(self) -> str:
        """The window, for messages."""
        start = "ever" if self.open_before else self.earliest.isoformat(timespec="seconds")
        return f"[{start}, {self.latest.isoformat(timespec='seconds')}]" if self.latest else "[no event]"
