"""Session keys that carry one lesson action's outcome across its redirect to the
lesson page (learners.views and learners.learning_log_views write them,
learners.wagtail_hooks reads and removes them): the errors to show (check id ->
message), the check just answered, whose feedback is focused and announced, and the
learning-log answer just saved or refused."""

LESSON_ERRORS = "lesson_errors"
LESSON_ANSWERED = "lesson_answered"
LESSON_LOGGED = "lesson_logged"
LESSON_LOG_ERROR = "lesson_log_error"
