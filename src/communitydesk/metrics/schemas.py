"""Shapes of metrics: the period and filters asked for, and the numbers returned (see docs/metrics.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A period that cannot be read, with a message fit for the user."""


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end) in UTC, with a label for tables and charts."""

    label: str
    start: datetime
    end: datetime

    @classmethod
    def month(cls, text: str) -> Period:
        """Return the calendar month written as YYYY-MM."""
        match = _MONTH.match(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
            raise PeriodError(f"invalid month {text!r}: write it as YYYY-MM, e.g. 2026-10")
        year, month = int(match.group(1)), int(match.group(2))
        start = datetime(year, month, 1, tzinfo=UTC)
        return cls(f"{year:04d}-{month:02d}", start, _next_month(start))

    @classmethod
    def days(cls, first: date, last: date) -> Period:
        """Return the days from `first` to `last`, both included."""
        if last < first:
            raise PeriodError(f"the period ends ({last}) before it starts ({first})")
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
        label = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        return cls(label, start, end)

    @classmethod
    def choose(
        cls, *, month: str = "", first: date | None = None, last: date | None = None, now: datetime
    ) -> Period:
        """Return the period a request asks for: a month, or days; the current month when none is given."""
        if month and (first or last):
            raise PeriodError("give a month or a from/to range of days, not both")
        if first or last:
            return cls.days(first or last or now.date(), last or first or now.date())
        return cls.month(month or now.strftime("%Y-%m"))

    @property
    def is_calendar_month(self) -> bool:
        """Whether the period is exactly one calendar month (UTC)."""
        start = self.start.astimezone(UTC)
        return start == start.replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        ) and self.end == _next_month(start)

    @property
    def month_key(self) -> int:
        """The month the period starts in as YYYYMM (ticket_facts.created_month)."""
        start = self.start.astimezone(UTC)
        return start.year * 100 + start.month

    def months_back(self, count: int) -> list[Period]:
        """Return `count` calendar months ending with the month this period starts in, oldest first."""
        month = self.start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        months = [month]
        for _ in range(count - 1):
            previous = (months[-1] - timedelta(days=1)).replace(day=1)
            months.append(previous)
        return [Period(m.strftime("%Y-%m"), m, _next_month(m)) for m in reversed(months)]


def _next_month(start: datetime) -> datetime:
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class MetricsFilter:
    """Which tickets count: every field narrows; None means any."""

    channel: str | None = None
    stage: str | None = None
    group: str | None = None
    expert: str | None = None
    tag: str | None = None

    @property
    def narrows(self) -> bool:
        return any((self.channel, self.stage, self.group, self.expert, self.tag))

    @property
    def channel_only(self) -> bool:
        """Whether the filter narrows by channel and by nothing else (month counts are kept per channel)."""
        return bool(self.channel) and not any((self.stage, self.group, self.expert, self.tag))

    def describe(self) -> str:
        parts = [f"{name}={value}" for name, value in vars(self).items() if value]
        return ", ".join(parts) or "all tickets"


class Durations(BaseModel):
    """How long something took, over the tickets it happened to: count, median and 90th percentile."""

    count: int
    median_seconds: float | None
    p90_seconds: float | None


class Outreach(BaseModel):
    """Expert outreach and the experts' answers in a period."""

    ticket_outreach: int
    tracked_outreach: int
    outreach: int
    expert_responded: int
    answered: int
    response_rate: float | None


class DocsFirst(BaseModel):
    """Answers that carry a docs link, and docs gaps filed, in a period."""

    solved: int
    with_docs_link: int
    share: float | None
    docs_gaps_filed: int


class Summary(BaseModel):
    """Every single-number metric of one period."""

    period: str
    start: datetime
    end: datetime
    tickets_created: int
    outreach: Outreach
    time_to_expert_answer: Durations
    time_to_first_response: Durations
    docs_first: DocsFirst


class Count(BaseModel):
    """One row of a breakdown (tickets by status, by channel)."""

    key: str
    count: int


class TagTrend(BaseModel):
    """A tag's use in the recent window against the window before."""

    tag: str
    recent: int
    previous: int
    delta: int
    ratio: float | None


class TagTrends(BaseModel):
    """Tag usage in the last `days` days up to `as_of`, against the `days` days before."""

    as_of: datetime
    days: int
    min_volume: int
    recent_start: datetime
    previous_start: datetime
    tags: list[TagTrend]


class MonthRow(BaseModel):
    """The monthly series: every metric of one calendar month."""

    month: str
    tickets_created: int
    solved: int
    ticket_outreach: int
    tracked_outreach: int
    outreach: int
    expert_responded: int
    answered: int
    response_rate: float | None
    expert_answer_median_seconds: float | None
    expert_answer_p90_seconds: float | None
    first_response_median_seconds: float | None
    first_response_p90_seconds: float | None
    with_docs_link: int
    docs_link_share: float | None
    docs_gaps_filed: int
