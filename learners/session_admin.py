"""Instructor-led sessions in the Wagtail admin ("Sessions"), and the upcoming sessions
on each course page (courses.hooks COURSE_PAGE_CONTEXT).

Trainers create and edit the sessions of the courses they train, and see no others;
academy admins see and edit all. Nobody deletes a session here: people book them, and
a session that will not run is cancelled (with a reason everyone booked is told)."""

from django import forms
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from courses.hooks import COURSE_PAGE_CONTEXT
from courses.models import CoursePage, ModulePage
from learners.models import SessionMode, TrainingSession, User
from learners.scoped_admin import ScopedEditView, ScopedIndexView, ScopedInspectView
from learners.scoping import TRAINERS, trainer_courses
from learners.services import sessions as booking

SESSION_COURSE_PAGE_SECTION = "learners/sessions/course_sessions.html"


@hooks.register(COURSE_PAGE_CONTEXT)
def add_course_sessions(request, page, context):
    """The course's upcoming sessions with places left, in one query when not kept;
    the section is shown only when there are some."""
    # Kept until a session or booking is written (courses.cache course_page_version).
    # While people wait, a freed place is theirs: the course page says "full".
    sessions = booking.course_sessions_upcoming(course=page)
    context["training_sessions"] = sessions
    context["SessionMode"] = SessionMode
    if sessions:
        context.setdefault("course_page_sections", []).append(SESSION_COURSE_PAGE_SECTION)


def _is_admin(user) -> bool:
    return user.is_active and user.is_superuser


def _is_trainer(user) -> bool:
    return (user.is_authenticated and user.is_active
            and user.groups.filter(name=TRAINERS).exists())


class TrainingSessionPermissionPolicy(ModelPermissionPolicy):
    """Admins: everything but delete. Trainers: add, and view and change the sessions of
    the courses they train."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return _is_admin(user) or (_is_trainer(user) and action in {"add", "change", "view"})

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return User.objects.filter(is_active=True, is_superuser=True)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return _is_admin(user) or trainer_courses(user).filter(pk=instance.course_id).exists()

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return TrainingSession.objects.none()
        if _is_admin(user):
            return TrainingSession.objects.all()
        return TrainingSession.objects.filter(course__in=trainer_courses(user))


register_permission_policy(TrainingSession, TrainingSessionPermissionPolicy(TrainingSession))


class TrainingSessionForm(WagtailAdminModelForm):
    """The session's details, checked together: the module is one of the course's, an
    online session has a joining link and one in person a venue, the trainer trains the
    course, and capacity is not below the people already booked."""

    joining_link = forms.URLField(
        label="Joining link", required=False, max_length=500, assume_scheme="https",
        help_text="Required for an online session. Shown only to people with a place.")

    class Meta:
        model = TrainingSession
        fields = ["course", "module", "mode", "starts_at", "ends_at", "trainer",
                  "venue_name", "venue_address", "venue_accessibility", "joining_link",
                  "capacity", "minimum", "cancel_cutoff_hours"]
        widgets = {"mode": forms.RadioSelect}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        user = for_user
        if user is not None and not _is_admin(user):
            self.fields["course"].queryset = trainer_courses(user).order_by("title")
        else:
            self.fields["course"].queryset = CoursePage.objects.order_by("title")
        self.fields["module"].queryset = ModulePage.objects.order_by("path")
        self.fields["module"].help_text = ("Leave empty if the session teaches the whole "
                                           "course. Otherwise a module of the course.")
        self.fields["trainer"].queryset = User.objects.filter(
            groups__name=TRAINERS, is_active=True).order_by("first_name", "last_name")

    def clean(self):
        data = super().clean()
        course, module = data.get("course"), data.get("module")
        if course and module and not module.is_descendant_of(course):
            self.add_error("module", "Choose a module of the course, or leave it empty")
        mode = data.get("mode")
        if mode == SessionMode.ONLINE and not data.get("joining_link"):
            self.add_error("joining_link", "Enter the joining link for an online session")
        if mode == SessionMode.IN_PERSON:
            if not data.get("venue_name"):
                self.add_error("venue_name", "Enter the name of the venue")
            if not data.get("venue_address"):
                self.add_error("venue_address", "Enter the address of the venue")
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must be after the start")
        capacity, minimum = data.get("capacity"), data.get("minimum")
        if capacity is not None and capacity < 1:
            self.add_error("capacity", "Capacity must be at least 1")
        if capacity is not None and minimum is not None and minimum > capacity:
            self.add_error("minimum", "The minimum number cannot be more than the capacity")
        trainer = data.get("trainer")
        if course and trainer and not course.trainers.filter(pk=trainer.pk).exists():
            self.add_error("trainer", "Choose a trainer of this course (the course's "
                                      "trainers are set on the course page)")
        if self.instance.pk and capacity is not None:
            booked = booking.session_booked_count(session=self.instance)
            if capacity < booked:
                self.add_error("capacity", f"{booked} people already have a place: the "
                                           f"capacity cannot be fewer")
        return data

    def save(self, commit=True):
        session = super().save(commit=False)
        if commit:
            booking.training_session_save(session=session, changed=set(self.changed_data))
        return session


class _ScopedIndexView(ScopedIndexView):
    select_related = ("course", "trainer")

    def get_list_more_buttons(self, instance):
        # Cancelling the whole session (learners.session_cancel_admin) asks why and
        # tells everyone booked or waiting; a cancelled one shows when and why there.
        label = "Cancelled: see why" if instance.is_cancelled else "Cancel the session"
        return [*super().get_list_more_buttons(instance),
                MenuItem(label, url=reverse("session_cancel", args=[instance.pk]),
                         icon_name="cross", priority=40)]


class TrainingSessionViewSet(ModelViewSet):
    model = TrainingSession
    icon = "date"
    menu_label = "Sessions"
    add_to_admin_menu = True
    menu_order = 250
    index_view_class = _ScopedIndexView
    edit_view_class = ScopedEditView
    inspect_view_class = ScopedInspectView
    list_display = ["course", "module", "starts_at", "mode", "trainer", "capacity",
                    "cancelled_at"]
    list_filter = ["mode"]
    form_fields = TrainingSessionForm.Meta.fields

    def get_form_class(self, for_update=False):
        return TrainingSessionForm


hooks.register("register_admin_viewset")(lambda: TrainingSessionViewSet("sessions"))
