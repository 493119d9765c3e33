"""The inspection scorecard's REST endpoint (thin): `GET /api/v1/scorecard/?region=CODE&year=YYYY`,
each obligation with its status, counts and evidence link; scoped by READ_SCORECARD."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts.api.base import ScopedAPIView
from apps.accounts.scoping import Action

from .. import scorecard


class ObligationSerializer(serializers.Serializer):
    code = serializers.CharField(source="obligation.code")
    name = serializers.CharField(source="obligation.name")
    status = serializers.ChoiceField(choices=[s.value for s in scorecard.Status], source="finding.status")
    status_label = serializers.CharField()
    done = serializers.IntegerField(source="finding.done", allow_null=True)
    total = serializers.IntegerField(source="finding.total", allow_null=True)
    missing = serializers.ListField(child=serializers.CharField(), source="finding.missing")
    text = serializers.CharField(source="finding.text", help_text="the counts in words")
    evidence_url = serializers.SerializerMethodField()

    def get_evidence_url(self, row) -> str:
        url = row.finding.evidence_url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if (request and url) else url


class ScorecardSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    year = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="obligations per status")
    overall = serializers.CharField(source="overall_text")
    data_version = serializers.SerializerMethodField()
    generated_at = serializers.DateTimeField()
    obligations = ObligationSerializer(many=True, source="rows")

    def get_data_version(self, card) -> str:
        return str(card.data_version)


class ScorecardView(ScopedAPIView):
    """The live inspection scorecard (执法检查) of a region and year: county and city staff their own
    region's, congress members the subtree they oversee, provincial officials all (roles.md v1.1).
    A region outside that is a 404."""

    read_action = Action.READ_SCORECARD

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, required=True, description="region code (GB/T 2260)"),
            OpenApiParameter("year", int, description="year (default: the figures pages' default year)"),
        ],
        responses={200: ScorecardSerializer},
    )
    def get(self, request):
        code = request.query_params.get("region", "").strip()
        text = request.query_params.get("year", "").strip()
        errors = {}
        if not code:
            errors["region"] = [_("Give a region code, e.g. 360100.")]
        if text and not scorecard.valid_year(text):
            errors["year"] = [
                _("A year is a number from %(min)s to %(max)s.")
                % {"min": scorecard.MIN_YEAR, "max": scorecard.MAX_YEAR}
            ]
        if errors:
            raise ValidationError(errors)
        region = scorecard.readable_region(request.user, code)
        if region is None:
            raise Http404
        year = int(text) if text else scorecard.default_year(request.user)
        card = scorecard.build(region, year)
        return Response(ScorecardSerializer(card, context={"request": request}).data)
