"""`python manage.py oversight_summary --region CODE --year YYYY --output FILE`: the summary of a
region-year as it stands now (the working draft's text included), for the drafting staff. The
format follows the extension: .pdf, .docx or .html. Nothing is issued or stored."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.oversight import documents, summaries
from apps.regions.selectors import by_code


class Command(BaseCommand):
    help = "Write a region-year's oversight summary (not issued) as PDF, DOCX or HTML by extension."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="GB/T 2260 code")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True, help="file to write: .pdf, .docx or .html")

    def handle(self, *args, **options):
        errors = []
        region = by_code(options["region"])
        if region is None:
            errors.append(f"--region: unknown region code {options['region']}")
        output = Path(options["output"])
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in documents.FORMATS:
            errors.append(
                f"--output: the extension must be .pdf, .docx or .html, not {output.suffix or 'none'}"
            )
        if region is not None and not summaries.has_figures(region, options["year"]):
            errors.append(f"--year: {region.code} has no figures for {options['year']}")
        if errors:
            raise CommandError("; ".join(errors))
        draft = summaries.draft_of(region, options["year"])
        figures = summaries.gather(region, options["year"], next_steps=draft.next_steps if draft else "")
        output.write_bytes(documents.render(figures, fmt))
        self.stderr.write(f"{region.name} {options['year']}: {fmt.upper()} written to {output}")
