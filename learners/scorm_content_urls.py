"""The only URLs of the SCORM content origin (learners.scorm_content): never part of the
academy's own URLs, and the academy's never served there."""

from django.urls import path

from learners import scorm_content

urlpatterns = [
    path("scorm-content/<str:token>/", scorm_content.scorm_wrapper, name="scorm_wrapper"),
    path("scorm-content/<str:token>/files/<path:path>", scorm_content.scorm_file,
         name="scorm_file"),
]
