"""Signals that monitoring sends to the apps above it (they connect in their `ready()`).

`run_finished`: a recompute run is done and its results are stored. Sent with `run_id`,
`region_ids` (None: every region) and `year` (None: every year), outside any transaction of the
run. Receivers must be quick or queue a task of their own (the accountability ledger queues its
candidates' refresh); one that raises is logged and never fails the run.
"""

from django.dispatch import Signal

run_finished = Signal()
