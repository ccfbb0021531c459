-- The booking limits (one active appointment per office and day, the cap on active
-- appointments) count an appointment against whom it was booked as: the citizen ID when
-- it is proven (a verified account, or a walk-in whose card the clerk saw), otherwise the
-- account alone. An account that merely claims an ID can no longer use up the bookings of
-- the ID's real holder.
ALTER TABLE appointments ADD COLUMN booked_as TEXT NOT NULL DEFAULT '';
UPDATE appointments SET booked_as = CASE
    WHEN user_id IS NULL THEN 'id:' || requester_citizen_id
    WHEN EXISTS (
        SELECT 1 FROM users
        WHERE users.id = appointments.user_id
          AND users.identity_verified_at IS NOT NULL
          AND users.citizen_id = appointments.requester_citizen_id
    ) THEN 'id:' || requester_citizen_id
    ELSE 'account:' || user_id
END;
DROP INDEX appointments_one_active_per_day;
CREATE UNIQUE INDEX appointments_one_active_per_day
    ON appointments (office_id, booked_as, local_date)
    WHERE status IN ('booked', 'checked_in', 'in_service');
CREATE INDEX appointments_booked_as_status ON appointments (booked_as, status, slot_end);
