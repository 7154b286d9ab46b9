"""The calendar invitation a session email carries: it parses with icalendar itself, and
holds the UID, SEQUENCE, METHOD and wall-clock times calendar programs need, on either
side of the clock change."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from learners.calendar import CANCEL, REQUEST, session_ical
from learners.models import BookingStatus, SessionMode
from tests.factories import UserFactory, course_with_lessons
from tests.learners.session_factories import BookingFactory, TrainingSessionFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=1, title="User research basics")


def at_ten(year, month, day):
    return datetime(year, month, day, 10, tzinfo=LONDON)


def session_at(course, starts_at, **fields):
    return TrainingSessionFactory(course=course, starts_at=starts_at,
                                  ends_at=starts_at.replace(hour=12), **fields)


def parsed(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.events
    return calendar, event


@pytest.mark.parametrize(("day", "utc_hour", "offset"), [
    ((2027, 3, 29), 9, 1),    # British Summer Time: 10:00 in London is 09:00 UTC
    ((2027, 11, 1), 10, 0),   # Greenwich Mean Time: 10:00 in London is 10:00 UTC
    ((2027, 3, 28), 9, 1),    # the day the clocks go forward, at 01:00 UTC
    ((2027, 10, 31), 10, 0),  # the day they go back, at 01:00 UTC
])
def test_the_invitation_holds_ten_oclock_london_time_across_the_clock_change(
        course, day, utc_hour, offset):
    session = session_at(course, at_ten(*day))

    calendar, event = parsed(session_ical(session=session, method=REQUEST))

    assert calendar["METHOD"] == "REQUEST"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert (event.start.date(), event.start.hour, event.start.minute) == (date(*day), 10, 0)
    assert (event.end.date(), event.end.hour) == (date(*day), 12)
    assert event.start.astimezone(UTC) == datetime(*day, utc_hour, tzinfo=UTC)
    assert event.start.utcoffset().total_seconds() == offset * 3600
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]


def test_a_session_the_day_after_the_clocks_go_back_is_at_ten_gmt(course):
    # The clocks go back at 02:00 BST on 31 October 2027.
    session = session_at(course, at_ten(2027, 11, 1))
    before = session_at(course, at_ten(2027, 10, 30))

    _calendar, event = parsed(session_ical(session=session, method=REQUEST))
    _calendar, event_before = parsed(session_ical(session=before, method=REQUEST))

    assert event.start.astimezone(UTC) == datetime(2027, 11, 1, 10, tzinfo=UTC)
    assert event_before.start.astimezone(UTC) == datetime(2027, 10, 30, 9, tzinfo=UTC)
    # The VTIMEZONE the invitation carries says the same to a calendar that reads it.
    ics = session_ical(session=session, method=REQUEST).decode()
    assert "TZOFFSETTO:+0000" in ics
    assert "TZOFFSETTO:+0100" in ics


def test_the_invitation_names_the_session_its_place_and_its_people(course):
    session = session_at(course, at_ten(2027, 3, 29), venue_name="Room 4.12",
                         venue_address="102 Petty France\nLondon SW1H 9AJ")
    learner = UserFactory(email="amara@example.gov.uk", first_name="Amara",
                          last_name="Osei")
    booking = BookingFactory(session=session, user=learner)

    _calendar, event = parsed(session_ical(session=session, method=REQUEST, attendee=booking))

    assert str(event["UID"]) == f"training-session-{session.pk}@testserver"
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == "User research basics"
    assert str(event["LOCATION"]) == "Room 4.12, 102 Petty France, London SW1H 9AJ"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:academy@example.gov.uk"
    assert str(event["ATTENDEE"]) == "mailto:amara@example.gov.uk"
    assert str(event["ATTENDEE"].params["CN"]) == "Amara Osei"
    description = str(event["DESCRIPTION"])
    assert "Monday 29 March 2027, 10am to midday (UK time)" in description
    assert f"http://testserver/learning/sessions/{session.pk}/" in description
    assert event["DTSTAMP"].dt.tzinfo is not None


def test_a_module_session_is_called_by_course_and_module(course):
    module = course.get_children().specific().first()
    session = session_at(course, at_ten(2027, 3, 29), module=module)

    _calendar, event = parsed(session_ical(session=session, method=REQUEST))

    assert str(event["SUMMARY"]) == f"User research basics: {module.title}"


def test_an_update_has_a_higher_sequence_and_the_same_uid(course):
    session = session_at(course, at_ten(2027, 3, 29))
    _calendar, first = parsed(session_ical(session=session, method=REQUEST))

    session.starts_at, session.ends_at = at_ten(2027, 3, 30), at_ten(2027, 3, 30).replace(
        hour=12)
    session.sequence += 1
    session.save()
    _calendar, update = parsed(session_ical(session=session, method=REQUEST))

    assert update["UID"] == first["UID"]
    assert update["SEQUENCE"] > first["SEQUENCE"]
    assert update.start.date().isoformat() == "2027-03-30"


def test_a_cancelled_place_is_a_cancel_with_the_same_uid(course):
    session = session_at(course, at_ten(2027, 3, 29))
    booking = BookingFactory(session=session, status=BookingStatus.CANCELLED)

    calendar, event = parsed(session_ical(session=session, method=CANCEL, attendee=booking))

    assert calendar["METHOD"] == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == session.ical_uid
    assert event["SEQUENCE"] == session.sequence


def test_the_joining_link_is_only_for_a_person_with_a_place(course):
    link = "https://meet.example.gov.uk/j/123-456"
    session = session_at(course, at_ten(2027, 11, 1), mode=SessionMode.ONLINE,
                         venue_name="", venue_address="", joining_link=link)
    booked = BookingFactory(session=session)
    waiting = BookingFactory(session=session, status=BookingStatus.WAITING)

    _calendar, invitation = parsed(session_ical(session=session, method=REQUEST,
                                                attendee=booked))
    for ics in (session_ical(session=session, method=REQUEST, attendee=waiting),
                session_ical(session=session, method=REQUEST),
                session_ical(session=session, method=CANCEL, attendee=booked)):
        assert link.encode() not in ics
        assert b"meet.example" not in ics

    assert str(invitation["LOCATION"]) == link
    assert str(invitation["URL"]) == link
    assert f"Join online: {link}" in str(invitation["DESCRIPTION"])


def test_an_unknown_method_is_refused(course):
    session = session_at(course, at_ten(2027, 3, 29))

    with pytest.raises(ValueError, match="PUBLISH"):
        session_ical(session=session, method="PUBLISH")
