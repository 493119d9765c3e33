"""The ledger's API: cases (candidates and their decisions) and rectification tasks, with the
actions decide, issue, answer, accept and send back. Rows come from the ledger's selectors
(one definition of who sees what); an action on a case or task outside them is a 404."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.api.base import ScopedViewSet
from apps.accounts.scoping import Action
from apps.regions.models import Region

from .. import selectors, services
from ..models import Candidate
from .serializers import (
    AnswerSerializer,
    CaseSerializer,
    DecideSerializer,
    IssueSerializer,
    SendBackSerializer,
    TaskSerializer,
)

READ = (Action.DECIDE_ACCOUNTABILITY, Action.READ_ACCOUNTABILITY)


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Candidates and cases the user may read; filter by `year`, `region` (code, its subtree), `status`."""

    serializer_class = CaseSerializer
    lookup_value_regex = r"\d+"  # anything else is the API's JSON 404, never a 500
    read_action = READ
    action_actions = {"decide": Action.DECIDE_ACCOUNTABILITY, "issue": Action.DECIDE_ACCOUNTABILITY}
    queryset = Candidate.objects.none()

    def scoped_queryset(self, user):
        params = self.request.query_params
        year = params.get("year", "")
        region = None
        if params.get("region"):
            region = Region.objects.filter(code=params["region"]).first()
            if region is None:
                return Candidate.objects.none()
        return selectors.ledger(
            user, year=int(year) if year.isdigit() else None, region=region, status=params.get("status", "")
        ).select_related("decision__notice__edition")

    def _decidable(self, pk) -> Candidate:
        candidate = selectors.candidate_to_decide(self.request.user, pk)
        if candidate is None:
            raise Http404
        return candidate

    @extend_schema(request=DecideSerializer, responses={201: CaseSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        candidate = self._decidable(pk)
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_record(user=request.user, candidate=candidate, **data.validated_data)
        candidate = Candidate.objects.select_related("region", "decision").get(pk=candidate.pk)
        return Response(
            CaseSerializer(candidate, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=IssueSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Issue the case's drafted notice (with a last edit of its title or text, if given)."""
        candidate = self._decidable(pk)
        notice = selectors.notice_of(selectors.decision_of(candidate))
        if notice is None:
            raise Http404
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notice_issue(user=request.user, notice=notice, **data.validated_data)
        candidate = Candidate.objects.select_related("region", "decision__notice").get(pk=candidate.pk)
        return Response(CaseSerializer(candidate, context={"request": request}).data)


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Rectification (整改) tasks of the cases the user may read."""

    serializer_class = TaskSerializer
    lookup_value_regex = r"\d+"
    read_action = READ
    action_actions = {
        "answer": Action.ANSWER_RECTIFICATION,
        "accept": Action.ACCEPT_RECTIFICATION,
        "send_back": Action.ACCEPT_RECTIFICATION,
    }

    def scoped_queryset(self, user):
        return selectors.tasks_for(user).select_related("region", "decision").order_by("deadline", "pk")

    @extend_schema(request=AnswerSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        task = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_answer(
            user=request.user,
            task=task,
            text=data.validated_data["answer"],
            uploads=data.validated_data["attachments"],
        )
        return Response(TaskSerializer(task).data)

    @extend_schema(request=None, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        task = services.task_accept(user=request.user, task=self.get_object())
        return Response(TaskSerializer(task).data)

    @extend_schema(request=SendBackSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        task = self.get_object()
        data = SendBackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_return(user=request.user, task=task, reason=data.validated_data["reason"])
        return Response(TaskSerializer(task).data)
