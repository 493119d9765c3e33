"""The disclosure app's models, one module per part (tips here; publications beside them)."""

from .tips import Tip, TipAttachment, TipCategory, TipEvent, TipEventKind, TipReminder, TipStatus

__all__ = ["Tip", "TipAttachment", "TipCategory", "TipEvent", "TipEventKind", "TipReminder", "TipStatus"]
