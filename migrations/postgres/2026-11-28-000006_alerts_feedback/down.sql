DROP TABLE product_lookups;
DROP TABLE alert_images;
DROP TABLE alert_products;
DROP TABLE alert_countries;
DROP TABLE alerts;
