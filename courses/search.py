"""Catalogue search: finds courses by what they teach, not only by their own fields.

A search looks at course titles, topics and summaries, module titles and summaries,
lesson titles, summaries and text (`LessonPage.search_text`, the plain text of the
lesson's blocks, kept up to date on publish), and glossary terms and definitions.
Titles weigh more than summaries, and summaries more than lesson text.

On PostgreSQL it uses full-text search (English stemming, websearch syntax, weighted
ranks); on SQLite (the embedded default for `make run`) it matches every word as a
substring and weighs the matches in Python. A search that finds nothing offers the
nearest known words ("Did you mean scrum?") and shows their results. Either way the
number of queries does not depend on the number of results.
"""

import difflib
import html
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils.html import strip_tags

from content.models import GlossaryTerm
from courses.models import CoursePage, LessonPage, ModulePage

# Keys in a lesson block's stored value that hold settings or references, not words.
_NOT_TEXT_KEYS = {"type", "id", "kind", "style", "url", "document", "term", "correct"}
_WORD = re.compile(r"\w+(?:[-'.]\w+)*")
# Weights for the SQLite scoring, matching PostgreSQL's default weights for A, B, C.
_TITLE, _SUMMARY, _BODY = 1.0, 0.4, 0.2
FOUND_IN_LIMIT = 3
GLOSSARY_LIMIT = 3


@dataclass
class LessonMatch:
    """A lesson that matched, shown under its course as "Found in: <title>"."""

    lesson: LessonPage
    rank: float


@dataclass
class CatalogueSearch:
    """What a search found: courses in rank order (each with `search_matches`, the
    lessons that matched, best first), glossary terms, and a suggested spelling."""

    query: str
    courses: list = field(default_factory=list)
    glossary: list = field(default_factory=list)
    suggestion: str = ""
    showing_suggestion: bool = False


def lesson_search_text(*, body_raw: list) -> str:
    """The plain text of a lesson body's stored (raw JSON) blocks: text, callouts,
    video transcripts, knowledge checks with their options and explanations,
    activities and resources. Settings (ids, styles, which answer is correct) and
    references (documents, glossary terms) are left out."""
    parts: list[str] = []

    def walk(value, key=None):
        if key in _NOT_TEXT_KEYS:
            return
        if isinstance(value, str):
            parts.append(html.unescape(strip_tags(value)))
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if "type" in value and "value" in value:  # a block: {"type", "value", "id"}
                walk(value["value"])
            else:
                for k, v in value.items():
                    walk(v, k)

    walk(body_raw or [])
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def lesson_search_text_update(*, lesson: LessonPage) -> None:
    """Store the plain text of the lesson's live body for search. Writes the column
    alone, so it never touches anything else on the page."""
    text = lesson_search_text(body_raw=list(lesson.body.raw_data))
    LessonPage.objects.filter(pk=lesson.pk).update(search_text=text)


def catalogue_search(*, courses, query: str) -> CatalogueSearch:
    """Search the given (already filtered) CoursePage queryset and the glossary.
    Courses come back ranked, each with `search_matches`; when nothing at all is
    found and a word looks misspelt, the search is run again with the nearest words."""
    courses = list(courses)
    found = _search(courses, query)
    if found.courses or found.glossary:
        return found
    suggestion = _suggestion(query)
    if not suggestion:
        return found
    retry = _search(courses, suggestion)
    retry.query = query
    retry.suggestion = suggestion
    retry.showing_suggestion = bool(retry.courses or retry.glossary)
    return retry


def _search(courses: list, query: str) -> CatalogueSearch:
    words = _words(query)
    result = CatalogueSearch(query=query)
    if not words or not courses:
        result.glossary = _glossary(query, words) if words else []
        return result
    if connection.vendor == "postgresql":
        scored = _postgres_scores(courses, query)
    else:
        scored = _sqlite_scores(courses, words)
    course_ranks, lesson_matches = scored
    by_path = {course.path: course for course in courses}
    path_length = len(courses[0].path)
    ranks: dict[int, list[float]] = {}
    for path, rank in course_ranks:
        course = by_path.get(path[:path_length])
        if course is not None:
            ranks.setdefault(course.pk, []).append(rank)
    matches: dict[int, list[LessonMatch]] = {}
    for match in lesson_matches:
        course = by_path.get(match.lesson.path[:path_length])
        if course is not None:
            ranks.setdefault(course.pk, []).append(match.rank)
            matches.setdefault(course.pk, []).append(match)

    def score(course):
        found = sorted(ranks[course.pk], reverse=True)
        # The best match counts most; more matches lift a course a little.
        return found[0] + 0.1 * sum(found[1:])

    ranked = sorted((c for c in courses if c.pk in ranks), key=lambda c: (-score(c), c.title))
    for course in ranked:
        best = sorted(matches.get(course.pk, []), key=lambda m: (-m.rank, m.lesson.path))
        course.search_matches = [m.lesson for m in best[:FOUND_IN_LIMIT]]
    result.courses = ranked
    result.glossary = _glossary(query, words)
    return result


