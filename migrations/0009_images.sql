-- 0009_images.sql
--
-- The image cache (ImageStore): every distinct image is stored once, by the SHA-256 of its
-- bytes, under <data>/images/<h0h1>/<hash>.<ext>, with one thumbnail next to it. media.images
-- and c.images point at a blob through content_hash; where an image came from stays in their
-- source_url (downloads) or path (local artwork). A row whose content_hash is NULL is known but
-- not cached (not downloaded yet, or evicted by images.trim): images.download fills it in.
--
-- Deduplication and trimming are queries on this table:
--   * unreferenced blobs: no media.images / c.images row has their hash;
--   * least recently used: last_used_at, bumped whenever the blob is stored again or served.

CREATE TABLE shared.image_blobs (
    content_hash    bytea       PRIMARY KEY,
    -- From the decoded bytes, not from what the server claimed.
    mime            text        NOT NULL,
    bytes           bigint      NOT NULL,
    width           integer     NOT NULL,
    height          integer     NOT NULL,
    -- Relative to the store's root directory, so the data directory can move.
    path            text        NOT NULL,
    thumbnail_path  text,
    thumbnail_bytes bigint      NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT image_blobs_content_hash_check CHECK (octet_length(content_hash) = 32),
    CONSTRAINT image_blobs_mime_check
        CHECK (mime IN ('image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp')),
    CONSTRAINT image_blobs_bytes_check CHECK (bytes > 0),
    CONSTRAINT image_blobs_dimensions_check CHECK (width > 0 AND height > 0),
    -- <h0h1>/<hash>.<ext>, the hash being this row's.
    CONSTRAINT image_blobs_path_check CHECK (
        path = substr(encode(content_hash, 'hex'), 1, 2) || '/' || encode(content_hash, 'hex')
               || '.' || substring(path from '[a-z]+$')
        AND path ~ '^[0-9a-f]{2}/[0-9a-f]{64}\.(jpg|png|gif|webp|bmp)$'),
    CONSTRAINT image_blobs_thumbnail_path_check CHECK (
        thumbnail_path IS NULL
        OR (thumbnail_path ~ '^[0-9a-f]{2}/[0-9a-f]{64}_w[0-9]+\.(jpg|png)$'
            AND left(thumbnail_path, 67) = left(path, 67))),
    CONSTRAINT image_blobs_thumbnail_bytes_check CHECK (
        thumbnail_bytes >= 0 AND (thumbnail_path IS NOT NULL OR thumbnail_bytes = 0)),
    CONSTRAINT image_blobs_used_check CHECK (last_used_at >= created_at)
);

COMMENT ON TABLE shared.image_blobs IS
    'Image cache: one row per distinct image file under <data>/images, keyed by SHA-256; written by ImageStore only.';

-- images.trim evicts the least recently used first.
CREATE INDEX image_blobs_last_used_idx ON shared.image_blobs (last_used_at);

-- "Is this blob referenced?" for trimming and "which items use it" (the unique key on
-- (item_type, item_id, kind, content_hash) does not serve look-ups by hash alone).
CREATE INDEX images_content_hash_idx ON media.images (content_hash) WHERE content_hash IS NOT NULL;
CREATE INDEX adult_images_content_hash_idx ON c.images (content_hash) WHERE content_hash IS NOT NULL;
