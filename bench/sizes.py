"""The sizes the harness can build: the department (full) and the one CI runs (tiny)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    learners: int
    courses: int            # the last two are kept empty: the bulk-enrolment targets
    modules: int            # per course
    lessons: int            # per module
    branching: tuple        # children per organisation at each level below the root
    completion_pairs: int   # (learner, lesson) pairs prepared for the completion run
    certificates: int
    export_rows: int
    bulk_rows: int


SIZES = {
    "full": Size("full", learners=100_000, courses=100, modules=3, lessons=10,
                 branching=(6, 5, 5, 4, 3), completion_pairs=20_000, certificates=10_000,
                 export_rows=1_000_000, bulk_rows=100_000),
    "tiny": Size("tiny", learners=300, courses=5, modules=2, lessons=3,
                 branching=(2, 2, 2), completion_pairs=200, certificates=30,
                 export_rows=2_000, bulk_rows=250),
}
