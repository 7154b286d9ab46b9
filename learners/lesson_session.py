"""Session keys that carry one lesson action's outcome across its redirect to the
lesson page (learners.views writes them, learners.wagtail_hooks reads and removes them):
the errors to show (check id -> message), and the check just answered, whose feedback
is focused and announced."""

LESSON_ERRORS = "lesson_errors"
LESSON_ANSWERED = "lesson_answered"
