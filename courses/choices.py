"""Fixed vocabularies for courses."""

LEVEL_CHOICES = [
    ("introductory", "Introductory"),
    ("intermediate", "Intermediate"),
    ("advanced", "Advanced"),
]

FORMAT_CHOICES = [
    ("self-paced", "Self-paced online"),
    ("blended", "Blended: online and workshops"),
    ("live-online", "Live online sessions"),
    ("in-person", "In person"),
]

# (key, label, from minutes inclusive, to minutes exclusive)
DURATION_BUCKETS = [
    ("under-1-hour", "Under 1 hour", 0, 60),
    ("1-to-3-hours", "1 to 3 hours", 60, 181),
    ("over-3-hours", "Over 3 hours", 181, 100_000),
]
