-- Alerts: right holders warn officers about counterfeit trends. An alert concerns some
-- of the right holder's products and some countries (none listed: every country), has a
-- severity (1 low .. 4 critical) and a last day of validity, and may carry photos that
-- went through the image pipeline.
CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
    valid_until DATE NOT NULL,
    -- set when the right holder withdrew it before it expired
    withdrawn_at TIMESTAMP,
    created_by BIGINT REFERENCES users (id),
    updated_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX alerts_organisation ON alerts (organisation_id, created_at);
CREATE INDEX alerts_current ON alerts (valid_until, withdrawn_at);

CREATE TABLE alert_countries (
    alert_id BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    country TEXT NOT NULL,
    PRIMARY KEY (alert_id, country)
);
CREATE INDEX alert_countries_country ON alert_countries (country);

CREATE TABLE alert_products (
    alert_id BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (alert_id, product_id)
);
CREATE INDEX alert_products_product ON alert_products (product_id);

CREATE TABLE alert_images (
    id BIGSERIAL PRIMARY KEY,
    alert_id BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    caption TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    display_sha256 TEXT NOT NULL,
    thumb_sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX alert_images_alert ON alert_images (alert_id, position);
CREATE INDEX alert_images_display ON alert_images (display_sha256);
CREATE INDEX alert_images_thumb ON alert_images (thumb_sha256);

-- How often officers opened each product's guide, per customs administration and week
-- (weeks start on Monday). Only the administration is kept: no user, no time of day, so
-- right holders learn where their data is used without learning who used it.
CREATE TABLE product_lookups (
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    administration_id BIGINT NOT NULL REFERENCES organisations (id),
    week_start DATE NOT NULL,
    lookups INTEGER NOT NULL,
    PRIMARY KEY (product_id, administration_id, week_start)
);
CREATE INDEX product_lookups_week ON product_lookups (week_start);
