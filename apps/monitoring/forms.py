"""Forms of the monitoring pages; they parse input, the services check permissions and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import PortalFormMixin

from .scoring import COMMENT_MAX


class MeasuresScoreForm(PortalFormMixin, forms.Form):
    score = forms.DecimalField(
        label=_("Measures score (0–60)"),
        min_value=0,
        max_value=60,
        max_digits=3,
        decimal_places=1,
        help_text=_("Points for the measures taken (methodology §9), at most one decimal place."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this score; required when a score is changed or removed."),
    )


class MeasuresScoreClearForm(PortalFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Why remove it"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
