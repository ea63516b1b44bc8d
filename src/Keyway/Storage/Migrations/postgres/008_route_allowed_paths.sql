-- The request paths a route serves, as a JSON array of globs ("/v1/embeddings", "/v1/images/*"); empty: every path.
ALTER TABLE routes ADD COLUMN allowed_paths TEXT NOT NULL DEFAULT '[]';
