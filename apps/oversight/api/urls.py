from django.urls import path
from rest_framework.routers import DefaultRouter

from . import summaries
from .inquiries import InquiryViewSet
from .scorecard import ScorecardView

router = DefaultRouter()
router.register("inquiries", InquiryViewSet, basename="inquiry")
router.register("oversight/summary-editions", summaries.SummaryEditionViewSet, basename="summary-edition")

SUMMARY = "oversight/summaries/<str:level>/<str:code>/<int:year>/"
urlpatterns = [
    *router.urls,
    path("scorecard/", ScorecardView.as_view(), name="scorecard"),
    path(SUMMARY, summaries.SummaryView.as_view(), name="summary-detail"),
    path(f"{SUMMARY}save/", summaries.SummarySaveView.as_view(), name="summary-save"),
    path(f"{SUMMARY}review/", summaries.SummaryReviewView.as_view(), name="summary-review"),
    path(f"{SUMMARY}issue/", summaries.SummaryIssueView.as_view(), name="summary-issue"),
    path(f"{SUMMARY}draft.<str:fmt>", summaries.SummaryDraftFileView.as_view(), name="summary-draft-file"),
]
