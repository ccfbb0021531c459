//! Diesel table definitions shared by both backends (portable column types only).

diesel::table! {
    offices (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        province -> Text,
        district -> Text,
        address -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        role -> Text,
        full_name -> Text,
        citizen_id -> Nullable<Text>,
        username -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        password_hash -> Text,
        office_id -> Nullable<Text>,
        position -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
        identity_verified_at -> Nullable<Timestamp>,
        identity_verified_via -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        user_id -> Text,
        prefix -> Text,
        key_hash -> Text,
        label -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        office_id -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        detail -> Text,
        request_id -> Nullable<Text>,
        chain_index -> Nullable<BigInt>,
        chain_hash -> Nullable<Text>,
    }
}

diesel::joinable!(users -> offices (office_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_keys -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    offices,
    users,
    sessions,
    api_keys,
    audit_log,
    register_books,
    register_entries,
    rate_limits,
    identity_codes,
    outbound_messages,
    official_grants,
    office_heads,
    temporary_passwords,
    auth_throttle,
    oidc_used_states,
    office_practice,
    certification_requests,
    certification_scans,
    signature_images
);

diesel::table! {
    register_books (office_id, year) {
        office_id -> Text,
        year -> Integer,
        book -> Text,
        next_sequence -> BigInt,
    }
}

diesel::table! {
    register_entries (id) {
        id -> Text,
        office_id -> Text,
        year -> Integer,
        sequence -> BigInt,
        book -> Text,
        type_code -> Text,
        status -> Text,
        verification_code -> Text,
        requester_name -> Text,
        requester_citizen_id -> Text,
        document_title -> Text,
        page_count -> Integer,
        copies -> Integer,
        signer_id -> Text,
        signer_name -> Text,
        signer_position -> Text,
        fee_vnd -> BigInt,
        document_sha256 -> Nullable<Text>,
        created_at -> Timestamp,
        issued_at -> Nullable<Timestamp>,
        void_reason -> Nullable<Text>,
        annulled_reason -> Nullable<Text>,
        annulled_by -> Nullable<Text>,
        annulled_at -> Nullable<Timestamp>,
        single_person -> Bool,
        file_sha256 -> Nullable<Text>,
        timestamp_valid_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(register_entries -> offices (office_id));

diesel::table! {
    rate_limits (bucket, window_start) {
        bucket -> Text,
        window_start -> BigInt,
        hits -> Integer,
    }
}

diesel::table! {
    office_calendars (office_id) {
        office_id -> Text,
        config -> Text,
        revision -> Integer,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    slot_counters (office_id, slot_start) {
        office_id -> Text,
        slot_start -> Timestamp,
        capacity -> Integer,
        booked -> Integer,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        booking_code -> Text,
        office_id -> Text,
        user_id -> Nullable<Text>,
        requester_name -> Text,
        requester_citizen_id -> Text,
        slot_start -> Timestamp,
        slot_end -> Timestamp,
        local_date -> Date,
        status -> Text,
        walk_in -> Bool,
        documents -> Text,
        fee_total_vnd -> BigInt,
        certified_pages -> BigInt,
        expected_result_date -> Date,
        manage_token_hash -> Text,
        revision -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        checked_in_at -> Nullable<Timestamp>,
        booked_as -> Text,
    }
}

diesel::table! {
    office_practice (office_id) {
        office_id -> Text,
        single_person_operation -> Bool,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    certification_requests (id) {
        id -> Text,
        office_id -> Text,
        appointment_id -> Text,
        position -> Integer,
        requester_name -> Text,
        requester_citizen_id -> Text,
        requester_user_id -> Nullable<Text>,
        document_title -> Text,
        original_pages -> Integer,
        copies -> Integer,
        state -> Text,
        result_date -> Date,
        fee_vnd -> BigInt,
        fee_paid_at -> Nullable<Timestamp>,
        fee_payment_method -> Nullable<Text>,
        fee_receipt_no -> Nullable<Text>,
        received_by -> Text,
        received_at -> Timestamp,
        scanned_by -> Nullable<Text>,
        checklist -> Nullable<Text>,
        handed_over_at -> Nullable<Timestamp>,
        returned_reason -> Nullable<Text>,
        refusal_ground -> Nullable<Text>,
        refusal_detail -> Nullable<Text>,
        refusal_notice_sha256 -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        certifying_entry_id -> Nullable<Text>,
        register_entry_id -> Nullable<Text>,
        revision -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    certification_scans (request_id, position) {
        request_id -> Text,
        position -> Integer,
        file_name -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        pages -> Integer,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::joinable!(office_calendars -> offices (office_id));
diesel::joinable!(slot_counters -> offices (office_id));
diesel::joinable!(appointments -> offices (office_id));

diesel::allow_tables_to_appear_in_same_query!(
    offices,
    office_calendars,
    slot_counters,
    appointments
);

diesel::table! {
    identity_codes (user_id) {
        user_id -> Text,
        code_hash -> Text,
        expires_at -> Timestamp,
        failed_attempts -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbound_messages (id) {
        id -> Text,
        channel -> Text,
        address -> Text,
        kind -> Text,
        body -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(identity_codes -> users (user_id));

diesel::table! {
    official_grants (id) {
        id -> Text,
        user_id -> Text,
        office_id -> Text,
        position -> Text,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        refusal_reason -> Nullable<Text>,
    }
}

diesel::table! {
    office_heads (office_id) {
        office_id -> Text,
        user_id -> Text,
        appointed_by -> Nullable<Text>,
        appointed_at -> Timestamp,
    }
}

diesel::table! {
    temporary_passwords (user_id) {
        user_id -> Text,
        set_by -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    auth_throttle (throttle_key) {
        throttle_key -> Text,
        attempts -> Integer,
        last_attempt_ms -> BigInt,
        blocked_until_ms -> BigInt,
    }
}

diesel::table! {
    oidc_used_states (state_hash) {
        state_hash -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    signature_images (kind, owner_id) {
        kind -> Text,
        owner_id -> Text,
        office_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        png -> Binary,
        sha256 -> Text,
        width -> Integer,
        height -> Integer,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    copy_shares (id) {
        id -> Text,
        register_entry_id -> Text,
        citizen_user_id -> Text,
        token_hash -> Text,
        agency_user_id -> Nullable<Text>,
        purpose -> Text,
        procedure_code -> Nullable<Text>,
        max_uses -> Nullable<Integer>,
        uses -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    copy_uses (id) {
        id -> Text,
        register_entry_id -> Text,
        share_id -> Nullable<Text>,
        agency_user_id -> Text,
        kind -> Text,
        procedure -> Nullable<Text>,
        used_at -> Timestamp,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    dossiers (id) {
        id -> Text,
        agency_user_id -> Text,
        reference -> Text,
        procedure -> Text,
        applicant_name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    dossier_documents (id) {
        id -> Text,
        dossier_id -> Text,
        sha256 -> Text,
        register_entry_id -> Nullable<Text>,
        attached_via -> Text,
        verdict -> Text,
        register_status -> Text,
        report -> Text,
        verified_at -> Timestamp,
        attached_at -> Timestamp,
    }
}

diesel::table! {
    agency_webhooks (agency_user_id) {
        agency_user_id -> Text,
        url -> Text,
        secret -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        agency_user_id -> Text,
        event -> Text,
        body -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    dossiers,
    dossier_documents,
    agency_webhooks,
    webhook_deliveries
);

diesel::table! {
    agency_staff (user_id) {
        user_id -> Text,
        agency_user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(agency_staff, users);

diesel::table! {
    register_log (leaf_index) {
        leaf_index -> BigInt,
        event -> Text,
        entry_id -> Nullable<Text>,
        code -> Nullable<Text>,
        leaf -> Text,
        leaf_hash -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    register_log_nodes (level, node_index) {
        level -> Integer,
        node_index -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    log_chains (name) {
        name -> Text,
        size -> BigInt,
        head -> Text,
    }
}

diesel::table! {
    log_heads (tree_size, audit_size) {
        tree_size -> BigInt,
        audit_size -> BigInt,
        root_hash -> Text,
        audit_head -> Text,
        signed_at -> Timestamp,
        key_id -> Text,
        signature -> Text,
    }
}

diesel::table! {
    tsa_serial (id) {
        id -> Integer,
        last_serial -> BigInt,
    }
}

diesel::table! {
    tsa_tokens (serial) {
        serial -> BigInt,
        algorithm -> Text,
        imprint -> Text,
        gen_time -> Timestamp,
        requester -> Text,
        token_sha256 -> Text,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        unique_key -> Nullable<Text>,
        every_secs -> Nullable<BigInt>,
        state -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        lease_owner -> Nullable<Text>,
        last_error -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    register_archives (office_id, period) {
        office_id -> Text,
        period -> Text,
        file_sha256 -> Text,
        lines -> Integer,
        created_at -> Timestamp,
    }
}
