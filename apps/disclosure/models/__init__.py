"""The disclosure app's models, one module per part: publications and tips."""

from .publications import Publication, PublicationStatus
from .tips import Tip, TipAttachment, TipCategory, TipEvent, TipEventKind, TipReminder, TipStatus

__all__ = [
    "Publication",
    "PublicationStatus",
    "Tip",
    "TipAttachment",
    "TipCategory",
    "TipEvent",
    "TipEventKind",
    "TipReminder",
    "TipStatus",
]
