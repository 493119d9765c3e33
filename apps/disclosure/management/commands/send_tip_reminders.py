from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.disclosure.tip_reminders import send_tip_reminders


class Command(BaseCommand):
    help = (
        "Send the reminders about tips due soon or overdue today (or on --date) to the staff handling "
        "them. Safe to run repeatedly: a tip is reminded at most once a day."
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
        result = send_tip_reminders(today=today, dry_run=options["dry_run"])
        for item in result.items:
            self.stdout.write(f"  tip {item['tip']} {item['kind']}: {', '.join(item['recipients']) or '-'}")
        verb = "would remind" if options["dry_run"] else "reminded"
        self.stdout.write(
            f"{result.today.isoformat()}: {verb} {len(result.items)} tips, {result.emails} e-mails sent, "
            f"{result.already_sent} already reminded today, {result.no_staff} without staff to remind, "
            f"{result.failed} failed"
        )
        if result.failed:
            raise CommandError(
                f"{result.failed} reminders could not be sent; they are retried on the next run"
            )
