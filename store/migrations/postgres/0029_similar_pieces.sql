-- Near-duplicates (textcheck): a submitted piece's MinHash bands, by the
-- year of its plan, so that a new piece finds the pieces it may repeat
-- without comparing with each; and the pairs found at least 80% similar
-- (character 5-gram Jaccard), both ways, shown to the reviewer.
CREATE TABLE piece_bands (
    piece_id BIGINT NOT NULL REFERENCES pieces (id) ON DELETE CASCADE,
    year     INTEGER NOT NULL,
    band     INTEGER NOT NULL,
    hash     BIGINT  NOT NULL,
    PRIMARY KEY (piece_id, band)
);
CREATE INDEX piece_bands_lookup ON piece_bands (year, band, hash);
CREATE TABLE similar_pieces (
    piece_id   BIGINT  NOT NULL REFERENCES pieces (id) ON DELETE CASCADE,
    other_id   BIGINT  NOT NULL REFERENCES pieces (id) ON DELETE CASCADE,
    similarity DOUBLE PRECISION    NOT NULL,
    PRIMARY KEY (piece_id, other_id)
);
