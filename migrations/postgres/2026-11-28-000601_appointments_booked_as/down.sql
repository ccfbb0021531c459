DROP INDEX appointments_booked_as_status;
DROP INDEX appointments_one_active_per_day;
CREATE UNIQUE INDEX appointments_one_active_per_day
    ON appointments (office_id, requester_citizen_id, local_date)
    WHERE status IN ('booked', 'checked_in', 'in_service');
ALTER TABLE appointments DROP COLUMN booked_as;
