"""Recompute triggers: an approval, a target change or a catalog change queues a recompute run."""

from apps.regions.models import Region

from . import dispatch

MAX_SEPARATE_RUNS = 20


def on_report_approved(sender, *, region_id: int, year: int, report_id: int | None = None, **kwargs) -> None:
    region = Region.objects.get(pk=region_id)
    dispatch.run_queue(region=region, reason=f"report {report_id or ''} approved ({year})".replace("  ", " "))


def on_reports_approved(sender, *, region_ids, reason: str = "", **kwargs) -> None:
    """Reports approved together (an import): one run over every year of the affected regions.

    A run covers one region or all of them, so several regions make one full run, never
    one run per report or per region.
    """
    region_ids = sorted(set(region_ids))
    if not region_ids:
        return
    reason = f"{reason or 'reports'} approved ({len(region_ids)} region(s))"
    if len(region_ids) == 1:
        dispatch.run_queue(region=Region.objects.get(pk=region_ids[0]), reason=reason)
    else:
        dispatch.run_queue(reason=reason)


def on_targets_changed(sender, *, region_ids, period_code: str = "", **kwargs) -> None:
    region_ids = sorted(set(region_ids))
    if len(region_ids) > MAX_SEPARATE_RUNS:
        dispatch.run_queue(reason=f"targets changed ({period_code}, {len(region_ids)} regions)")
        return
    for region in Region.objects.filter(pk__in=region_ids):
        dispatch.run_queue(region=region, reason=f"targets changed ({period_code})")


def on_catalog_changed(sender, *, kind: str, object_id=None, **kwargs) -> None:
    dispatch.run_queue(reason=f"{kind} changed ({object_id})")
