-- The per-citizen cap on active appointments counts a citizen ID's booked appointments
-- across every office at each booking.
CREATE INDEX appointments_citizen_status ON appointments (requester_citizen_id, status, slot_end);
