"""A course and its tree: course → module → lesson, authored in Wagtail."""

from bisect import bisect

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.shortcuts import redirect
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content.blocks import LessonBodyBlock, knowledge_check_mark
from courses.choices import FORMAT_CHOICES, LEVEL_CHOICES
from courses.durations import DURATION_HELP, lesson_minutes
from courses.followups import FollowUpPointsField
from courses.hooks import COURSE_PAGE_CONTEXT, LESSON_PAGE_CONTEXT, run_context_hooks
from courses.models.assessment import AssessmentPage
from courses.models.review import CourseChildPage, CourseTree
from courses.templatetags.course_tags import course_page_url


def in_preview(request) -> bool:
    """Whether Wagtail is serving a preview (the editor's panel or "view draft"): then a
    course's draft pages are shown too, so a trainer can click through a draft course."""
    return bool(getattr(request, "is_preview", False))


def course_pages(queryset, *, preview: bool):
    """`queryset` as a visitor sees it: live pages only, or in a preview every page, each
    titled with its latest draft title (in memory only; nothing is saved)."""
    if not preview:
        return list(queryset.live())
    pages = list(queryset)
    for page in pages:
        page.title = page.draft_title or page.title
    return pages


CERTIFICATE_VALID_MONTHS_MAX = 120  # ten years


def months_words(months: int) -> str:
    """'1 month', '12 months'."""
    return f"{months} month{'s' if months != 1 else ''}"


class WorkedOutDuration:
    """A page whose `duration_minutes` is worked out on every clean and save, by its own
    `worked_out_minutes()` (the override, or what its content takes: courses.durations)."""

    def clean(self):
        super().clean()
        self.duration_minutes = self.worked_out_minutes()

    def save(self, *args, **kwargs):
        self.duration_minutes = self.worked_out_minutes()
        return super().save(*args, **kwargs)


