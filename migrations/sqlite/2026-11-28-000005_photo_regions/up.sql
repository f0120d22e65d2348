-- Region hashes for search by photo (search_index::photo): several PDQ hashes of the
-- border-trimmed image and of centre and corner crops, encoded as
-- 'pdq-regions/<version>;<region>:<hex>:<quality>;...'. Empty for images stored before
-- this column existed: their plain PDQ hash is used until they are uploaded again.
ALTER TABLE product_images ADD COLUMN region_pdq TEXT NOT NULL DEFAULT '';