def _words(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query or "")]


def _postgres_scores(courses: list, query: str):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    search = SearchQuery(query, search_type="websearch", config="english")

    def vector(*weighted):
        combined = None
        for name, weight in weighted:
            part = SearchVector(name, weight=weight, config="english")
            combined = part if combined is None else combined + part
        return combined

    def ranked(queryset, *weighted):
        v = vector(*weighted)
        return (queryset.annotate(search_vector=v, rank=SearchRank(v, search))
                .filter(search_vector=search))

    course_rows = ranked(
        CoursePage.objects.filter(pk__in=[c.pk for c in courses]),
        ("title", "A"), ("topic__name", "A"), ("summary", "B"),
        ("learning_outcomes", "C"), ("audience", "C"),
    ).values_list("path", "rank")
    module_rows = ranked(
        ModulePage.objects.live().public(), ("title", "A"), ("summary", "B"),
    ).values_list("path", "rank")
    lessons = ranked(
        LessonPage.objects.live().public(),
        ("title", "A"), ("summary", "B"), ("search_text", "C"),
    ).only("id", "title", "path", "depth", "url_path", "content_type")
    course_ranks = list(course_rows) + list(module_rows)
    return course_ranks, [LessonMatch(lesson, lesson.rank) for lesson in lessons]


def _all_words_q(words: list[str], fields: list[str]) -> Q:
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def _weigh(words: list[str], weighted: list[tuple[str, float]]) -> float:
    """Each word scores the weight of the heaviest field it appears in."""
    total = 0.0
    for word in words:
        total += max((w for text, w in weighted if word in (text or "").lower()), default=0)
    return total / len(words)


def _sqlite_scores(courses: list, words: list[str]):
    course_ranks = []
    for course in courses:
        weighted = [(course.title, _TITLE), (course.topic.name, _TITLE),
                    (course.summary, _SUMMARY), (strip_tags(course.learning_outcomes), _BODY),
                    (strip_tags(course.audience), _BODY)]
        if all(any(word in (text or "").lower() for text, _w in weighted) for word in words):
            course_ranks.append((course.path, _weigh(words, weighted)))
    modules = (ModulePage.objects.live().public()
               .filter(_all_words_q(words, ["title", "summary"]))
               .values_list("path", "title", "summary"))
    for path, title, summary in modules:
        course_ranks.append((path, _weigh(words, [(title, _TITLE), (summary, _SUMMARY)])))
    lessons = (LessonPage.objects.live().public()
               .filter(_all_words_q(words, ["title", "summary", "search_text"]))
               .only("id", "title", "path", "depth", "url_path", "content_type",
                     "summary", "search_text"))
    matches = [
        LessonMatch(lesson, _weigh(words, [(lesson.title, _TITLE), (lesson.summary, _SUMMARY),
                                           (lesson.search_text, _BODY)]))
        for lesson in lessons
    ]
    return course_ranks, matches


def _glossary(query: str, words: list[str]) -> list[GlossaryTerm]:
    live = GlossaryTerm.objects.live()  # a trainer's draft term is nobody's answer yet
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        search = SearchQuery(query, search_type="websearch", config="english")
        v = (SearchVector("term", weight="A", config="english")
             + SearchVector("also_matches", weight="A", config="english")
             + SearchVector("definition", weight="B", config="english"))
        return list(live.annotate(search_vector=v, rank=SearchRank(v, search))
                    .filter(search_vector=search).order_by("-rank", "term")[:GLOSSARY_LIMIT])
    terms = live.filter(_all_words_q(words, ["term", "also_matches", "definition"]))
    scored = sorted(
        terms,
        key=lambda t: (-_weigh(words, [(t.term, _TITLE), (t.also_matches, _TITLE),
                                        (t.definition, _SUMMARY)]), t.term),
    )
    return scored[:GLOSSARY_LIMIT]


def _vocabulary() -> set[str]:
    """Words a learner is likely to search for: those of course, module and lesson
    titles, topics and glossary terms."""
    texts: list[str] = []
    for model in (CoursePage, ModulePage, LessonPage):
        texts += model.objects.live().public().values_list("title", flat=True)
    texts += CoursePage.objects.live().values_list("topic__name", flat=True)
    for term, also in GlossaryTerm.objects.live().values_list("term", "also_matches"):
        texts += [term, also]
    return {w for text in texts for w in _words(text) if len(w) >= 3}


def _suggestion(query: str) -> str:
    """The query with each unknown word replaced by the nearest known word, or ""
    when no word changes (SequenceMatcher copes with swapped letters, such as
    "srcum", which trigrams score poorly)."""
    vocabulary = _vocabulary()
    changed = False
    corrected = []
    for word in _words(query):
        if word in vocabulary or len(word) < 3:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        if close:
            corrected.append(close[0])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else ""
