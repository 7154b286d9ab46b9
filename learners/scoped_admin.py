"""Wagtail admin views that show a user only the rows their permission policy gives
them (a trainer: their own courses' sessions, their programmes), for ModelViewSets
whose policy narrows instances_user_has_permission_for. Another's row is the 404 of
one that does not exist."""

from django.shortcuts import get_object_or_404
from wagtail.admin.views.generic import models as generic


class ScopedIndexView(generic.IndexView):
    # The listing's related rows, fetched with it.
    select_related: tuple[str, ...] = ()

    def get_base_queryset(self):
        return (self.permission_policy.instances_user_has_permission_for(
            self.request.user, "change").select_related(*self.select_related))


class ScopedEditView(generic.EditView):
    def get_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(
            self.request.user, "change")


class ScopedInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.permission_policy.instances_user_has_permission_for(
            self.request.user, "view"), pk=self.pk)
