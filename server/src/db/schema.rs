//! The one portable schema for both backends (kept in step with `migrations/*`).

diesel::table! {
    organisations (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        country -> Text,
        website -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        verified_by -> Nullable<BigInt>,
        verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        language -> Text,
        disabled -> Bool,
        must_change_password -> Bool,
        failed_signins -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_signin_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        token_hash -> Text,
        organisation_id -> BigInt,
        email -> Text,
        role -> Text,
        invited_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_user_id -> Nullable<BigInt>,
        organisation_id -> Nullable<BigInt>,
        action -> Text,
        target -> Text,
        detail -> Text,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    brands (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    products (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        brand_id -> BigInt,
        reference -> Text,
        name -> Text,
        category -> Text,
        hs_code -> Nullable<Text>,
        identity -> Text,
        status -> Text,
        last_reviewed_on -> Nullable<Date>,
        version -> Integer,
        created_by -> Nullable<BigInt>,
        updated_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    product_sections (id) {
        id -> BigInt,
        product_id -> BigInt,
        kind -> Text,
        access -> Text,
        content -> Text,
    }
}

diesel::table! {
    product_codes (id) {
        id -> BigInt,
        product_id -> BigInt,
        kind -> Text,
        value -> Text,
    }
}

diesel::table! {
    product_images (id) {
        id -> BigInt,
        product_id -> BigInt,
        kind -> Text,
        caption -> Text,
        position -> Integer,
        display_sha256 -> Text,
        thumb_sha256 -> Text,
        width -> Integer,
        height -> Integer,
        pdq -> Text,
        pdq_quality -> Integer,
        pdq_algorithm -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        region_pdq -> Text,
    }
}

diesel::table! {
    product_revisions (id) {
        id -> BigInt,
        product_id -> BigInt,
        version -> Integer,
        user_id -> Nullable<BigInt>,
        summary -> Text,
        snapshot -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    share_list (right_holder_id, administration_id) {
        right_holder_id -> BigInt,
        administration_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    search_outbox (id) {
        id -> BigInt,
        product_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    import_jobs (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        user_id -> Nullable<BigInt>,
        file_name -> Text,
        images_name -> Nullable<Text>,
        dry_run -> Bool,
        publish -> Bool,
        status -> Text,
        attempts -> Integer,
        total_rows -> Integer,
        done_rows -> Integer,
        created_rows -> Integer,
        updated_rows -> Integer,
        failed_rows -> Integer,
        error -> Nullable<Text>,
        report -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notices (id) {
        id -> BigInt,
        reference -> Text,
        administration_id -> BigInt,
        sender_id -> BigInt,
        right_holder_id -> BigInt,
        product_id -> Nullable<BigInt>,
        brand -> Text,
        product_description -> Text,
        office -> Text,
        found_on -> Date,
        quantity -> Integer,
        transport_mode -> Text,
        origin_country -> Text,
        codes_seen -> Text,
        description -> Text,
        perishable -> Bool,
        deadline_at -> Timestamp,
        status -> Text,
        verdict -> Nullable<Text>,
        outcome -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notice_messages (id) {
        id -> BigInt,
        notice_id -> BigInt,
        author_id -> BigInt,
        organisation_id -> BigInt,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notice_attachments (id) {
        id -> BigInt,
        notice_id -> BigInt,
        message_id -> Nullable<BigInt>,
        display_sha256 -> Text,
        thumb_sha256 -> Text,
        width -> Integer,
        height -> Integer,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        notice_id -> Nullable<BigInt>,
        message -> Text,
        link -> Text,
        read_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    alerts (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        title -> Text,
        body -> Text,
        severity -> Integer,
        valid_until -> Date,
        withdrawn_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        updated_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alert_countries (alert_id, country) {
        alert_id -> BigInt,
        country -> Text,
    }
}

diesel::table! {
    alert_products (alert_id, product_id) {
        alert_id -> BigInt,
        product_id -> BigInt,
    }
}

diesel::table! {
    alert_images (id) {
        id -> BigInt,
        alert_id -> BigInt,
        caption -> Text,
        position -> Integer,
        display_sha256 -> Text,
        thumb_sha256 -> Text,
        width -> Integer,
        height -> Integer,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    product_lookups (product_id, administration_id, week_start) {
        product_id -> BigInt,
        administration_id -> BigInt,
        week_start -> Date,
        lookups -> Integer,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(invitations -> organisations (organisation_id));
diesel::joinable!(products -> brands (brand_id));
diesel::joinable!(products -> organisations (organisation_id));
diesel::joinable!(product_sections -> products (product_id));
diesel::joinable!(product_codes -> products (product_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(product_revisions -> products (product_id));
diesel::joinable!(notice_messages -> notices (notice_id));
diesel::joinable!(notice_attachments -> notices (notice_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(alerts -> organisations (organisation_id));
diesel::joinable!(alert_countries -> alerts (alert_id));
diesel::joinable!(alert_products -> alerts (alert_id));
diesel::joinable!(alert_products -> products (product_id));
diesel::joinable!(alert_images -> alerts (alert_id));
diesel::joinable!(product_lookups -> products (product_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    users,
    sessions,
    invitations,
    api_tokens,
    audit_log,
    brands,
    products,
    product_sections,
    product_codes,
    product_images,
    product_revisions,
    share_list,
    search_outbox,
    import_jobs,
    notices,
    notice_messages,
    notice_attachments,
    notifications,
    email_outbox,
    alerts,
    alert_countries,
    alert_products,
    alert_images,
    product_lookups,
);
