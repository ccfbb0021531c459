use diesel::prelude::*;

use crate::db::ids::{ApiKeyId, UserId};
use crate::db::schema::api_keys;
use crate::db::{DbConn, DbResult};

/// An agency API key. Only the SHA-256 of the key is stored; `prefix` (the first
/// characters) helps an operator tell keys apart.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    /// Key id.
    pub id: ApiKeyId,
    /// The agency account the key belongs to.
    pub user_id: UserId,
    /// First characters of the key, for display.
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    pub key_hash: String,
    /// What the agency uses the key for.
    pub label: String,
    /// Creation time.
    pub created_at: time::PrimitiveDateTime,
    /// Set when revoked.
    pub revoked_at: Option<time::PrimitiveDateTime>,
}

impl ApiKey {
    /// Inserts a key.
    pub fn insert(conn: &mut DbConn, key: &ApiKey) -> DbResult<()> {
        diesel::insert_into(api_keys::table)
            .values(key)
            .execute(conn)?;
        Ok(())
    }

    /// The unrevoked key with this hash.
    pub fn find_active(conn: &mut DbConn, key_hash: &str) -> DbResult<Option<ApiKey>> {
        Ok(api_keys::table
            .filter(api_keys::key_hash.eq(key_hash))
            .filter(api_keys::revoked_at.is_null())
            .select(ApiKey::as_select())
            .first(conn)
            .optional()?)
    }

    /// The keys of an agency, newest first.
    pub fn of_agency(conn: &mut DbConn, user_id: &UserId) -> DbResult<Vec<ApiKey>> {
        Ok(api_keys::table
            .filter(api_keys::user_id.eq(user_id))
            .order(api_keys::created_at.desc())
            .select(ApiKey::as_select())
            .load(conn)?)
    }

    /// Revokes an agency's unrevoked key. Returns false when there is no such key.
    pub fn revoke(
        conn: &mut DbConn,
        user_id: &UserId,
        id: &ApiKeyId,
        at: time::PrimitiveDateTime,
    ) -> DbResult<bool> {
        let changed = diesel::update(
            api_keys::table
                .find(id)
                .filter(api_keys::user_id.eq(user_id))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(Some(at)))
        .execute(conn)?;
        Ok(changed == 1)
    }
}
