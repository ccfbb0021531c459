use diesel::prelude::*;

use crate::db::ids::{CopyId, ShareId, UserId};
use crate::db::schema::{copy_shares, copy_uses};
use crate::db::{DbConn, DbResult};

/// A citizen's share of a certified copy (docs/ARCHITECTURE.md §13).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = copy_shares)]
pub struct CopyShare {
    /// Share id.
    pub id: ShareId,
    /// The copy shared.
    pub register_entry_id: CopyId,
    /// The citizen who shared it.
    pub citizen_user_id: UserId,
    /// SHA-256 (hex) of the secret.
    pub token_hash: String,
    /// The only agency that may redeem it (`None`: any agency with the secret).
    pub agency_user_id: Option<UserId>,
    /// What it is for.
    pub purpose: String,
    /// The administrative procedure's code, if given.
    pub procedure_code: Option<String>,
    /// Most redemptions (`None`: unlimited until expiry).
    pub max_uses: Option<i32>,
    /// Redemptions so far.
    pub uses: i32,
    /// Created (UTC).
    pub created_at: time::PrimitiveDateTime,
    /// No redemption after this (UTC).
    pub expires_at: time::PrimitiveDateTime,
    /// Revoked by the citizen (UTC).
    pub revoked_at: Option<time::PrimitiveDateTime>,
}

impl CopyShare {
    /// Inserts a share.
    pub fn insert(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::insert_into(copy_shares::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// The share with this secret hash.
    pub fn by_token_hash(conn: &mut DbConn, hash: &str) -> DbResult<Option<CopyShare>> {
        Ok(copy_shares::table
            .filter(copy_shares::token_hash.eq(hash))
            .select(CopyShare::as_select())
            .first(conn)
            .optional()?)
    }

    /// One share.
    pub fn find(conn: &mut DbConn, id: &ShareId) -> DbResult<Option<CopyShare>> {
        Ok(copy_shares::table
            .find(id)
            .select(CopyShare::as_select())
            .first(conn)
            .optional()?)
    }

    /// The shares of some copies, newest first.
    pub fn of_entries(conn: &mut DbConn, entries: &[CopyId]) -> DbResult<Vec<CopyShare>> {
        Ok(copy_shares::table
            .filter(copy_shares::register_entry_id.eq_any(entries))
            .order(copy_shares::created_at.desc())
            .select(CopyShare::as_select())
            .load(conn)?)
    }
}

/// One use of a certified copy by an agency: a share redeemed, or the file verified.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = copy_uses)]
pub struct CopyUse {
    /// Row id (UUID).
    pub id: String,
    /// The copy used.
    pub register_entry_id: CopyId,
    /// Through this share, if any.
    pub share_id: Option<ShareId>,
    /// The agency.
    pub agency_user_id: UserId,
    /// `share_redeemed` or `verified`.
    pub kind: String,
    /// The procedure it was for (the share's purpose), if known.
    pub procedure: Option<String>,
    /// When (UTC).
    pub used_at: time::PrimitiveDateTime,
    /// The HTTP request.
    pub request_id: Option<String>,
}

impl CopyUse {
    /// Records a use.
    pub fn insert(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::insert_into(copy_uses::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// The uses of some copies, newest first.
    pub fn of_entries(conn: &mut DbConn, entries: &[CopyId]) -> DbResult<Vec<CopyUse>> {
        Ok(copy_uses::table
            .filter(copy_uses::register_entry_id.eq_any(entries))
            .order(copy_uses::used_at.desc())
            .select(CopyUse::as_select())
            .load(conn)?)
    }

    /// Whether `agency` has redeemed `share` before.
    pub fn redeemed_by(conn: &mut DbConn, share: &ShareId, agency: &UserId) -> DbResult<bool> {
        let count: i64 = copy_uses::table
            .filter(copy_uses::share_id.eq(share))
            .filter(copy_uses::agency_user_id.eq(agency))
            .count()
            .get_result(conn)?;
        Ok(count > 0)
    }
}
