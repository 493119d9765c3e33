from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class WarningLevel(models.TextChoices):
    RED = "red", _("Red (level-1 warning)")
    YELLOW = "yellow", _("Yellow (level-2 warning)")
    GREEN = "green", _("Green (level 3)")


class Grade(models.TextChoices):
    """§9 grades (spec v1.1)."""

    EXCEEDED = "exceeded", _("Exceeded (超额完成)")
    COMPLETED = "completed", _("Completed (完成)")
    BASICALLY_COMPLETED = "basically_completed", _("Basically completed (基本完成)")
    NOT_COMPLETED = "not_completed", _("Not completed (未完成)")
    PENDING_REVIEW = "pending_review", _("Pending review")


class PeakOutlook(models.TextChoices):
    """§10 carbon-peak outlook (spec v1.1)."""

    PEAKED = "peaked", _("Peaked")
    FALLING = "falling", _("Falling (would peak now)")
    RISING = "rising", _("Rising")


#: Every text a figure may have: warning levels, grades and peak outlooks.
FIGURE_TEXT_CHOICES = [*WarningLevel.choices, *Grade.choices, *PeakOutlook.choices]


class Assessment(models.Model):
    """One computed figure of methodology spec v1.1 for a region, year and metric.

    Upserted by its natural key (region, year, metric) by the recompute jobs; read paths
    (dashboards, API, exports) only read these rows. A warning metric stores its level
    in `level` and no `value`, as does any text figure (the grade, the peak outlook). How the
    figure came about (formula, inputs used, rule set,
    factor set, spec version, computed-at) is in the region-year's `AssessmentTrace`,
    written in the same transaction: one trace row per region-year, pointing at the
    region's input snapshot, keeps the national table narrow enough to rewrite in seconds.
    `attach_traces()` in selectors fills `trace` for a batch of rows in one query.
    """

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        related_name="assessments",
        db_constraint=False,  # written by COPY in bulk; regions are never deleted under it
        db_index=False,  # the natural key's index starts with region_id
    )
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(_("metric"), max_length=48)
    value = models.DecimalField(_("value"), max_digits=32, decimal_places=15, null=True, blank=True)
    level = models.CharField(
        _("warning level or text"), max_length=24, choices=FIGURE_TEXT_CHOICES, blank=True
    )

    class Meta:
        ordering = ["region_id", "year", "metric"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "metric"], name="assessment_natural_key"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.metric} = {self.display_value}"

    @property
    def display_value(self):
        return self.level or self.value

    @property
    def trace(self) -> "AssessmentTrace | None":
        if not hasattr(self, "_trace"):
            self._trace = AssessmentTrace.objects.filter(region_id=self.region_id, year=self.year).first()
        return self._trace

    @trace.setter
    def trace(self, value: "AssessmentTrace | None") -> None:
        self._trace = value

    def _figure(self) -> dict:
        return (self.trace.figures.get(self.metric) if self.trace else None) or {}

    @property
    def formula(self) -> str:
        return self._figure().get("f", "")

    @property
    def inputs(self) -> dict:
        return self._figure().get("in", {})

    @property
    def period(self) -> str:
        return self.trace.period if self.trace else ""

    @property
    def rule_set(self) -> str:
        return self.trace.rule_set if self.trace else ""

    @property
    def factor_set(self) -> str:
        return self.trace.factor_set if self.trace else ""

    @property
    def spec_version(self) -> str:
        return self.trace.spec_version if self.trace else ""

    @property
    def computed_at(self):
        return self.trace.computed_at if self.trace else None


