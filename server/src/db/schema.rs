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

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(invitations -> organisations (organisation_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    users,
    sessions,
    invitations,
    api_tokens,
    audit_log,
);
