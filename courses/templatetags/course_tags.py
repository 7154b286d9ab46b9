from django import template

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """90 → '1 hour 30 minutes'."""
    if not minutes:
        return ""
    hours, mins = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)
