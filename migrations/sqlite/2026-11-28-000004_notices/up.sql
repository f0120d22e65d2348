-- Suspect-goods notices from customs officers to right holders: the notice, its message
-- thread and private attachments, in-app notifications, and the e-mail outbox that a
-- background task sends from (so a slow mail server never blocks a request).
CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- human-friendly and unique, e.g. TS-2026-000123
    reference TEXT NOT NULL UNIQUE,
    administration_id BIGINT NOT NULL REFERENCES organisations (id),
    sender_id BIGINT NOT NULL REFERENCES users (id),
    right_holder_id BIGINT NOT NULL REFERENCES organisations (id),
    -- the product in the guide; NULL when the officer did not know it (brand and
    -- product_description say what it is), or when the product was deleted since
    product_id BIGINT REFERENCES products (id) ON DELETE SET NULL,
    brand TEXT NOT NULL,
    product_description TEXT NOT NULL DEFAULT '',
    office TEXT NOT NULL,
    found_on DATE NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    transport_mode TEXT NOT NULL CHECK (transport_mode IN ('sea', 'air', 'road', 'rail', 'post', 'courier', 'passenger', 'other')),
    origin_country TEXT NOT NULL,
    codes_seen TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    perishable BOOLEAN NOT NULL DEFAULT FALSE,
    deadline_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
    verdict TEXT CHECK (verdict IN ('genuine', 'counterfeit', 'not_ours', 'need_info')),
    outcome TEXT CHECK (outcome IN ('released', 'detained', 'destroyed', 'seized')),
    answered_at TIMESTAMP,
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX notices_administration ON notices (administration_id, created_at);
CREATE INDEX notices_right_holder ON notices (right_holder_id, status, deadline_at);

CREATE TABLE notice_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id BIGINT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notice_messages_notice ON notice_messages (notice_id, id);

-- Photos are re-encoded by the image pipeline and stored content-addressed; they are
-- served only to the notice's administration and right holder.
CREATE TABLE notice_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id BIGINT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    -- NULL for the photos sent with the notice itself
    message_id BIGINT REFERENCES notice_messages (id) ON DELETE CASCADE,
    display_sha256 TEXT NOT NULL,
    thumb_sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notice_attachments_notice ON notice_attachments (notice_id);
CREATE INDEX notice_attachments_display ON notice_attachments (display_sha256);
CREATE INDEX notice_attachments_thumb ON notice_attachments (thumb_sha256);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    notice_id BIGINT REFERENCES notices (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    link TEXT NOT NULL,
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);

CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    -- set when the message will not be tried again
    failed_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (sent_at, failed_at, next_attempt_at);
