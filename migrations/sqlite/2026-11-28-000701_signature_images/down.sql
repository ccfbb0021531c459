DROP TABLE signature_images;
