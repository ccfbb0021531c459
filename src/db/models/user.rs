use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::ids::{OfficeId, UserId};
use crate::db::schema::users;
use crate::db::{DbConn, DbResult};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A citizen who books appointments and keeps copies in a wallet.
    Citizen,
    /// Office staff who receive, scan and check originals.
    Clerk,
    /// The competent signer of an office.
    Official,
    /// A receiving agency that verifies copies (API key).
    Agency,
    /// A person of a receiving agency who keeps its dossiers through the pages.
    #[serde(rename = "agency_staff")]
    AgencyStaff,
    /// Administrator of the service.
    Admin,
}

impl Role {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Clerk => "clerk",
            Role::Official => "official",
            Role::Agency => "agency",
            Role::AgencyStaff => "agency_staff",
            Role::Admin => "admin",
        }
    }

    /// Parses the stored form.
    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "citizen" => Role::Citizen,
            "clerk" => Role::Clerk,
            "official" => Role::Official,
            "agency" => Role::Agency,
            "agency_staff" => Role::AgencyStaff,
            "admin" => Role::Admin,
            _ => return None,
        })
    }

    /// Staff work at an office and their actions are audited.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Clerk | Role::Official | Role::Admin)
    }
}

/// An account row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    /// Account id.
    pub id: UserId,
    /// Stored [`Role`].
    pub role: String,
    /// Full name as on the citizen ID card / staff record.
    pub full_name: String,
    /// 12-digit citizen ID number (citizens; optional for others).
    pub citizen_id: Option<String>,
    /// Login name for staff and agencies.
    pub username: Option<String>,
    /// Phone number in `0xxxxxxxxx` form.
    pub phone: Option<String>,
    /// E-mail address, lower case.
    pub email: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// The office of a clerk or official.
    pub office_id: Option<OfficeId>,
    /// Position of an official, e.g. "Phó Chủ tịch".
    pub position: Option<String>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// Creation time (UTC).
    pub created_at: time::PrimitiveDateTime,
    /// When the citizen ID was proven (at the desk or by the identity provider); `None`
    /// while it is only claimed. Only a verified account sees records kept under its ID.
    pub identity_verified_at: Option<time::PrimitiveDateTime>,
    /// How it was proven: `desk` or `oidc`.
    pub identity_verified_via: Option<String>,
}

impl User {
    /// The account's role. Rows are written only through [`Role::as_str`] and the column
    /// has a CHECK constraint, so an unknown value means a corrupted database; it is
    /// treated as the least-privileged role.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Citizen)
    }

    /// The citizen ID this account has proven it holds (at the desk or by the identity
    /// provider); `None` while the ID is only claimed.
    pub fn verified_citizen_id(&self) -> Option<&str> {
        self.identity_verified_at.and(self.citizen_id.as_deref())
    }
}

impl User {
    /// Inserts an account; a duplicate username, phone or e-mail (or a second verified
    /// holder of one citizen ID) is refused by the unique constraints ([`crate::db::DbError::Duplicate`]).
    pub fn insert(conn: &mut DbConn, new_user: &User) -> DbResult<()> {
        diesel::insert_into(users::table)
            .values(new_user)
            .execute(conn)?;
        Ok(())
    }

    /// Finds an account by id.
    pub fn find(conn: &mut DbConn, id: &UserId) -> DbResult<Option<User>> {
        Ok(users::table
            .find(id)
            .select(User::as_select())
            .first(conn)
            .optional()?)
    }

    /// Finds the first account a login name refers to (citizen ID, username, phone or
    /// e-mail), in the order of [`User::find_all_by_login`]: a citizen ID may be claimed
    /// by several accounts.
    pub fn find_by_login(conn: &mut DbConn, login: &str) -> DbResult<Option<User>> {
        Ok(User::find_all_by_login(conn, login, 1)?.into_iter().next())
    }

    /// Every account a login name may refer to (citizen ID, username, phone or e-mail), at
    /// most `limit`: a citizen ID may be claimed by several accounts. The verified holder
    /// comes first, then the oldest claims.
    pub fn find_all_by_login(conn: &mut DbConn, login: &str, limit: i64) -> DbResult<Vec<User>> {
        Ok(users::table
            .filter(
                users::citizen_id
                    .eq(login)
                    .or(users::username.eq(login))
                    .or(users::phone.eq(login))
                    .or(users::email.eq(login)),
            )
            .order((
                users::identity_verified_at.is_null().asc(),
                users::created_at.asc(),
                users::id.asc(),
            ))
            .limit(limit)
            .select(User::as_select())
            .load(conn)?)
    }

