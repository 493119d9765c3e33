"""Signals other apps listen to.

`report_approved` is sent after the transaction that approved a report (or a revision of
it) commits, with kwargs `region_id`, `year` and `report_id`; the monitoring engine connects
its recompute of that region-year to it. Nothing else happens on approval here.
"""

from django.dispatch import Signal

report_approved = Signal()
