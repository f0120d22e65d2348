DROP TABLE search_outbox;
DROP TABLE share_list;
DROP TABLE product_revisions;
DROP TABLE product_images;
DROP TABLE product_codes;
DROP TABLE product_sections;
DROP TABLE products;
DROP TABLE brands;
