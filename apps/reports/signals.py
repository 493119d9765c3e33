"""Signals other apps listen to (reports never imports them: shared/DESIGN.md layers).

`report_approved` is sent after the transaction that approved a report (or a revision of
it) commits, with kwargs `region_id`, `year` and `report_id`.

`reports_approved` is sent once after an import approved several reports together, with
kwargs `region_ids`, `report_ids` and `reason`: the listener recomputes those regions in one
batch (each over all its years, as a change in one year changes the later ones) instead of
once per report.
"""

from django.dispatch import Signal

report_approved = Signal()
reports_approved = Signal()
