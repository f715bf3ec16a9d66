"""The compendium of meetings and events, iCalendar in and out, and participation."""
