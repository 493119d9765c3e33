"""`GET /api/v1/series/`: one region's stored figures over the years, for charts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apps.accounts.api.base import ScopedAPIView
from apps.accounts.scoping import Action
from apps.monitoring import metrics

from .. import region as selectors

MAX_METRICS = 40

SeriesSerializer = inline_serializer(
    "Series",
    {
        "region_code": serializers.CharField(),
        "region_name": serializers.CharField(),
        "metrics": inline_serializer(
            "SeriesMetric",
            {
                "metric": serializers.CharField(),
                "name": serializers.CharField(help_text="In the request's language."),
                "unit": serializers.CharField(),
                "points": inline_serializer(
                    "SeriesPoint",
                    {
                        "year": serializers.IntegerField(),
                        "value": serializers.JSONField(
                            help_text="A number in full precision (percent figures in percent), "
                            "or the level text of a text metric (warnings green/yellow/red, grade, outlook)."
                        ),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
    },
)


def _year(params, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
        raise ValidationError({name: [f"Give a year, not {raw[:20]!r}."]})
    return int(raw)


def parse(params) -> tuple[str, list[str], int | None, int | None]:
    """The query's region code, metric codes and year bounds; ValidationError naming the parameter."""
    code = params.get("region", "").strip()
    if not code:
        raise ValidationError({"region": ["Give a region code."]})
    raw = [m.strip() for m in params.get("metrics", "").split(",") if m.strip()]
    if not raw:
        raise ValidationError({"metrics": ["Give one or more metric codes, separated by commas."]})
    unknown = [m for m in raw if m not in metrics.catalog()]
    if unknown:
        raise ValidationError({"metrics": [f"Unknown metric: {', '.join(u[:48] for u in unknown[:5])}."]})
    if len(raw) > MAX_METRICS:
        raise ValidationError({"metrics": [f"At most {MAX_METRICS} metrics."]})
    start, end = _year(params, "from"), _year(params, "to")
    if start is not None and end is not None and start > end:
        raise ValidationError({"from": ["`from` is after `to`."]})
    return code, list(dict.fromkeys(raw)), start, end


class SeriesView(ScopedAPIView):
    """Stored figures of one region for all (or a range of) years, one series per metric."""

    read_action = Action.READ_ASSESSMENTS

    @extend_schema(
        operation_id="series",
        summary="Figures of one region over the years (for charts)",
        parameters=[
            OpenApiParameter(
                "region", OpenApiTypes.STR, required=True, description="Region code (GB/T 2260)."
            ),
            OpenApiParameter(
                "metrics",
                OpenApiTypes.STR,
                required=True,
                description="Comma-separated metric codes, e.g. energy_intensity,co2_emissions",
            ),
            OpenApiParameter("from", OpenApiTypes.INT, description="First year (inclusive)."),
            OpenApiParameter("to", OpenApiTypes.INT, description="Last year (inclusive)."),
        ],
        responses={200: SeriesSerializer},
    )
    def get(self, request):
        code, codes, start, end = parse(request.query_params)
        region = selectors.region_by_code(request.user, code)
        if region is None:
            raise Http404("No such region in your jurisdiction.")
        series = selectors.region_series(region, codes)
        body = []
        for metric in codes:
            entry = metrics.info(metric)
            points = [
                {"year": year, "value": figure.level if entry.is_text else figure.value}
                for year, figure in sorted(series.get(metric, {}).items())
                if (start is None or year >= start) and (end is None or year <= end)
            ]
            body.append({"metric": metric, "name": entry.name, "unit": entry.unit, "points": points})
        return Response({"region_code": region.code, "region_name": region.name, "metrics": body})
