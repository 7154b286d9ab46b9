"""The demo's model → pair → coach programme: the Benefits Processing North team works
with two academy coaches for twelve weeks on five practices, nine weeks in. Its
history (evidence and phase moves, one of them back) is written as the team and
coaches would write it. Skipped once loaded, like the rest of the demo."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from academy.setup import TRAINERS
from courses.models import CoursePage
from learners.models import Grade, LedBy, Organisation, Profession, Programme
from learners.services.programmes import (
    evidence_log,
    practice_add,
    practice_phase_move,
    programme_create,
)

PROGRAMME_NAME = "Benefits Processing North: owning how we work"
COACH_EMAIL = "coach@example.gov.uk"
COACH = ("Dana", "Whitfield")
PARTNER_TEAM = "benefits-processing-north"
WEEKS = 12
WEEKS_IN = 9


@dataclass(frozen=True)
class Step:
    """Something in the practice's history, `day` days after the programme started:
    evidence (`what`, `led_by`, `reflection`, logged by `who`) or a coach's move
    (`to_phase` and `note`)."""

    day: int
    what: str = ""
    led_by: str = LedBy.EXPERTS
    reflection: str = ""
    who: str = "member"   # "member", "lead" (the team's lead) or "coach"
    to_phase: str = ""
    note: str = ""


def _move(day, to_phase, note):
    return Step(day=day, to_phase=to_phase, note=note, who="coach")


PRACTICES = [
    ("Write user stories",
     "Turn what users need into small stories the team can build and test, with "
     "acceptance criteria everyone agrees.",
     ["agile-foundations", "scrum-in-government"], [
         Step(3, "Dana wrote the stories for the change of circumstances form while we "
                 "watched, talking through why each one starts with the claimant.",
              LedBy.EXPERTS, "We had been writing tasks, not stories. Starting with who "
                             "needs it changes the conversation."),
         Step(10, "Wrote six stories for the address change journey with Dana, splitting "
                  "the big one into three we could finish in a sprint.",
              LedBy.TOGETHER, "Splitting by the user's steps worked better than splitting "
                              "by system."),
         _move(11, "pair", "The team is writing the first draft of each story now; I am "
                           "there to question it."),
         Step(24, "Wrote the backlog for the overpayments letter on our own and asked Dana "
                  "to review it afterwards.", LedBy.TEAM,
              "Two stories had no acceptance criteria. We now check every story against "
              "a short list before refinement.", who="lead"),
         _move(26, "coach", "Sam led refinement for the first time and the stories held up "
                            "in planning. I only advised."),
         Step(47, "Refinement session run entirely by the team: nine stories ready for "
                  "the next sprint, none sent back.", LedBy.TEAM,
              "We did not need to ask for help this time.", who="lead"),
         _move(52, "owned", "Three sprints of stories written and refined without me. "
                            "The team owns this practice."),
     ]),
    ("Plan a sprint",
     "Agree a sprint goal and the work to meet it, based on what the team has "
     "actually delivered before.",
     ["scrum-in-government"], [
         Step(4, "Watched Priya run sprint planning for the first two-week sprint, "
                 "including setting a sprint goal.", LedBy.EXPERTS,
              "A single goal made it much easier to say no to extra work."),
         Step(18, "Planned the second sprint with Priya: we estimated, she challenged how "
                  "much we took on.", LedBy.TOGETHER,
              "We planned too much last time. We now use what we finished last sprint "
              "as the limit."),
         _move(19, "pair", "The team is ready to plan alongside us."),
         Step(46, "Jordan ran planning, Priya only stepped in once on the goal wording.",
              LedBy.PERSON, "The goal was clearer when it named the user.", who="lead"),
         _move(49, "coach", "The team plans its own sprints now. I will watch two more "
                            "before we call it owned."),
     ]),
    ("Run a usability session",
     "Watch real users try the service, take notes without leading them, and agree "
     "what to change.",
     ["user-research-for-non-researchers"], [
         Step(15, "Observed Dana run three usability sessions with claimants on the new "
                  "letter. We took notes.", LedBy.EXPERTS,
              "Hard not to help the user when they got stuck. That is the point."),
         Step(33, "Wrote the discussion guide with Dana and ran one session each, with "
                  "Dana taking notes.", LedBy.TOGETHER,
              "We asked leading questions at first. Dana showed us how to ask about what "
              "they did last time instead."),
         _move(36, "pair", "The team is ready to run sessions with me alongside."),
     ]),
    ("Hold a retrospective",
     "Look back at each sprint together, agree one or two changes, and follow them up.",
     ["agile-foundations"], [
         Step(14, "Priya facilitated our first retrospective using start, stop, continue.",
              LedBy.EXPERTS, "People said more than we expected once it was anonymous."),
         _move(15, "pair", "After one retrospective modelled, the team is ready to "
                           "co-facilitate."),
         Step(28, "Co-facilitated the sprint 2 retrospective with Priya and agreed two "
                  "actions.", LedBy.TOGETHER, "Writing actions with an owner made them "
                                              "happen."),
         _move(29, "coach", "The team chose the format and ran it; I advised on timing."),
         _move(43, "pair", "Our facilitator moved to another team, so we are back to "
                           "running these together while someone new learns."),
         Step(44, "Ran the sprint 3 retrospective in pairs, with the new facilitator "
                  "leading half of it.", LedBy.TOGETHER,
              "Moving back was the right call: the new facilitator is confident now."),
         _move(57, "coach", "The new facilitator ran it well with light advice. Back to "
                            "coaching."),
     ]),
    ("Own the product roadmap",
     "Keep a roadmap that shows what the team will do next and why, and use it to "
     "talk with the service owner.",
     ["iterating-public-services"], [
         Step(40, "Dana drafted a now, next, later roadmap with the service owner while "
                  "we watched.", LedBy.EXPERTS,
              "We had been treating the roadmap as a list of dates. It is about problems "
              "to solve."),
         Step(55, "Watched Dana present the roadmap to the deputy director and take "
                  "questions.", LedBy.EXPERTS,
              "We need to start pairing on this soon or we will run out of time.",
              who="lead"),
     ]),
]


def _person(email: str, first: str, last: str, team: str, *, trainer: bool = False):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        from academy.demo_loader import DEMO_PASSWORD

        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last,
            organisation=Organisation.objects.get(slug=team),
            grade=Grade.objects.get(name="Grade 7"),
            profession=Profession.objects.get(slug="digital-data-and-technology"))
    if trainer:
        user.groups.add(Group.objects.get(name=TRAINERS))
    return user


def _when(start, day: int) -> datetime:
    """Mid-morning on the day, in the department's time zone."""
    return timezone.make_aware(datetime.combine(start + timedelta(days=day), time(10, 30)))


