"""An iCalendar (RFC 5545) invitation for a client visit, attached to the agent's email.

Escaping, folding and line endings are the `icalendar` package's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText


def visit_invitation(
    uid: str,
    start: datetime,
    minutes: int,
    summary: str,
    location: str,
    description: str,
    attendee: str,
    now: datetime,
) -> bytes:
    """A one-event VCALENDAR (METHOD:REQUEST); `uid` is stable so a re-send updates, not adds."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", (start + timedelta(minutes=minutes)).astimezone(UTC))
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    guest = vCalAddress(f"mailto:{attendee}")
    guest.params["ROLE"] = vText("REQ-PARTICIPANT")
    event.add("attendee", guest)
    event.add("status", "CONFIRMED")
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//csflows//retention cadence//EN")
    calendar.add("method", "REQUEST")
    calendar.add_component(event)
    return calendar.to_ical()
