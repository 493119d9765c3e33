from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.completeness.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Send the annual-report reminder e-mails due today (or on --date) to regions that have not "
        "submitted. Safe to run repeatedly: a region-year is reminded at most once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="act as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="list who would be reminded; send nothing")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date: not a date in the form YYYY-MM-DD: {options['date']}")
        result = send_due_reminders(today=today, dry_run=options["dry_run"])
        for item in result.items:
            to = ", ".join(item["recipients"]) or "-"
            line = f"  {item['region']} {item['year']} {item['kind']}: {to}"
            if item["skipped"]:
                line += f" (no e-mail address: {', '.join(item['skipped'])})"
            self.stdout.write(line)
        verb = "would remind" if options["dry_run"] else "reminded"
        self.stdout.write(
            f"{result.today.isoformat()}: {verb} {len(result.items)} region-years, "
            f"{result.emails} e-mails sent, "
            f"{result.already_sent} already reminded today, {result.no_staff} without staff, "
            f"{result.skipped_users} staff without an e-mail address, {result.failed} failed"
        )
        if result.failed:
            raise CommandError(
                f"{result.failed} reminders could not be sent; they are retried on the next run"
            )
