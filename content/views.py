"""The glossary page at /glossary/."""

from django.shortcuts import render

from content.models import GlossaryTerm


def glossary(request):
    terms = list(GlossaryTerm.objects.live().order_by("term"))  # not trainers' drafts
    for term in terms:
        term.initial = term.term[:1].upper()
    letters = sorted({term.initial for term in terms})
    return render(request, "content/glossary.html", {"terms": terms, "letters": letters})
