"""Settings of the metrics and the monthly report."""

from __future__ import annotations

from pydantic import Field

from communitydesk.settings.section import Section


class MetricsSettings(Section):
    """Definitions behind the metrics and the monthly report (docs/metrics.md)."""

    docs_url_bases: list[str] = Field(
        default_factory=list,
        description="URL prefixes of the docs (e.g. https://docs.gitlab.com/); a solved ticket whose notes "
        "or links hold one is a docs-first answer. Empty: DESK_DOCS_URL_BASE when it is an http(s) URL.",
    )
    rising_tags_days: int = Field(
        30,
        ge=1,
        le=366,
        description="Length of the two windows compared for tags with rising usage, in days.",
    )
    rising_tags_min_volume: int = Field(
        3, ge=1, description="A tag is listed when it was used at least this often in either window."
    )
    series_months: int = Field(
        12, ge=1, le=60, description="Months in the monthly series, the report's month last."
    )
