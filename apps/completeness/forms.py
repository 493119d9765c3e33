"""The deadline form of the UI (the service validates again and has the last word)."""

from django import forms
from django.utils.translation import gettext_lazy

from .selectors import YEAR_MAX, YEAR_MIN


class DeadlineForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Report year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
