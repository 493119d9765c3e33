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

__all__ = [
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
]
