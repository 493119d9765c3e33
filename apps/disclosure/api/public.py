"""`GET /api/v1/public/figures/?year=YYYY&region=CODE`: published figures only, no sign-in.

Rows as in exchange.md "Assessments" (`region_code`, `year`, `metric`, `value`: full precision,
percentages in percent, warnings as red / yellow / green) of the publications in force; a year
or a region nothing public names is a 404, whatever the database holds."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from apps.accounts.api.base import ScopedAPIView
from apps.accounts.scoping import Action
from apps.core.cache import cached_fragment
from apps.disclosure import public


class PublicFigureSerializer(serializers.Serializer):
    region_code = serializers.CharField()
    year = serializers.IntegerField()
    metric = serializers.CharField()
    value = serializers.CharField(help_text="full precision; warnings and other text figures as their code")


def _rows(pubs, year: int | None, code: str | None) -> list[dict]:
    if year is None:
        years = public.published_years(pubs)
        if not years:
            raise Http404("nothing published")
        year = years[0]
    pub = public.published_year(year, pubs)
    if pub is None:
        raise Http404("nothing published for that year")
    if code:
        region = pub.region_by_code(code)
        if region is None:
            raise Http404("region not published for that year")
        paths = [region.path]
    else:
        paths = list(pub.regions)
    rows = []
    for path in paths:
        region_code = pub.regions[path].code
        rows += [
            {"region_code": region_code, "year": y, "metric": m, "value": v}
            for _p, y, m, v in pub.rows(path)
            if y == year
        ]
    return rows


class PublicFiguresView(ScopedAPIView):
    """Published figures of one year (the latest published when `year` is omitted), all published
    regions or one (`region`). Anonymous access; nothing unpublished is ever returned."""

    read_action = Action.PUBLIC_PAGE
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="a published year (default: the latest published)"),
            OpenApiParameter("region", str, description="six-digit code of a published region"),
        ],
        responses={200: PublicFigureSerializer(many=True)},
        auth=[],
    )
    def get(self, request):
        year_text = request.query_params.get("year", "")
        code = request.query_params.get("region", "")
        if year_text and not (year_text.isdigit() and len(year_text) == 4):
            raise ValidationError({"year": ["Give a four-digit year."]})
        if code and not (code.isdigit() and len(code) == 6):
            raise ValidationError({"region": ["Give a six-digit region code."]})
        year = int(year_text) if year_text else None
        state, pubs = public.current()
        # The rows as JSON text, built once per publication state (thousands of rows: serializing
        # them per request would cost more than everything else the request does).
        body = cached_fragment(
            "disclosure.api",
            (state, year, code),
            lambda: json.dumps(_rows(pubs, year, code), ensure_ascii=False, separators=(",", ":")),
        )
        response = HttpResponse(body, content_type="application/json")
        response["Cache-Control"] = "public, max-age=300"
        return response