class InputSnapshot(models.Model):
    """Everything the engine read for one region in a recompute (approved values, targets, periods,
    rule sets, factor sets with the region's grid), as canonical JSON addressed by its SHA-256.

    Never changed once written; a recompute that finds the same inputs reuses the row. Unused
    snapshots are removed when the traces pointing at them are replaced.
    """

    digest = models.CharField(_("SHA-256 of the inputs"), max_length=64, primary_key=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    data = models.TextField(_("inputs (canonical JSON)"))

    class Meta:
        verbose_name = _("input snapshot")
        verbose_name_plural = _("input snapshots")

    def __str__(self) -> str:
        return f"{self.region_id} {self.digest[:12]}"

    @property
    def inputs(self):
        from .inputs import RegionInputs

        return RegionInputs.from_json(self.data)


class AssessmentTrace(models.Model):
    """How a region-year's figures were computed: the plan period, rule set, factor set, spec
    version and time of the computation, and the snapshot of the inputs the engine read.

    `figures` (per metric its formula and the named inputs used) replays the deterministic
    engine on the snapshot: the same code and inputs that produced the stored values.
    """

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        related_name="assessment_traces",
        db_constraint=False,
        db_index=False,  # the natural key's index starts with region_id
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("plan period"), max_length=9, blank=True)
    rule_set = models.CharField(_("rule set"), max_length=16, blank=True)
    factor_set = models.CharField(_("factor set"), max_length=40, blank=True)
    spec_version = models.CharField(_("spec version"), max_length=8)
    computed_at = models.DateTimeField(_("computed at"))
    run = models.ForeignKey(
        "RecomputeRun",
        verbose_name=_("run"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    snapshot = models.ForeignKey(
        InputSnapshot,
        verbose_name=_("inputs"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        ordering = ["region_id", "year"]
        verbose_name = _("assessment trace")
        verbose_name_plural = _("assessment traces")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="assessment_trace_natural_key")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} ({self.rule_set}, {self.factor_set}, {self.spec_version})"

    @cached_property
    def figures(self) -> dict[str, dict]:
        """{metric: {"f": formula, "in": {input: value}}} of this region-year, from the snapshot."""
        if self.snapshot_id is None:
            return {}
        from .inputs import replay

        try:
            data = self.snapshot.data
        except InputSnapshot.DoesNotExist:
            return {}
        return {m: {"f": r.formula, "in": r.inputs} for m, r in replay(data, self.year).items()}


class MissingFigure(models.Model):
    """A metric the engine could not compute for a region-year, with the reason (never a zero)."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.CASCADE,
        related_name="missing_figures",
        db_constraint=False,
        db_index=False,  # the natural key's index starts with region_id
    )
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(_("metric"), max_length=48)
    reason = models.CharField(_("reason"), max_length=300)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["region_id", "year", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "metric"], name="missing_natural_key")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.metric}: {self.reason}"


class HierarchyCheck(models.Model):
    """Methodology §12: a parent's own energy_total against the sum of its children's."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="hierarchy_checks")
    year = models.PositiveSmallIntegerField(_("year"))
    own_value = models.DecimalField(_("own figure"), max_digits=24, decimal_places=6, null=True, blank=True)
    children_sum = models.DecimalField(_("sum of children"), max_digits=24, decimal_places=6)
    children_count = models.PositiveIntegerField(_("children reporting"))
    discrepancy = models.DecimalField(
        _("discrepancy (%)"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    flagged = models.BooleanField(_("statistical discrepancy"), default=False)
    derived_from_children = models.BooleanField(_("derived from children"), default=False)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["region_id", "year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="hierarchy_check_natural_key")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.children_sum} vs {self.own_value}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RecomputeRun(models.Model):
    """A recompute job as people see it: what triggered it, its progress, and how it ended."""

    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    scope_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scope_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    regions_total = models.PositiveIntegerField(_("regions"), default=0)
    regions_done = models.PositiveIntegerField(_("regions done"), default=0)
    results_written = models.PositiveIntegerField(_("results written"), default=0)
    missing_count = models.PositiveIntegerField(_("figures missing"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # When its task was last handed to the broker (None: never, or the broker was unreachable),
    # and the last sign of life of the worker running it: the sweep (dispatch.sweep) reads both.
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("recompute run")
        verbose_name_plural = _("recompute runs")

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.regions_total:
            return 100 if self.status == RunStatus.DONE else 0
        return round(100 * self.regions_done / self.regions_total)


MEASURES_SCORE_MAX = Decimal("60")


class MeasuresScore(models.Model):
    """Methodology §9: the measures part (0–60) of a region-year's score, entered by a provincial
    reviewer (`Action.ENTER_MEASURES_SCORE`). An input of the region-year like an approved value:
    recomputes read it into the region's snapshot (`selectors.stored_measures`); every change is
    kept in the history with its comment as the reason."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="measures_scores"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.DecimalField(
        _("measures score"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MEASURES_SCORE_MAX)],
        help_text=_("Points for the measures taken, 0–60 (one decimal place)."),
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"))
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))  # the comment

    class Meta:
        ordering = ["region__path", "year"]
        verbose_name = _("measures score")
        verbose_name_plural = _("measures scores")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="measures_score_natural_key"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=60), name="measures_score_0_to_60"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.score}"


class CompleteYear(models.Model):
    """A year whose assessment a provincial official has declared complete (roles.md v1.1):
    the dashboards' default year from then on, whatever later approvals arrive. Withdrawing
    the declaration deletes the row; the history keeps who declared and withdrew, and why."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declared_at = models.DateTimeField(_("declared at"))
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("year declared complete")
        verbose_name_plural = _("years declared complete")

    def __str__(self) -> str:
        return str(self.year)