class CoursePage(CourseTree, WorkedOutDuration, Page):
    """A course: what it is, who it is for, what you will be able to do afterwards."""

    summary = models.TextField(max_length=300, help_text="One or two sentences for the catalogue.")
    audience = RichTextField("who it is for", features=["bold", "italic", "ul", "link"])
    learning_outcomes = RichTextField(
        features=["ul", "bold", "italic"],
        help_text="A bulleted list: 'By the end you will be able to …'",
    )
    duration_minutes = models.PositiveIntegerField(
        "takes about (minutes)", default=0,
        help_text="Worked out when you save: the sum of the required published lessons.",
    )
    duration_override = models.PositiveIntegerField(
        "override the duration (minutes)", null=True, blank=True,
        help_text="Optional: only if the course takes longer than its lessons, for example "
        "a workshop. Learners and certificates are shown this instead.",
    )
    level = models.CharField(max_length=20, choices=LEVEL_CHOICES, default="introductory")
    topic = models.ForeignKey(
        "courses.Topic", on_delete=models.PROTECT, related_name="courses"
    )
    format = models.CharField(max_length=20, choices=FORMAT_CHOICES, default="self-paced")
    trainers = ParentalManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="trained_courses",
        limit_choices_to={"groups__name": "Trainers"},
    )
    pass_mark = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Optional: the score a learner needs to complete the course, as a "
        "percentage. Where the course has a final assessment, it is the assessment score "
        "(the best attempt); otherwise the share of knowledge checks answered correctly.",
    )

    followup_points = FollowUpPointsField(
        "ask learners whether they have used this at work",
        help_text="We email learners one question (have you used this at work?) this many "
        "days after they complete the course. Untick all three to ask nothing.",
    )

    # Issue 17: how long a certificate for this course is valid; copied to each certificate
    # as its expiry date when it is issued (learners.services.certificate_expiry).
    certificate_valid_months = models.PositiveSmallIntegerField(
        "certificate valid for (months)", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(CERTIFICATE_VALID_MONTHS_MAX)],
        help_text="Optional. For learning people must renew: for example 12 for a year. "
        "Leave empty if the certificate does not run out. A certificate is valid until the "
        "day before the same date that many months after the learner completed the course. "
        "If you change this, certificates already issued keep the date they have.",
    )

    def score_passes(self, score_percent: int | None) -> bool:
        """The course's pass rule: with no pass mark, or no knowledge checks scored,
        any score passes; otherwise the score must reach the pass mark."""
        return self.pass_mark is None or score_percent is None or score_percent >= self.pass_mark

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("audience"),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("duration_minutes", read_only=True),
                               FieldPanel("duration_override")]),
                FieldPanel("level"),
                FieldRowPanel([FieldPanel("topic"), FieldPanel("format")]),
                FieldPanel("pass_mark"),
            ],
            heading="About the course",
        ),
        FieldPanel("followup_points"),
        FieldPanel("trainers", widget=forms.CheckboxSelectMultiple),
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel([FieldPanel("certificate_valid_months")], heading="Certificate"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("audience"),
        index.SearchField("learning_outcomes"),
        index.RelatedFields("topic", [index.SearchField("name")]),
        index.FilterField("level"),
        index.FilterField("format"),
        index.FilterField("topic"),
        index.FilterField("duration_minutes"),
    ]

    parent_page_types = ["courses.CataloguePage"]
    subpage_types = ["courses.ModulePage", "courses.AssessmentPage"]
    # Fetched with the page when courses.routing serves it (the page shows its topic).
    route_select_related = ("topic",)

    def certificate_recurrence_conflict(self, *, recurrence_months: int | None) -> str | None:
        """Why required learning repeating every `recurrence_months` cannot go with this
        course's certificate, or None when they agree. The rule (issue 17): the renewal
        must fall due no later than the certificate runs out, so the repeat may not be
        longer than the certificate is valid. A course whose certificate never runs
        out, or learning that does not repeat, always agrees."""
        valid = self.certificate_valid_months
        if not valid or not recurrence_months or recurrence_months <= valid:
            return None
        return (f"The certificate for {self.title} is valid for {months_words(valid)}, so "
                f"people must renew it at least every {months_words(valid)}. Choose "
                f"{valid} months or fewer, or ask the course's trainer to change how long "
                "its certificate is valid")

    def clean(self):
        super().clean()
        if not self.pk or not self.certificate_valid_months:
            return
        # Required learning on this course that repeats less often than the certificate
        # would now last (the reverse relation: courses does not import learners).
        longest = (self.required_learning.filter(withdrawn_at__isnull=True,
                                                 recurrence_months__isnull=False)
                   .order_by("-recurrence_months")
                   .values_list("recurrence_months", flat=True).first())
        if longest and longest > self.certificate_valid_months:
            raise ValidationError({"certificate_valid_months": (
                f"This course is required learning that people repeat every "
                f"{months_words(longest)}. Its certificate must be valid for at least "
                f"that long, so that it does not run out before they must renew: enter "
                f"{longest} or more, or ask HR to repeat the required learning more often")})

    def worked_out_minutes(self) -> int:
        """The override, or the sum of the required published lessons' durations."""
        if self.duration_override:
            return self.duration_override
        if not self.pk:
            return 0
        return sum(LessonPage.objects.live().descendant_of(self).filter(required=True)
                   .values_list("duration_minutes", flat=True))

    def final_assessment(self):
        """The course's live final assessment, or None."""
        return AssessmentPage.objects.live().child_of(self).first()

    def outline(self, *, preview: bool = False):
        """The live modules with their live lessons, in tree order, in two queries (in a
        preview, drafts too)."""
        modules = course_pages(ModulePage.objects.child_of(self).order_by("path"),
                               preview=preview)
        lessons = course_pages(LessonPage.objects.descendant_of(self).order_by("path"),
                               preview=preview)
        by_module: dict[str, list[LessonPage]] = {m.path: [] for m in modules}
        for lesson in lessons:
            by_module.get(lesson.path[: -lesson.steplen], []).append(lesson)
        return [(module, by_module[module.path]) for module in modules]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # (module, lessons, status): learners adds each module's status for its learner.
        # Learners are shown the outline kept per published tree (courses.selectors);
        # a preview works it out afresh, drafts included.
        if in_preview(request):
            outline = self.outline(preview=True)
        else:
            from courses.selectors import course_outline

            outline = [(module, module.lessons) for module in course_outline(course=self)]
        context["outline"] = [(module, lessons, None) for module, lessons in outline]
        # The catalogue is the course's parent: its address is the course's, one level
        # up (no query for the parent page).
        if not in_preview(request) and self.slug and request.path.endswith(f"/{self.slug}/"):
            url = request.path  # served at its own address (no read of the site's root)
        else:
            url = self.get_url(request=request) if self.pk else None
        context["catalogue_url"] = url.rstrip("/").rsplit("/", 1)[0] + "/" if url else "/courses/"
        if in_preview(request) or not self.pk:
            context["trainer_names"] = [str(t) for t in self.trainers.all()]
            context["final_assessment"] = self.final_assessment()
        else:
            # Kept per course tree and course page version (courses.selectors).
            from courses.selectors import course_page_shared

            shared = course_page_shared(course=self)
            context["trainer_names"] = list(shared.trainer_names)
            context["final_assessment"] = shared.final_assessment
        run_context_hooks(COURSE_PAGE_CONTEXT, request, self, context)
        if not in_preview(request) and self.pk:
            context["course_body_html"] = self.body_html(outline=context["outline"])
        return context

    def body_html(self, *, outline) -> str:
        """What the course is for and its outline, rendered: kept per course tree
        version, course and the statuses shown on its modules (all a learner's own
        that it shows), so learners on the same step share one rendering."""
        from django.template.loader import render_to_string

        from courses.cache import course_tree_version
        from courses.fragments import fragment_kept

        statuses = tuple(str(status or "") for _module, _lessons, status in outline)
        return fragment_kept(
            "course-body", version=course_tree_version(), key=(self.pk, *statuses),
            build=lambda: render_to_string("courses/includes/course_body.html",
                                           {"page": self, "outline": outline}))

    def serve(self, request, *args, **kwargs):
        # The context and its hooks (the sessions) read the course page version once.
        from courses.cache import course_page_version_held

        with course_page_version_held():
            return super().serve(request, *args, **kwargs)


