"""Model → pair → coach programmes in the Wagtail admin ("Programmes"): an academy admin
or a trainer sets one up on one page: its name, partner organisation and dates, the
people in it (members of the partner team, and coaches), and its practices with the
courses that teach each.

Trainers set up programmes and change those they set up or coach; academy admins
change any. Nobody deletes a programme, and a practice with history cannot be removed:
nothing in a programme's history is lost. Phases and evidence are not edited here:
coaches and members record them on the programme's own pages."""

from django.db.models import Q
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from learners.models import (
    Evidence,
    PhaseChange,
    Programme,
    ProgrammeMember,
    ProgrammeRole,
    User,
)
from learners.scoped_admin import ScopedEditView, ScopedIndexView, ScopedInspectView
from learners.scoping import TRAINERS


def _is_admin(user) -> bool:
    return user.is_active and user.is_superuser


def _is_trainer(user) -> bool:
    return (user.is_authenticated and user.is_active
            and user.groups.filter(name=TRAINERS).exists())


class ProgrammePermissionPolicy(ModelPermissionPolicy):
    """Admins: everything but delete. Trainers: add, and view and change the programmes
    they set up or coach."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return _is_admin(user) or (_is_trainer(user) and action in {"add", "change", "view"})

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return User.objects.filter(is_active=True, is_superuser=True)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.instances_user_has_permission_for(user, action).filter(
            pk=instance.pk).exists()

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return Programme.objects.none()
        if _is_admin(user):
            return Programme.objects.all()
        return Programme.objects.filter(
            Q(created_by=user)
            | Q(pk__in=ProgrammeMember.objects.filter(user=user, role=ProgrammeRole.COACH)
                .values("programme")))


register_permission_policy(Programme, ProgrammePermissionPolicy(Programme))


class ProgrammeForm(WagtailAdminModelForm):
    """Checked together: the end after the start, nobody in the programme twice, and no
    practice with history removed."""

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The end date must be after the start date")
        return data

    def is_valid(self):
        """The people and practices are checked once their forms are (ClusterForm
        validates its formsets after the form's own clean())."""
        if not super().is_valid():
            return False
        problems = []
        people = [f.cleaned_data.get("user") for f in self.formsets["members"].forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        people = [p for p in people if p is not None]
        if len(people) != len(set(people)):
            problems.append("Add each person to the programme once, as a member or a coach")
        for form in self.formsets["practices"].forms:
            practice = form.instance
            if form.cleaned_data.get("DELETE") and practice.pk and (
                    PhaseChange.objects.filter(practice=practice).exists()
                    or Evidence.objects.filter(practice=practice).exists()):
                problems.append(f"“{practice.name}” has evidence or phase changes, so it "
                                "cannot be removed")
        for problem in problems:
            self.add_error(None, problem)
        return not problems

    def save(self, commit=True):
        if self.instance.created_by_id is None and self.for_user is not None:
            self.instance.created_by = self.for_user
        return super().save(commit=commit)


class _ScopedIndexView(ScopedIndexView):
    select_related = ("organisation",)


class ProgrammeViewSet(ModelViewSet):
    model = Programme
    icon = "group"
    menu_label = "Programmes"
    add_to_admin_menu = True
    menu_order = 260
    index_view_class = _ScopedIndexView
    edit_view_class = ScopedEditView
    inspect_view_class = ScopedInspectView
    list_display = ["name", "organisation", "starts_on", "ends_on", "closed_at"]
    search_fields = ["name"]
    edit_handler = ObjectList([
        MultiFieldPanel([
            FieldPanel("name"),
            FieldPanel("organisation"),
            FieldPanel("description"),
            FieldPanel("starts_on"),
            FieldPanel("ends_on"),
        ], heading="The programme"),
        InlinePanel("members", heading="People", label="Person",
                    panels=[FieldPanel("user"), FieldPanel("role")],
                    help_text="Members of the partner team, and the coaches who work with "
                              "them (coaches may be from the academy)."),
        InlinePanel("practices", heading="Practices", label="Practice",
                    panels=[FieldPanel("name"), FieldPanel("description"),
                            FieldPanel("courses")],
                    help_text="The ways of working the team is to own, in order."),
    ], base_form_class=ProgrammeForm)


hooks.register("register_admin_viewset")(lambda: ProgrammeViewSet("programmes"))
