DROP TABLE appointments;
DROP TABLE slot_counters;
DROP TABLE office_calendars;
