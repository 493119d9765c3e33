from .summaries import SUMMARY_KIND, SummaryDraft, SummaryEvent, SummaryStatus  # noqa: F401
