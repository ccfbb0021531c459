DROP TABLE dossier_documents;
DROP TABLE dossiers;
