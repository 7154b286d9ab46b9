# The learner-journey fixtures, for the security tests.
from tests.learners.conftest import course, learner  # noqa: F401
