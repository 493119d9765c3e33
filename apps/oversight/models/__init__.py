"""The oversight app's models, one module per topic (inquiries; summaries and editions)."""

from .inquiries import (
    AnswerForm,
    Inquiry,
    InquiryAnswer,
    InquiryAttachment,
    InquiryEvent,
    InquiryEventKind,
    InquiryKind,
    InquiryReminder,
    InquiryStatus,
    SignatoryMinimum,
)
from .summaries import SUMMARY_KIND, SummaryDraft, SummaryEvent, SummaryStatus

__all__ = [
    "SUMMARY_KIND",
    "AnswerForm",
    "Inquiry",
    "InquiryAnswer",
    "InquiryAttachment",
    "InquiryEvent",
    "InquiryEventKind",
    "InquiryKind",
    "InquiryReminder",
    "InquiryStatus",
    "SignatoryMinimum",
    "SummaryDraft",
    "SummaryEvent",
    "SummaryStatus",
]
