//! Which status changes an appointment allows, and to whom.
//!
//! ```text
//! booked ──check-in──▶ checked_in ──call──▶ in_service ──▶ done
//!   │  ╲                   │                   │
//!   │   ╲ (after grace)    ▼                   ▼
//!   │    ▶ no_show      cancelled           cancelled
//!   ▼
//! cancelled  (citizen: before the cutoff; desk: any time)
//! ```
//!
//! Cancelling gives the seat back; `done` and `no_show` keep it (the slot was used), so
//! a slot counter always equals the number of its appointments that are not cancelled.

use crate::db::models::AppointmentStatus;

/// Who asks for a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusActor {
    /// The citizen, signed in or through the manage link.
    Citizen,
    /// A clerk or official of the office, at the desk.
    Desk,
}

/// Whether `by` may move an appointment from `from` to `to`.
pub fn may_change_status(from: AppointmentStatus, to: AppointmentStatus, by: StatusActor) -> bool {
    use AppointmentStatus::*;
    match by {
        StatusActor::Citizen => matches!((from, to), (Booked, Cancelled)),
        StatusActor::Desk => matches!(
            (from, to),
            (Booked, CheckedIn | Cancelled | NoShow)
                | (CheckedIn, InService | Cancelled)
                | (InService, Done | Cancelled)
        ),
    }
}

/// Whether a change to `to` gives the slot's seat back.
pub fn releases_seat(to: AppointmentStatus) -> bool {
    to == AppointmentStatus::Cancelled
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppointmentStatus::*;

    #[test]
    fn the_desk_walks_the_life_cycle_and_nothing_leaves_a_final_state() {
        for (from, to) in [
            (Booked, CheckedIn),
            (CheckedIn, InService),
            (InService, Done),
            (Booked, NoShow),
            (Booked, Cancelled),
            (CheckedIn, Cancelled),
            (InService, Cancelled),
        ] {
            assert!(
                may_change_status(from, to, StatusActor::Desk),
                "{from:?} → {to:?}"
            );
        }
        for from in [Done, Cancelled, NoShow] {
            for to in AppointmentStatus::ALL {
                assert!(!may_change_status(from, to, StatusActor::Desk));
                assert!(!may_change_status(from, to, StatusActor::Citizen));
            }
        }
        assert!(
            !may_change_status(Booked, Done, StatusActor::Desk),
            "no skipping"
        );
        assert!(!may_change_status(CheckedIn, NoShow, StatusActor::Desk));
    }

    #[test]
    fn citizens_may_only_cancel_a_booking() {
        for from in AppointmentStatus::ALL {
            for to in AppointmentStatus::ALL {
                let allowed = may_change_status(from, to, StatusActor::Citizen);
                assert_eq!(
                    allowed,
                    (from, to) == (Booked, Cancelled),
                    "{from:?} → {to:?}"
                );
            }
        }
        assert!(releases_seat(Cancelled));
        assert!(!releases_seat(NoShow) && !releases_seat(Done));
    }
}
