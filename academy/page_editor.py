"""Wagtail's "add page" view, made safe against two saves of one new page at once.

Wagtail 8 autosaves the editor: on a page that does not exist yet, the first autosave
creates it, and until the browser has learnt the new page's address every save posts to
the add form again. "Save draft" a moment after an edit raced that autosave: both passed
the form's check that the slug is free, the second failed in the model's own check, and
the trainer got a 500 while the only saved version was the autosave from before their
last edits (docs/decisions.md, "Authoring: preview, autosave, avatars").
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.functional import cached_property
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.models import Page

from courses.models.review import CourseTree


class PageCreateView(CreateView):
    """Creates one page at a time under a parent, and never autosaves a page that does
    not exist yet (autosave starts once the trainer has saved it the first time)."""

    def get_context_data(self, **kwargs):
        # Autosave before the first save posts a half-filled form (no title yet): it
        # answers 400, shows "Autosave is paused", and races "Save draft".
        self.autosave_enabled = False
        return super().get_context_data(**kwargs)

    @cached_property
    def action_name_and_method(self):
        name, method = super().action_name_and_method
        parent = self.parent_page.specific
        if name == "submit" and isinstance(parent, CourseTree) and not parent.live:
            # Under a course or module that is not live, a new page goes out with its
            # course (courses.review): it is saved as a draft, never submitted alone.
            return ("save", self.save_action)
        return name, method

    def post(self, request):
        # The parent's row is locked for the length of the save, so a second save under
        # the same parent waits, then finds the slug taken and gets a form error.
        with transaction.atomic():
            Page.objects.select_for_update().filter(pk=self.parent_page.pk).first()
            return super().post(request)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ValidationError as error:
            # The model's own checks (the slug again, among others) are the form's errors.
            form.add_error(None, error)
            return self.form_invalid(form)


def page_create(request, content_type_app_name, content_type_model_name, parent_page_id):
    """Wagtail's add-page route (its page viewset for the type, as Wagtail's own router
    builds it), with PageCreateView as the view."""
    try:
        viewset = page_viewset_registry.get_by_content_type_natural_key(
            content_type_app_name, content_type_model_name)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    view = viewset.construct_view(PageCreateView)
    return view(request, content_type_app_name=content_type_app_name,
                content_type_model_name=content_type_model_name,
                parent_page_id=parent_page_id)
