"""The admin's form for the learning record store (learners.models.LrsSettings): the
secret is never sent back to the browser, a blank secret keeps the one saved, and the
LRS cannot be switched on without an address, key and secret."""

from django.core.cache import cache
from wagtail.admin.forms import WagtailAdminModelForm

LRS_ENABLED_CACHE_KEY = "xapi:lrs-enabled"
# Until when (a time.time()) delivery leaves the LRS alone after an outage.
LRS_PAUSED_CACHE_KEY = "xapi:lrs-paused-until"


class LrsSettingsForm(WagtailAdminModelForm):
    def clean_secret(self) -> str:
        # The field is a password box that never shows what is saved: left blank, the
        # saved secret stays.
        return self.cleaned_data.get("secret") or self.instance.secret

    def clean(self):
        data = super().clean()
        if data.get("enabled"):
            for name, message in (
                ("endpoint", "Enter the LRS endpoint before you turn sending on"),
                ("key", "Enter the key the LRS gave you before you turn sending on"),
                ("secret", "Enter the secret the LRS gave you before you turn sending on"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    def save(self, commit=True):
        instance = super().save(commit=commit)
        # Facts read whether sending is on from the cache (learners.services.xapi); new
        # settings (credentials put right) are tried at once, not after the back-off.
        cache.delete_many([LRS_ENABLED_CACHE_KEY, LRS_PAUSED_CACHE_KEY])
        return instance