class ModulePage(CourseChildPage, Page):
    """A group of lessons within a course."""

    summary = models.TextField(max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    search_fields = Page.search_fields + [index.SearchField("summary")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if in_preview(request):
            context["course"] = self.get_parent().specific
            context["lessons"] = course_pages(
                LessonPage.objects.child_of(self).order_by("path"), preview=True)
        else:
            context["course"] = self.course()
            from courses.selectors import course_outline

            context["lessons"] = next(
                (module.lessons for module in course_outline(course=context["course"])
                 if module.id == self.pk), ())
        return context


class LessonPage(CourseChildPage, WorkedOutDuration, Page):
    """A lesson: a stream of blocks the learner reads, watches and answers."""

    summary = models.TextField(max_length=300, blank=True)
    duration_minutes = models.PositiveIntegerField(
        "takes about (minutes)", default=1, help_text=DURATION_HELP)
    duration_override = models.PositiveIntegerField(
        "override the duration (minutes)", null=True, blank=True,
        help_text="Optional: only if the worked out figure is wrong for this lesson.",
    )
    required = models.BooleanField(
        default=True, help_text="Untick for optional lessons, not needed to complete the course."
    )
    body = StreamField(LessonBodyBlock(), blank=True)
    # The plain text of the published body, for catalogue search (courses.search);
    # written when the lesson is published (courses.apps), never edited by hand.
    search_text = models.TextField(blank=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("duration_minutes", read_only=True),
                       FieldPanel("duration_override")]),
        FieldPanel("required"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    def worked_out_minutes(self) -> int:
        """The override, or the time the body takes (courses.durations)."""
        return self.duration_override or lesson_minutes(body_raw=list(self.body.raw_data))

    def knowledge_checks(self):
        """The lesson's knowledge checks, built alone (building every block would fetch
        glossary terms, documents and images for nothing)."""
        return list(self.body.blocks_by_name("knowledge_check"))

    def knowledge_check_ids(self) -> list[str]:
        """The ids of the lesson's knowledge checks, read from the stored JSON without
        building every block (which would fetch glossary terms and documents)."""
        return [block["id"] for block in self.body.raw_data
                if block["type"] == "knowledge_check"]

    def scorm_package_ids(self) -> list[int]:
        """The SCORM packages the lesson runs (its "scorm_package" blocks), read from the
        stored JSON like knowledge_check_ids: a SCORM lesson is complete only once the
        learner has passed each of them (learners.services.scorm)."""
        ids = []
        for block in self.body.raw_data:
            if block["type"] == "scorm_package":
                value = block["value"]
                package = value.get("package") if isinstance(value, dict) else value
                if isinstance(package, int):
                    ids.append(package)
        return ids

    def _course_module_siblings(self, request) -> tuple:
        """The lesson's course and module, and the course's lessons in order: for
        learners from the course outline (courses.selectors, no query when it is kept);
        in a preview the pages themselves, drafts too (issue 13: a draft lesson showed
        "Lesson 1 of 0" and no next link)."""
        if in_preview(request):
            module = self.get_parent()
            course = module.get_parent().specific
            siblings = course_pages(
                LessonPage.objects.descendant_of(course).order_by("path")
                .only("id", "title", "draft_title", "path", "url_path", "depth", "live"),
                preview=True,
            )
            return course, module, siblings
        from courses.selectors import course_outline

        course = self.course()
        outline = course_outline(course=course)
        module = next((m for m in outline if any(ls.id == self.pk for ls in m.lessons)), None)
        return (course, module or self.get_parent(),
                [lesson for m in outline for lesson in m.lessons])

    def _frame_key(self, request, course_url: str):
        """What the page's shared frame (breadcrumbs, heading, the links either side) is
        kept by (lesson_page.html, `{% keptmarkup %}`): this live lesson in the current
        course tree version, which every save of a page in the tree replaces, at the
        course's address on this request's site. None (kept by nothing) in a preview, or
        when the version cannot be read."""
        from courses.cache import course_tree_version

        version = None if in_preview(request) or not self.live else course_tree_version()
        return (self.pk, version, course_url) if version else None

    def serve(self, request, *args, **kwargs):
        if request.method == "POST" and not request.POST.get("check"):
            return redirect(self.url)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course, module, siblings = self._course_module_siblings(request)
        index_here = next((i for i, p in enumerate(siblings) if p.pk == self.pk), None)
        if index_here is None and in_preview(request) and self.path:
            # A new lesson previewed before its first save sits where it will be added.
            index_here = bisect([p.path for p in siblings], self.path)
            siblings.insert(index_here, self)
        answered_id = request.POST.get("check") if request.method == "POST" else None
        results = {}
        for block in self.knowledge_checks():
            chosen = request.POST.getlist("answer") if block.id == answered_id else None
            results[block.id] = knowledge_check_mark(value=block.value, chosen_ids=chosen)
        context.update(
            course=course,
            module=module,
            previous_lesson=siblings[index_here - 1] if index_here else None,
            next_lesson=(
                siblings[index_here + 1]
                if index_here is not None and index_here + 1 < len(siblings) else None
            ),
            lesson_number=(index_here or 0) + 1,
            lesson_count=len(siblings),
            check_results=results,
        )
        # The breadcrumbs' addresses, for this request's site (or a preview's drafts).
        context.update(course_url=course_page_url({"request": request}, course),
                       module_url=course_page_url({"request": request}, module))
        context["frame_key"] = self._frame_key(request, context["course_url"])
        run_context_hooks(LESSON_PAGE_CONTEXT, request, self, context)
        return context
