"""SCORM packages (issue 17): e-learning bought from suppliers, uploaded as a .zip by a
trainer, checked, and kept unpacked in the academy's own storage under `files_prefix`.
A lesson shows one with the SCORM block (content.blocks); learners' runtime data is kept
per attempt in learners (ScormAttempt)."""

import uuid

from django.conf import settings
from django.db import models


class ScormVersion(models.TextChoices):
    SCORM_12 = "1.2", "SCORM 1.2"
    SCORM_2004_3 = "2004-3", "SCORM 2004 3rd edition"
    SCORM_2004_4 = "2004-4", "SCORM 2004 4th edition"


class ScormPackage(models.Model):
    """One checked, unpacked package. Its files are never changed: a new version of a
    course is a new upload, so attempts always refer to the files they ran."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=255)
    version = models.CharField(max_length=10, choices=ScormVersion.choices)
    # The manifest's identifier, and the launchable resource's href, relative to the
    # package's root (always a checked, relative, normalised path).
    identifier = models.CharField(max_length=255, blank=True)
    launch_path = models.CharField(max_length=500)
    # Where the unpacked files are in storage: "<files_prefix><path in the package>".
    files_prefix = models.CharField(max_length=100, unique=True, editable=False)
    original_filename = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField(default=0)   # unpacked
    file_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "SCORM package"

    def __str__(self) -> str:
        return f"{self.title} ({self.get_version_display()})"

    def save(self, *args, **kwargs):
        if not self.files_prefix:
            self.files_prefix = f"scorm/{self.uuid}/"
        super().save(*args, **kwargs)

    @property
    def is_2004(self) -> bool:
        return self.version != ScormVersion.SCORM_12