    /// The accounts holding the phone or the e-mail given (at most one each: both are
    /// unique).
    pub fn with_contact(
        conn: &mut DbConn,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> DbResult<Vec<User>> {
        let mut found: Vec<User> = Vec::new();
        if let Some(phone) = phone {
            found.extend(
                users::table
                    .filter(users::phone.eq(phone))
                    .select(User::as_select())
                    .first(conn)
                    .optional()?,
            );
        }
        if let Some(email) = email {
            let holder = users::table
                .filter(users::email.eq(email))
                .select(User::as_select())
                .first(conn)
                .optional()?;
            found.extend(holder.filter(|user| found.iter().all(|f| f.id != user.id)));
        }
        Ok(found)
    }

    /// The account that has proven it holds `citizen_id`, if any (at most one: a partial
    /// unique index).
    pub fn verified_holder(conn: &mut DbConn, citizen_id: &str) -> DbResult<Option<User>> {
        Ok(users::table
            .filter(users::citizen_id.eq(citizen_id))
            .filter(users::identity_verified_at.is_not_null())
            .select(User::as_select())
            .first(conn)
            .optional()?)
    }

    /// Marks the account's citizen ID as proven (`via`: `desk` or `oidc`), only if it was
    /// not yet. Returns whether it changed; a second verified holder of the same ID is
    /// refused by the unique index ([`crate::db::DbError::Duplicate`]).
    pub fn mark_identity_verified(
        conn: &mut DbConn,
        id: &UserId,
        at: time::PrimitiveDateTime,
        via: &str,
    ) -> DbResult<bool> {
        let changed = diesel::update(
            users::table
                .find(id)
                .filter(users::identity_verified_at.is_null()),
        )
        .set((
            users::identity_verified_at.eq(Some(at)),
            users::identity_verified_via.eq(Some(via)),
        ))
        .execute(conn)?;
        Ok(changed > 0)
    }

    /// The account with this username (usernames are unique).
    pub fn find_by_username(conn: &mut DbConn, username: &str) -> DbResult<Option<User>> {
        Ok(users::table
            .filter(users::username.eq(username))
            .select(User::as_select())
            .first(conn)
            .optional()?)
    }

    /// The accounts with these ids (those that exist), in no particular order.
    pub fn find_many(conn: &mut DbConn, ids: &[UserId]) -> DbResult<Vec<User>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(users::table
            .filter(users::id.eq_any(ids))
            .select(User::as_select())
            .load(conn)?)
    }

    /// Staff accounts (clerks, officials, admins), of one office when given, by name.
    pub fn staff(conn: &mut DbConn, office_id: Option<&OfficeId>) -> DbResult<Vec<User>> {
        let mut query = users::table
            .filter(users::role.eq_any([
                Role::Clerk.as_str(),
                Role::Official.as_str(),
                Role::Admin.as_str(),
            ]))
            .select(User::as_select())
            .order((users::full_name.asc(), users::id.asc()))
            .into_boxed();
        if let Some(office_id) = office_id {
            query = query.filter(users::office_id.eq(office_id.clone()));
        }
        Ok(query.load(conn)?)
    }

    /// The accounts of one role, by name.
    pub fn with_role(conn: &mut DbConn, role: Role) -> DbResult<Vec<User>> {
        Ok(users::table
            .filter(users::role.eq(role.as_str()))
            .select(User::as_select())
            .order((users::full_name.asc(), users::id.asc()))
            .load(conn)?)
    }

    /// Number of accounts.
    pub fn count(conn: &mut DbConn) -> DbResult<i64> {
        Ok(users::table.count().get_result(conn)?)
    }

    /// Every official of every office, enabled or not (each needs a signing certificate).
    pub fn officials(conn: &mut DbConn) -> DbResult<Vec<User>> {
        Ok(users::table
            .filter(users::role.eq(Role::Official.as_str()))
            .select(User::as_select())
            .load(conn)?)
    }

    /// The enabled officials of one office: who may sign for it now.
    pub fn active_officials_of(conn: &mut DbConn, office_id: &OfficeId) -> DbResult<Vec<User>> {
        Ok(users::table
            .filter(users::role.eq(Role::Official.as_str()))
            .filter(users::office_id.eq(office_id))
            .filter(users::disabled.eq(false))
            .select(User::as_select())
            .load(conn)?)
    }
}

/// Account lifecycle writes: each is one statement, run inside the caller's transaction.
impl User {
    /// Enables or disables an account.
    pub fn set_disabled(conn: &mut DbConn, id: &UserId, disabled: bool) -> DbResult<()> {
        diesel::update(users::table.find(id))
            .set(users::disabled.eq(disabled))
            .execute(conn)?;
        Ok(())
    }

    /// Replaces the password hash.
    pub fn set_password_hash(conn: &mut DbConn, id: &UserId, password_hash: &str) -> DbResult<()> {
        diesel::update(users::table.find(id))
            .set(users::password_hash.eq(password_hash))
            .execute(conn)?;
        Ok(())
    }

    /// Makes a clerk of `office_id` an official with `position`. Returns false when the
    /// account is no longer an enabled clerk of that office.
    pub fn promote_to_official(
        conn: &mut DbConn,
        id: &UserId,
        office_id: &OfficeId,
        position: &str,
    ) -> DbResult<bool> {
        let changed = diesel::update(
            users::table
                .find(id)
                .filter(users::role.eq(Role::Clerk.as_str()))
                .filter(users::office_id.eq(office_id))
                .filter(users::disabled.eq(false)),
        )
        .set((
            users::role.eq(Role::Official.as_str()),
            users::position.eq(Some(position)),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// The ids of the enabled admins, locked until the end of the transaction on
    /// PostgreSQL (`FOR UPDATE`), so two admins disabling each other at once cannot leave
    /// none. SQLite's write transactions (`BEGIN IMMEDIATE`) already run one at a time.
    pub fn lock_enabled_admins(conn: &mut DbConn) -> DbResult<Vec<UserId>> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            id: UserId,
        }
        const SELECT: &str = "SELECT id FROM users WHERE role = 'admin' AND disabled = FALSE";
        let rows: Vec<Row> = match conn {
            DbConn::Pg(c) => diesel::sql_query(format!("{SELECT} FOR UPDATE")).load(c)?,
            DbConn::Sqlite(c) => diesel::sql_query(SELECT).load(c)?,
        };
        Ok(rows.into_iter().map(|row| row.id).collect())
    }
}
