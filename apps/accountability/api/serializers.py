from rest_framework import serializers

from .. import selectors
from ..models import Candidate, Outcome, RectificationTask


class TaskSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True)
    case = serializers.IntegerField(source="decision.candidate_id", read_only=True)

    class Meta:
        model = RectificationTask
        fields = [
            "id",
            "case",
            "region",
            "department",
            "description",
            "deadline",
            "status",
            "answer",
            "answered_at",
            "review_reason",
            "closed_at",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    rule_label = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField()
    formula_url = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = [
            "id",
            "year",
            "region",
            "region_name",
            "department",
            "rule",
            "rule_label",
            "metric",
            "figures",
            "informational",
            "still_met",
            "data_version",
            "status",
            "decision",
            "notice",
            "formula_url",
        ]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        return selectors.status_of(obj)

    def get_formula_url(self, obj) -> str:
        return selectors.formula_url(obj)

    def get_decision(self, obj) -> dict | None:
        decision = selectors.decision_of(obj)
        if decision is None:
            return None
        return {"outcome": decision.outcome, "reason": decision.reason, "decided_at": decision.decided_at}

    def get_notice(self, obj) -> dict | None:
        notice = selectors.notice_of(selectors.decision_of(obj))
        request = self.context.get("request")
        if notice is None or request is None or not selectors.notice_visible(request.user, notice):
            return None
        return {
            "title": notice.title,
            "body": notice.body,
            "issued_at": notice.issued_at,
            "sha256": notice.edition.sha256 if notice.edition_id else None,
            "disclose": notice.disclose,
        }


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class IssueSerializer(serializers.Serializer):
    title = serializers.CharField(required=False)
    body = serializers.CharField(required=False)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class SendBackSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
