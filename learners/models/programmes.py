"""Model → pair → coach programmes: for a fixed period, experts work with a partner team
on a list of practices until the team owns each one (issue 16).

A practice moves through four phases, and only a coach of the programme moves it
(learners.services.programmes). What happened is kept as two append-only histories,
the phase changes and the evidence: a row once written is never changed or deleted.
The model refuses it (save of an existing row, delete, queryset update and delete),
and so does PostgreSQL, with a trigger added by the migration, for anything that goes
round the model. The practice's current phase is a copy of its latest phase change,
written in the same transaction, so the programme page reads it without the history."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from learners.storage import private_storage


class PracticePhase(models.TextChoices):
    MODEL = "model", "Model"
    PAIR = "pair", "Pair"
    COACH = "coach", "Coach"
    OWNED = "owned", "Owned"


PHASE_ORDER = [PracticePhase.MODEL, PracticePhase.PAIR, PracticePhase.COACH,
               PracticePhase.OWNED]
PHASE_DESCRIPTIONS = {
    PracticePhase.MODEL: "Model: the experts do the work while your team watches.",
    PracticePhase.PAIR: "Pair: the experts and your team do the work side by side.",
    PracticePhase.COACH: "Coach: your team leads the work while the experts advise.",
    PracticePhase.OWNED: "Owned: your team does the work without help.",
}


def phase_step(phase: str) -> int:
    """1 for model … 4 for owned."""
    return PHASE_ORDER.index(phase) + 1


class AppendOnlyError(Exception):
    """Someone tried to change or delete a row of an append-only history."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted")


class AppendOnlyModel(models.Model):
    """A history row: written once, then only read."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted")


class Programme(ClusterableModel):
    """A fixed period in which coaches work with a partner team from one organisation on
    a list of practices. Closed the day after its end date, when the closing report is
    made (learners.services.programmes.programme_close)."""

    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "learners.Organisation", on_delete=models.PROTECT, related_name="programmes",
        verbose_name="partner organisation",
        help_text="The organisation the partner team works in.")
    description = models.TextField(blank=True,
                                   help_text="What the programme is for, in a sentence or two.")
    starts_on = models.DateField("start date")
    ends_on = models.DateField("end date",
                               help_text="The closing report is made the day after this.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    report = models.FileField(upload_to="programmes/", blank=True, editable=False,
                              storage=private_storage)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")),
                                   name="programme_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeRole(models.TextChoices):
    MEMBER = "member", "Member of the partner team"
    COACH = "coach", "Coach"


class ProgrammeMember(models.Model):
    """A person in a programme: a member of the partner team, or a coach (who may come
    from the academy rather than the partner organisation)."""

    programme = ParentalKey(Programme, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="programme_memberships")
    role = models.CharField(max_length=20, choices=ProgrammeRole.choices,
                            default=ProgrammeRole.MEMBER)

    class Meta:
        ordering = ["role", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"],
                                    name="one_membership_per_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in programme {self.programme_id} ({self.role})"


class Practice(ClusterableModel, Orderable):
    """A named way of working the partner team is to own, and the courses that teach it."""

    programme = ParentalKey(Programme, on_delete=models.PROTECT, related_name="practices")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    courses = ParentalManyToManyField("courses.CoursePage", blank=True,
                                      related_name="practices",
                                      help_text="Courses that teach this practice.")
    # A copy of the latest PhaseChange's to_phase (model until the first change).
    phase = models.CharField(max_length=10, choices=PracticePhase.choices,
                             default=PracticePhase.MODEL, editable=False)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"],
                                    name="practice_name_unique_in_programme"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def step(self) -> int:
        return phase_step(self.phase)


class PhaseChange(AppendOnlyModel):
    """A coach moved a practice from one phase to another, forward one step or back
    any number, with a note saying why."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT,
                                 related_name="phase_changes")
    from_phase = models.CharField(max_length=10, choices=PracticePhase.choices)
    to_phase = models.CharField(max_length=10, choices=PracticePhase.choices)
    note = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="phase_change_has_note"),
            models.CheckConstraint(condition=~Q(from_phase=F("to_phase")),
                                   name="phase_change_changes_phase"),
        ]

    def __str__(self) -> str:
        return f"practice {self.practice_id}: {self.from_phase} to {self.to_phase}"

    @property
    def is_back(self) -> bool:
        return phase_step(self.to_phase) < phase_step(self.from_phase)


class LedBy(models.TextChoices):
    EXPERTS = "experts", "The experts"
    TOGETHER = "together", "The experts and your team together"
    TEAM = "team", "Your team"
    PERSON = "person", "A named person"


class Evidence(AppendOnlyModel):
    """Something the team did in a practice: when, what, who led it, and what they
    learnt from it."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="evidence")
    happened_on = models.DateField()
    what = models.TextField()
    led_by = models.CharField(max_length=10, choices=LedBy.choices)
    led_by_person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    reflection = models.TextField(blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    logged_at = models.DateTimeField()

    class Meta:
        ordering = ["happened_on", "logged_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=~Q(what=""), name="evidence_says_what"),
            models.CheckConstraint(
                condition=Q(led_by="person", led_by_person__isnull=False)
                | (~Q(led_by="person") & Q(led_by_person__isnull=True)),
                name="evidence_person_when_led_by_person",
            ),
        ]

    def __str__(self) -> str:
        return f"evidence {self.pk} on practice {self.practice_id}"