def demo_programme_load() -> None:
    """The demo programme, its coach (coach@example.gov.uk, a trainer) and its history.
    Trainers may set up programmes in the admin (academy.setup.academy_roles_ensure)."""
    coach = _person(COACH_EMAIL, *COACH, "service-design-team", trainer=True)
    if Programme.objects.filter(name=PROGRAMME_NAME).exists():
        return
    User = get_user_model()
    second_coach = User.objects.get(email="trainer@example.gov.uk")
    learner = User.objects.get(email="learner@example.gov.uk")
    lead = User.objects.get(email="manager@example.gov.uk")
    colleagues = list(User.objects.filter(
        organisation__slug=PARTNER_TEAM, email__endswith="@demo.example.gov.uk")
        .order_by("last_name")[:3])
    today = timezone.localdate()
    starts_on = today - timedelta(weeks=WEEKS_IN)
    programme = programme_create(
        name=PROGRAMME_NAME, organisation=Organisation.objects.get(slug=PARTNER_TEAM),
        starts_on=starts_on, ends_on=starts_on + timedelta(weeks=WEEKS),
        created_by=User.objects.get(email="admin@example.gov.uk"),
        description="Twelve weeks in which the academy's coaches work alongside the "
                    "team on five ways of working, until the team runs each one itself.",
        members=[learner, lead, *colleagues], coaches=[coach, second_coach])
    people = {"member": learner, "lead": lead, "coach": coach}
    for name, description, slugs, steps in PRACTICES:
        practice = practice_add(programme=programme, name=name, description=description,
                                courses=list(CoursePage.objects.filter(slug__in=slugs)))
        for step in steps:
            if step.to_phase:
                practice_phase_move(practice=practice, to_phase=step.to_phase,
                                    note=step.note, by=coach, at=_when(starts_on, step.day))
            else:
                evidence_log(practice=practice, by=people[step.who],
                             happened_on=starts_on + timedelta(days=step.day),
                             what=step.what, led_by=step.led_by,
                             led_by_person=lead if step.led_by == LedBy.PERSON else None,
                             reflection=step.reflection, at=_when(starts_on, step.day))
