ALTER TABLE product_images DROP COLUMN region_pdq;
