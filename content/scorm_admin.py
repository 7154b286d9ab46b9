"""SCORM packages in the Wagtail admin ("SCORM packages"): trainers and admins upload a
package's .zip, which is checked and unpacked (content.scorm) before anything is kept,
and see the list. A refused package's message is shown next to the file field.

Nobody deletes a package here: learners' attempts refer to the files they ran, so a
package's files never change (a new version is a new upload). A trainer may correct a
package's title; nothing else about it changes."""

from django import forms
from django.template.defaultfilters import filesizeformat
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.log_actions import log
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from content.models import ScormPackage
from content.scorm import ScormPackageRefused, package_from_zip


class ScormPackagePermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions (academy.setup gives Trainers add, change and view),
    except that nobody deletes a package."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(ScormPackage, ScormPackagePermissionPolicy(ScormPackage))


class ScormPackageForm(WagtailAdminModelForm):
    """Uploading: the .zip and an optional title. Editing: the title only."""

    package_file = forms.FileField(
        label="SCORM package (.zip file)", required=True,
        help_text="The .zip file from the supplier, in SCORM 1.2 or SCORM 2004 (3rd or 4th "
                  "edition). It is checked before it is kept.",
        widget=forms.FileInput(attrs={"accept": ".zip,application/zip"}),
    )

    class Meta:
        model = ScormPackage
        fields = ["title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["package_file"]  # a package's files never change
        else:
            self.fields["title"].required = False
            self.fields["title"].help_text = ("Optional. Leave empty to use the title "
                                              "written in the package.")


class ScormPackageCreateView(CreateView):
    """Checks and keeps the package in one step (content.scorm.package_from_zip) once
    the form is valid; a refused package shows why next to the file field, and nothing
    is kept."""

    success_message = "SCORM package '%(object)s' uploaded and checked."
    error_message = "The SCORM package could not be used. See the problem below."

    def is_valid(self, form):
        if not super().is_valid(form):
            return False
        try:
            self.package = package_from_zip(
                form.cleaned_data["package_file"], uploaded_by=self.request.user,
                title=form.cleaned_data.get("title") or "")
        except ScormPackageRefused as refused:
            form.add_error("package_file", refused.message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return False
        return True

    def save_instance(self):
        log(instance=self.package, action="wagtail.create", user=self.request.user)
        return self.package


class ScormPackageViewSet(SnippetViewSet):
    model = ScormPackage
    icon = "folder-open-inverse"
    menu_label = "SCORM packages"
    menu_order = 210
    add_to_admin_menu = True
    add_view_class = ScormPackageCreateView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "title",
        Column("version", label="Version", accessor="get_version_display"),
        Column("size_bytes", label="Size", accessor=lambda package: filesizeformat(
            package.size_bytes)),
        DateColumn("uploaded_at", label="Uploaded"),
        Column("uploaded_by", label="Uploaded by"),
    ]
    list_filter = ["version"]
    search_fields = ["title", "original_filename"]
    search_backend_name = None  # the database's own search: packages are not indexed
    inspect_view_fields = ["title", "version", "launch_path", "identifier",
                           "original_filename", "size_bytes", "file_count", "uploaded_by",
                           "uploaded_at"]
    edit_handler = ObjectList([FieldPanel("title"), FieldPanel("package_file")],
                              base_form_class=ScormPackageForm)

    def get_queryset(self, request):
        return ScormPackage.objects.select_related("uploaded_by")
