"""Calendar invitations (iCalendar, RFC 5545 / iTIP RFC 5546) for instructor-led
sessions, built with the icalendar library (docs/decisions.md).

One session is one event in people's calendars: every invitation, update and
cancellation carries the session's stable UID, so calendar programs replace the event
they hold rather than add another. The session's SEQUENCE is raised when what a calendar
shows changes, or when the whole session is cancelled; a person's own cancellation keeps
the sequence and is newer by its DTSTAMP, which is how Outlook, Google Calendar and
Apple Calendar order two messages with the same sequence. So someone who cancels and
books again gets an invitation their calendar applies over the cancellation."""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from learners.models import Booking, BookingStatus, SessionMode, TrainingSession
from learners.templatetags.learning import govuk_time

REQUEST = "REQUEST"
CANCEL = "CANCEL"
METHODS = (REQUEST, CANCEL)
PRODID = "-//Digital Academy//Instructor-led sessions//EN"


def session_title(session: TrainingSession) -> str:
    """What the session is called in emails and calendars: the course, and the module
    when the session teaches only one."""
    if session.module_id:
        return f"{session.course.title}: {session.module.title}"
    return session.course.title


def session_page_url(session: TrainingSession) -> str:
    """The full address of the session's page (its course page until the session page
    exists)."""
    try:
        path = reverse("session_detail", args=[session.pk])
    except NoReverseMatch:
        path = session.course.get_url()
    return settings.ACADEMY_BASE_URL + path


def session_local_times(session: TrainingSession) -> tuple[datetime, datetime]:
    """Start and end as wall-clock times in the academy's time zone (Europe/London)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)


def session_when(session: TrainingSession) -> str:
    """"Monday 29 March 2027, 10am to 4:30pm (UK time)", as GOV.UK writes times; a
    session over two days names both."""
    start, end = session_local_times(session)
    day = f"{start:%A %-d %B %Y}"
    if start.date() == end.date():
        return f"{day}, {govuk_time(start)} to {govuk_time(end)} (UK time)"
    return f"{day}, {govuk_time(start)} to {end:%A %-d %B %Y}, {govuk_time(end)} (UK time)"


def _has_place(session: TrainingSession, attendee: Booking | None) -> bool:
    return (attendee is not None and attendee.session_id == session.pk
            and attendee.status == BookingStatus.BOOKED and not session.is_cancelled)


def session_location(session: TrainingSession, *, with_link: bool) -> str:
    """The venue and its address in person; the joining link online, for people with a
    place (others see only that it is online)."""
    if session.mode == SessionMode.ONLINE:
        return session.joining_link if with_link and session.joining_link else "Online"
    address = ", ".join(line.strip() for line in session.venue_address.splitlines()
                        if line.strip())
    return ", ".join(part for part in (session.venue_name, address) if part)


def _description(session: TrainingSession, *, method: str, with_link: bool) -> str:
    lines = [session_title(session), "", session_when(session)]
    if session.is_cancelled:
        lines += ["", f"This session is cancelled: {session.cancelled_reason}"]
    elif method == CANCEL:
        lines += ["", "Your place on this session is cancelled."]
    elif session.mode == SessionMode.ONLINE:
        lines += ["", f"Join online: {session.joining_link}" if with_link
                  else "Online: the joining link is sent to people with a place."]
    else:
        lines += ["", f"Venue: {session_location(session, with_link=False)}"]
        if session.venue_accessibility:
            lines += [f"Accessibility: {session.venue_accessibility}"]
    lines += ["", f"Trainer: {session.trainer}",
              f"Details of the session: {session_page_url(session)}"]
    return "\n".join(lines)


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key.upper().replace("_", "-")] = vText(value)
    return address


def session_ical(*, session: TrainingSession, method: str,
                 attendee: Booking | None = None) -> bytes:
    """The session as a calendar with one event, for an email attachment.

    `method` is REQUEST (an invitation, or an update of one) or CANCEL (the person's own
    place is cancelled, or the whole session is). `attendee` is the person's booking on
    the session: they are the event's ATTENDEE, and only when it holds a place (and the
    method is REQUEST) does an online session's joining link appear (LOCATION, URL and
    DESCRIPTION). Times are in Europe/London with its VTIMEZONE, so the wall-clock time
    is right on either side of the clock change."""
    if method not in METHODS:
        raise ValueError(f"unknown iCalendar method {method!r}")
    with_link = method == REQUEST and _has_place(session, attendee)
    cancelled = method == CANCEL or session.is_cancelled
    start, end = session_local_times(session)

    event = Event()
    event.add("uid", session.ical_uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", session_title(session))
    event.add("location", session_location(session, with_link=with_link))
    event.add("description", _description(session, method=method, with_link=with_link))
    if with_link and session.mode == SessionMode.ONLINE and session.joining_link:
        event.add("url", session.joining_link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    from_name, from_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    event.add("organizer", _address(from_email, from_name or settings.ACADEMY_NAME))
    if attendee is not None:
        user = attendee.user
        event.add("attendee", _address(
            user.email, f"{user.first_name} {user.last_name}".strip(),
            role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE"))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(event)
    # The rules for the years around the session only: a VTIMEZONE from 1970 would
    # carry fifty years of changes in every email.
    calendar.add_missing_timezones(first_date=start.date() - timedelta(days=366),
                                   last_date=end.date() + timedelta(days=366))
    return calendar.to_ical()
