-- Products of right holders, their sections, codes, images, revisions, the share list
-- and the search outbox. Section contents are JSON documents checked by typed structs in
-- the application (server/src/products/record.rs).
CREATE TABLE brands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (organisation_id, name)
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    -- the right holder's own reference: imports are keyed by it
    reference TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    hs_code TEXT,
    -- identity details that are lists or free text, as one JSON document
    identity TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    last_reviewed_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users (id),
    updated_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (organisation_id, reference)
);
CREATE INDEX products_status ON products (organisation_id, status);

CREATE TABLE product_sections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    access TEXT NOT NULL CHECK (access IN ('open', 'restricted')),
    content TEXT NOT NULL,
    UNIQUE (product_id, kind)
);

CREATE TABLE product_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('gtin', 'sku', 'serial_format', 'lot_format')),
    value TEXT NOT NULL,
    UNIQUE (product_id, kind, value)
);
CREATE INDEX product_codes_value ON product_codes (kind, value);

CREATE TABLE product_images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('genuine', 'counterfeit', 'packaging', 'label', 'document')),
    caption TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    -- content addresses (SHA-256 hex) of the re-encoded files in the image store
    display_sha256 TEXT NOT NULL,
    thumb_sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    pdq TEXT NOT NULL,
    pdq_quality INTEGER NOT NULL,
    pdq_algorithm TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX product_images_product ON product_images (product_id, position);

CREATE TABLE product_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    user_id BIGINT REFERENCES users (id),
    summary TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX product_revisions_product ON product_revisions (product_id, version);

CREATE TABLE share_list (
    right_holder_id BIGINT NOT NULL REFERENCES organisations (id),
    administration_id BIGINT NOT NULL REFERENCES organisations (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (right_holder_id, administration_id)
);

-- Every write that affects search adds a row here in the same transaction; the indexer
-- applies rows in id order and records the last applied id with its commit.
CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
