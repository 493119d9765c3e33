"""`GET /api/v1/barometer/`: the barometer as data, one object per region in the caller's scope.

The same selector as the page (`dashboards.barometer`), so the API, the page, its tiles and its
downloads always hold the same regions. Numbers in full precision, warnings as exchange.md
writes them (`green` / `yellow` / `red`, null where not computed).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from apps.accounts import scoping
from apps.accounts.api.base import ScopedViewSet
from apps.core.cache import cached_fragment, params_key, scope_key
from apps.dashboards import barometer as bm
from apps.monitoring import years
from apps.monitoring.models import Assessment
from apps.regions.models import RegionLevel

WARNING_CHOICES = list(bm.LEVELS)
GRADE_CHOICES = list(bm.GRADE_ORDER)


def _text(choices: list[str], *, nullable: bool = True, help_text: str = ""):
    """A text figure from a fixed list, documented by a pattern (no per-field enum components)."""
    schema = {
        "type": "string",
        "pattern": "^(" + "|".join(choices) + ")$",
        "nullable": nullable,
        "description": f"{help_text} (one of: {', '.join(choices)})".strip(),
    }

    @extend_schema_field(schema)
    class TextField(serializers.CharField):
        pass

    return TextField(allow_null=nullable, help_text=schema["description"])


def _warning(help_text: str = "warning level; null where not computed"):
    return _text(WARNING_CHOICES, help_text=help_text)


def _number(help_text: str = ""):
    return serializers.FloatField(allow_null=True, help_text=help_text)


class PreviousWarningsSerializer(serializers.Serializer):
    """The six warnings of the year before (null where not computed)."""

    energy_intensity_warning_annual = _warning()
    energy_intensity_warning_progress = _warning()
    co2_intensity_warning_annual = _warning()
    co2_intensity_warning_progress = _warning()
    energy_total_warning = _warning()
    nonfossil_share_warning = _warning()


class ChangeSerializer(serializers.Serializer):
    metric = _text(list(bm.WARNINGS), nullable=False)
    previous = _text(WARNING_CHOICES, nullable=False)
    current = _text(WARNING_CHOICES, nullable=False)
    direction = _text([bm.WORSENED, bm.IMPROVED], nullable=False)


class BarometerRowSerializer(serializers.Serializer):
    """One region's barometer row for the year (exchange.md metric names and values)."""

    region_code = serializers.CharField()
    region_name = serializers.CharField()
    level = _text(list(RegionLevel.values), nullable=False)
    parent_code = serializers.CharField(allow_null=True)
    year = serializers.IntegerField()
    energy_intensity_warning_annual = _warning()
    energy_intensity_warning_progress = _warning()
    co2_intensity_warning_annual = _warning()
    co2_intensity_warning_progress = _warning()
    energy_total_warning = _warning()
    nonfossil_share_warning = _warning()
    energy_intensity_reduction_cum = _number("%")
    energy_intensity_completion = _number("%")
    co2_intensity_reduction_cum = _number("%")
    co2_intensity_completion = _number("%")
    nonfossil_share = _number("%")
    energy_total_assessed = _number("10⁴ tce")
    energy_total_allowed = _number("10⁴ tce")
    grade = _text(GRADE_CHOICES, help_text="§9 grade; null where not computed")
    previous = PreviousWarningsSerializer(help_text="the warnings of year − 1")
    changes = ChangeSerializer(many=True, help_text="warnings whose level changed since year − 1")


def row_data(row: bm.Row, year: int) -> dict:
    """A row as the API answers it (plain dicts: fast for thousands of regions)."""
    data = {
        "region_code": row.region.code,
        "region_name": row.region.name,
        "level": row.region.level,
        "parent_code": row.region.parent_code,
        "year": year,
    }
    data |= row.warnings
    data |= {m: (float(v) if v is not None else None) for m, v in row.figures.items()}
    data["grade"] = row.grade
    data["previous"] = dict(row.previous)
    data["changes"] = [
        {"metric": c.metric, "previous": c.previous, "current": c.current, "direction": c.direction}
        for c in row.changes
    ]
    return data


class BarometerViewSet(ScopedViewSet):
    """Every region of a level with its six warnings, figures, grade and changes since last year."""

    read_action = scoping.Action.READ_ASSESSMENTS
    queryset = Assessment.objects.all()
    serializer_class = BarometerRowSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Year; default: the dashboards' default year."),
            OpenApiParameter(
                "parent",
                str,
                description="GB/T 2260 code of the region whose regions are listed "
                "(default: the caller's own region; 404 outside the caller's jurisdiction).",
            ),
            OpenApiParameter(
                "region_level",
                str,
                enum=list(RegionLevel.values),
                description="Level of the listed regions (default: the level below the parent).",
            ),
            OpenApiParameter(
                "metric",
                str,
                enum=list(bm.WARNINGS),
                description="Warning the `level` filter reads (default: the worst of the six).",
            ),
            OpenApiParameter(
                "level",
                str,
                enum=WARNING_CHOICES,
                description="Only regions at this warning level.",
            ),
            OpenApiParameter(
                "sort",
                str,
                description="Column to sort by (region, parent or a metric; warnings and grades "
                "worst first); "
                "a leading - reverses.",
            ),
        ],
        responses=BarometerRowSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        """The answer is built once per jurisdiction, query, year and data version and kept in the
        cache (`apps.core.cache`): thousands of rows are not re-read and re-shaped per request."""
        stamp = years.figures_stamp()
        year = self._year(request, stamp)
        key = (
            scope_key(request.user),
            params_key(request.query_params),
            year,
            request.build_absolute_uri("/"),  # the pagination links name the host
            stamp,
        )
        return Response(cached_fragment("barometer-api", key, lambda: self._answer(request, year)))

    def _answer(self, request, year: int | None):
        params = request.query_params
        if year is None:
            self.paginate_queryset([])
            return self.get_paginated_response([]).data
        data = bm.barometer(
            request.user,
            year=year,
            parent=params.get("parent") or None,
            region_level=params.get("region_level") or None,
            metric=params.get("metric") or None,
            level=params.get("level") or None,
            sort=params.get("sort") or None,
        )
        if not data.found_any:
            self._check_year_known(request, year)
        page = self.paginate_queryset(data.rows)
        rows = page if page is not None else data.rows
        body = [row_data(r, year) for r in rows]
        return self.get_paginated_response(body).data if page is not None else body

    def _year(self, request, stamp: tuple) -> int | None:
        asked = request.query_params.get("year")
        if asked in (None, ""):
            return years.cached_years(request.user, bm.years_for, stamp=stamp)[1]
        if not asked.isdigit() or not 1900 <= int(asked) <= 2100:
            raise ValidationError({"year": ["Give a four-digit year."]})
        return int(asked)

    def _check_year_known(self, request, year: int) -> None:
        """Only when nothing was found: a year without any figure the caller may read is a 400."""
        found = scoping.restrict(Assessment.objects.filter(year=year), request.user, self.read_action)
        if not found.exists():
            raise ValidationError({"year": [f"There are no figures for {year}."]})
