import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.monitoring import services
from apps.monitoring.models import RunStatus
from apps.monitoring.tasks import publish
from apps.regions.selectors import by_code


class Command(BaseCommand):
    help = "Run the monitoring engine now (through Celery when a broker is configured) and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("--region", help="only this region (GB/T 2260 code)")
        parser.add_argument("--year", type=int, help="only write this year's results")
        parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait for the worker")

    def handle(self, *args, **options):
        region = None
        if options["region"]:
            region = by_code(options["region"])
            if region is None:
                raise CommandError(f"--region: unknown region code {options['region']}")
        run = services.run_create(region=region, year=options["year"], reason="manage.py recompute")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            run = services.run_execute(run.pk)
        else:
            # No task results are stored: the run's row tells when the worker is done.
            if not publish(run.pk):
                self.stderr.write(f"run {run.pk}: the broker is unreachable; the sweep dispatches it later")
            deadline = time.monotonic() + options["timeout"]
            while run.status not in (RunStatus.DONE, RunStatus.FAILED):
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"run {run.pk} not finished after {options['timeout']} s ({run.status})"
                    )
                time.sleep(0.5)
                run.refresh_from_db()
        if run.status != RunStatus.DONE:
            raise CommandError(f"run {run.pk} ended {run.status}: {run.errors}")
        self.stdout.write(
            f"run {run.pk}: recomputed {run.regions_done} region(s), {run.results_written} result(s), "
            f"{run.missing_count} figure(s) missing, {len(run.errors)} error(s)"
        )
