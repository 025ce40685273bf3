"""The schema, as sqlite-utils migrations: each function is one step, applied once, in order.

sqlite-utils (>= 4) ships the migrations API that the `sqlite-migrate` package used to
provide, recording applied steps in `_sqlite_migrations`; so no extra dependency. Never
edit an applied step: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("clausewatch")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sites (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL UNIQUE,          -- registrable domain
            site_hash TEXT NOT NULL UNIQUE,     -- sha256 hex of site: lookups by prefix
            state TEXT NOT NULL DEFAULT 'active',
            created_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES sites(id),
            kind TEXT NOT NULL DEFAULT 'privacy',
            url TEXT NOT NULL,
            selector TEXT,
            status TEXT NOT NULL DEFAULT 'ok',  -- ok|unreachable|blocked|empty|structure-changed|moved|not-policy
            status_detail TEXT,
            etag TEXT,
            last_modified TEXT,
            last_checked_at TEXT,
            next_check_at TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            UNIQUE (site_id, kind, url)
        );
        CREATE INDEX documents_next_check ON documents(next_check_at);
        CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY,            -- of the raw bytes
            codec TEXT NOT NULL,                -- 'zlib'
            size INTEGER NOT NULL,              -- uncompressed
            data BLOB NOT NULL
        );
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            text_hash TEXT NOT NULL,            -- sha256 of textnorm.identity_key (monitor.record)
            clauses TEXT NOT NULL,              -- JSON: PolicyDocument.to_dict()["clauses"]
            title TEXT,
            effective_date TEXT,
            language TEXT,
            format TEXT,
            first_captured_at TEXT,
            last_captured_at TEXT,
            snapshot_count INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            UNIQUE (document_id, text_hash)
        );
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
            source TEXT NOT NULL,               -- live|wayback
            captured_at TEXT NOT NULL,          -- ISO 8601 UTC, ...Z: sorts as text
            url TEXT,
            status INTEGER,                     -- HTTP status of the capture
            content_type TEXT,
            headers TEXT,                       -- JSON object
            digest TEXT,                        -- Wayback CDX digest (sha1 base32)
            recorded_at TEXT NOT NULL,
            processed_at TEXT,                  -- NULL: stored, not yet processed
            version_id INTEGER REFERENCES versions(id),
            error TEXT,                         -- why processing made no version
            UNIQUE (document_id, source, captured_at, blob_sha256)
        );
        CREATE INDEX snapshots_document_time ON snapshots(document_id, captured_at);
        CREATE INDEX snapshots_version ON snapshots(version_id);
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,   -- the public feed cursor: never reused
            document_id INTEGER NOT NULL REFERENCES documents(id),
            from_version_id INTEGER NOT NULL REFERENCES versions(id),
            to_version_id INTEGER NOT NULL REFERENCES versions(id),
            occurrence INTEGER NOT NULL DEFAULT 0,  -- nth time this pair appears (reverts)
            from_captured_at TEXT NOT NULL,
            to_captured_at TEXT NOT NULL,
            detected_at TEXT NOT NULL,
            origin TEXT NOT NULL,               -- live|backfill|reprocess
            material INTEGER NOT NULL DEFAULT 0,
            score REAL,
            categories TEXT NOT NULL DEFAULT '[]',  -- JSON list of slugs
            summary TEXT,
            comparison TEXT,                    -- JSON: Comparison.to_detail_dict()
            archive_url TEXT,
            UNIQUE (document_id, from_version_id, to_version_id, occurrence)
        );
        CREATE INDEX changes_document ON changes(document_id, to_captured_at);
        CREATE TABLE clauses (
            id INTEGER PRIMARY KEY,
            version_id INTEGER NOT NULL REFERENCES versions(id),
            position INTEGER NOT NULL,
            section TEXT NOT NULL,              -- 'A > B'
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            UNIQUE (version_id, position)
        );
        -- What a backfill has learnt so far, so a killed run resumes where it stopped.
        CREATE TABLE backfill_captures (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            timestamp TEXT NOT NULL,            -- Wayback 14-digit timestamp
            original TEXT NOT NULL,
            digest TEXT NOT NULL,
            mimetype TEXT,
            length INTEGER,
            fetched_at TEXT,
            text_hash TEXT,                     -- NULL until fetched; '' when extraction failed
            snapshot_id INTEGER REFERENCES snapshots(id),
            error TEXT,
            UNIQUE (document_id, timestamp, digest)
        );
        """
    )
    db.table("clauses").enable_fts(
        ["text", "section"], fts_version="FTS5", create_triggers=True, tokenize="porter"
    )


@migrations()
def m002_site_state_detail(db: Database) -> None:
    # Why a site is in its state (e.g. why tracking failed): something a person can act on.
    db.execute("ALTER TABLE sites ADD COLUMN state_detail TEXT")


@migrations()
def m003_webhooks(db: Database) -> None:
    # The only per-user state: a URL that receives signed change events for some sites.
    db.executescript(
        """
        CREATE TABLE webhooks (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            sites TEXT NOT NULL,                -- JSON list of registrable domains
            token_sha256 TEXT NOT NULL UNIQUE,  -- the management token, hashed; shown once
            secret TEXT NOT NULL,               -- HMAC key: needed in clear to sign
            active INTEGER NOT NULL DEFAULT 1,
            cursor INTEGER NOT NULL DEFAULT 0,  -- last change id considered for delivery
            failures INTEGER NOT NULL DEFAULT 0,  -- consecutive failed attempts
            next_attempt_at TEXT,               -- NULL: due now
            last_attempt_at TEXT,
            last_status INTEGER,
            last_error TEXT,
            disabled_reason TEXT,
            created_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m004_changes_by_document_and_materiality(db: Database) -> None:
    # A lookup answers each site's last change and last material change: with the rowid
    # every index carries, (document_id, material) gives both as one index seek per
    # document (max(id)), where changes_document made SQLite sort each document's changes.
    db.execute("CREATE INDEX changes_document_material ON changes(document_id, material)")


@migrations()
def m005_document_requests(db: Database) -> None:
    # A policy URL someone asked to track is not a document until it is verified as the
    # site's privacy policy (or an operator approves it): otherwise any page of a site with
    # user content could be announced as its policy changing (issue 23).
    db.executescript(
        """
        CREATE TABLE document_requests (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES sites(id),
            url TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',  -- pending|held|approved|admitted|rejected
            reason TEXT,                        -- why held, admitted or rejected
            document_id INTEGER REFERENCES documents(id),
            requested_at TEXT NOT NULL,
            decided_at TEXT,
            UNIQUE (site_id, url)
        );
        CREATE INDEX document_requests_state ON document_requests(state, site_id);
        """
    )
    # URLs asked for before this step became documents at once; those of sites still
    # pending that nothing has touched yet (no snapshot, no backfill) go back to being
    # requests, to be verified like any other.
    unverified = (
        "SELECT d.id FROM documents d JOIN sites s ON s.id = d.site_id WHERE s.state = 'pending'"
        " AND NOT EXISTS (SELECT 1 FROM snapshots n WHERE n.document_id = d.id)"
        " AND NOT EXISTS (SELECT 1 FROM backfill_captures b WHERE b.document_id = d.id)"
        " AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.document_id = d.id)"
    )
    db.execute(
        "INSERT OR IGNORE INTO document_requests (site_id, url, requested_at)"
        f" SELECT site_id, url, created_at FROM documents WHERE id IN ({unverified})"
    )
    db.execute(f"DELETE FROM documents WHERE id IN ({unverified})")


@migrations()
def m006_document_render(db: Database) -> None:
    # How a document is fetched (monitor/renderchoice.py): `render` is the operator's
    # choice (auto|always|never); under auto, `render_decision` remembers what the last
    # decision found (plain|rendered, NULL: not decided yet) and `render_reason` why, so
    # the next checks go straight to the right fetcher.
    db.executescript(
        """
        ALTER TABLE documents ADD COLUMN render TEXT NOT NULL DEFAULT 'auto';
        ALTER TABLE documents ADD COLUMN render_decision TEXT;
        ALTER TABLE documents ADD COLUMN render_reason TEXT;
        """
    )


@migrations()
def m007_feed_and_lookup_indexes(db: Database) -> None:
    # A lookup reads, for each site under a prefix, its documents' statuses and ids: with
    # (site_id, status, id) that is one covering index range, not a table row per document
    # (3-4x faster per site at 100k documents, bench/scale.py).
    db.execute("CREATE INDEX documents_site_status ON documents(site_id, status, id)")
    # ...and each site's newest change and newest material change from an index alone: a
    # change row carries its comparison, so on a store larger than memory reading one is a
    # random read per site (bench/scale.py at 1M documents). These supersede m004's index.
    db.executescript(
        """
        CREATE INDEX changes_document_last ON changes(document_id, id, to_captured_at);
        CREATE INDEX changes_document_material_last
            ON changes(document_id, material, id, to_captured_at);
        DROP INDEX IF EXISTS changes_document_material;
        """
    )
    # The feed filters by bucket (the first 2 hex of the site's hash). Walking changes by id
    # and joining each to its site made a page cost as much as the changes of every other
    # bucket after the cursor: linear in the store (bench/scale.py). A change's bucket never
    # changes (a site's hash is its name's), so it is kept on the row, set by a trigger on
    # every insert path, and indexed with the id: a page reads only its own buckets' rows.
    db.executescript(
        """
        ALTER TABLE changes ADD COLUMN bucket TEXT;
        UPDATE changes SET bucket = (
            SELECT substr(s.site_hash, 1, 2) FROM documents d JOIN sites s ON s.id = d.site_id
            WHERE d.id = changes.document_id
        );
        CREATE INDEX changes_bucket ON changes(bucket, id);
        CREATE TRIGGER changes_bucket_on_insert AFTER INSERT ON changes
        WHEN NEW.bucket IS NULL BEGIN
            UPDATE changes SET bucket = (
                SELECT substr(s.site_hash, 1, 2) FROM documents d
                JOIN sites s ON s.id = d.site_id WHERE d.id = NEW.document_id
            ) WHERE id = NEW.id;
        END;
        """
    )


@migrations()
def m008_site_state_words(db: Database) -> None:
    # Sites tracked by hand (the CLI) were `active` and those admitted by the tracking worker
    # `tracked`: two words for one meaning. Both are `tracked` now. The column's default stays
    # `active` (SQLite changes a default only by rebuilding the table, which the documents'
    # foreign keys make costly), so a trigger gives any insert relying on it the one word.
    db.executescript(
        """
        UPDATE sites SET state = 'tracked' WHERE state = 'active';
        CREATE TRIGGER sites_state_word_on_insert AFTER INSERT ON sites
        WHEN NEW.state = 'active' BEGIN
            UPDATE sites SET state = 'tracked' WHERE id = NEW.id;
        END;
        """
    )


@migrations()
def m009_changes_hidden_flag(db: Database) -> None:
    # A feed page tested each candidate change for a public site with a seek into documents
    # and one into sites: up to buckets x limit random reads per page, which outgrow the
    # page cache as the store grows (server CPU per full page 3.6x from 10k to 100k
    # documents, bench/scale.py). Whether a change's site is public is now kept on the row
    # (`hidden`, 0 for public), set by triggers when a change is inserted, when a site
    # changes state and when a document moves site, and indexed with the bucket: choosing a
    # page's ids reads one covering index range per bucket and nothing else.
    # The public states are spelled out as of this step (db.rows.CHECKED_SITE_STATES; a test
    # holds them equal): a later change of that list needs a step of its own.
    public = "('tracked')"
    db.executescript(
        f"""
        ALTER TABLE changes ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
        UPDATE changes SET hidden = 1 WHERE NOT EXISTS (
            SELECT 1 FROM documents d JOIN sites s ON s.id = d.site_id
            WHERE d.id = changes.document_id AND s.state IN {public}
        );
        CREATE INDEX changes_feed ON changes(bucket, hidden, id, material);
        DROP INDEX IF EXISTS changes_bucket;
        CREATE TRIGGER changes_hidden_on_insert AFTER INSERT ON changes
        WHEN NOT EXISTS (
            SELECT 1 FROM documents d JOIN sites s ON s.id = d.site_id
            WHERE d.id = NEW.document_id AND s.state IN {public}
        ) BEGIN
            UPDATE changes SET hidden = 1 WHERE id = NEW.id;
        END;
        CREATE TRIGGER changes_hidden_on_site_state AFTER UPDATE OF state ON sites
        WHEN (OLD.state IN {public}) IS NOT (NEW.state IN {public}) BEGIN
            UPDATE changes SET hidden = (NEW.state NOT IN {public})
            WHERE document_id IN (SELECT id FROM documents WHERE site_id = NEW.id);
        END;
        CREATE TRIGGER changes_hidden_on_document_site AFTER UPDATE OF site_id ON documents
        WHEN OLD.site_id IS NOT NEW.site_id BEGIN
            UPDATE changes SET hidden = NOT EXISTS (
                SELECT 1 FROM sites s WHERE s.id = NEW.site_id AND s.state IN {public}
            ) WHERE document_id = NEW.id;
        END;
        """
    )


@migrations()
def m010_snapshots_by_blob(db: Database) -> None:
    # Pruning a raw body (db.retention) must know every snapshot holding those bytes, of any
    # document: without this index that is a scan of all snapshots per blob.
    db.execute("CREATE INDEX snapshots_blob ON snapshots(blob_sha256)")


@migrations()
def m011_public_read_generation(db: Database) -> None:
    # The API caches serialized lookup and feed answers (api/routes/readcache.py). Keyed on
    # SQLite's data_version, every commit dropped them all, and a monitor commits on every
    # check (a snapshot, the document's next check time) though almost none changes what a
    # lookup or a feed page says. This counter moves on exactly the writes those answers
    # read: changes; a site's name, hash or state; a document's site, status or kind; a
    # site or document added or removed. Answers keyed on it live until one of those.
    bump = "BEGIN UPDATE read_generation SET n = n + 1; END"
    db.executescript(
        f"""
        CREATE TABLE read_generation (id INTEGER PRIMARY KEY CHECK (id = 0), n INTEGER NOT NULL);
        INSERT INTO read_generation (id, n) VALUES (0, 0);
        CREATE TRIGGER read_generation_change_insert AFTER INSERT ON changes {bump};
        CREATE TRIGGER read_generation_change_update AFTER UPDATE ON changes {bump};
        CREATE TRIGGER read_generation_change_delete AFTER DELETE ON changes {bump};
        CREATE TRIGGER read_generation_site_insert AFTER INSERT ON sites {bump};
        CREATE TRIGGER read_generation_site_delete AFTER DELETE ON sites {bump};
        CREATE TRIGGER read_generation_site_update AFTER UPDATE OF site, site_hash, state ON sites
        WHEN OLD.site IS NOT NEW.site OR OLD.site_hash IS NOT NEW.site_hash
            OR OLD.state IS NOT NEW.state {bump};
        CREATE TRIGGER read_generation_document_insert AFTER INSERT ON documents {bump};
        CREATE TRIGGER read_generation_document_delete AFTER DELETE ON documents {bump};
        CREATE TRIGGER read_generation_document_update
        AFTER UPDATE OF site_id, status, kind ON documents
        WHEN OLD.site_id IS NOT NEW.site_id OR OLD.status IS NOT NEW.status
            OR OLD.kind IS NOT NEW.kind {bump};
        """
    )


@migrations()
def m012_sites_by_hash_covering(db: Database) -> None:
    # A lookup walks the sites under a hash prefix and needs each one's state and id: from
    # the unique site_hash index alone that was a random read of the site's row per site
    # (30 % of a lookup's CPU per site at 100k documents, bench/scale.py).
    db.execute("CREATE INDEX sites_hash_state ON sites(site_hash, state, id)")


@migrations()
def m013_render_fingerprint(db: Database) -> None:
    # What the last render of a document was built from (monitor/renderprint.py, JSON):
    # every response the page loaded, by URL and sha256, and the DOM it made. The next
    # check fetches those responses plainly and, when none changed, records the check as
    # unchanged without starting a browser. NULL: no usable render yet.
    db.execute("ALTER TABLE documents ADD COLUMN render_fingerprint TEXT")


@migrations()
def m014_feed_entries(db: Database) -> None:
    # A full feed page (a client catching up on ten buckets) chose its ids from an index,
    # then read each change row, its document and its site: some 300 rows scattered over a
    # store whose change rows carry their comparisons, so at a million documents (27 GB,
    # larger than memory) those were random reads from storage, and the page's p99 grew
    # 3.2x from 10k documents (bench/scale.py). `feed` holds exactly the public changes,
    # each as the entry the feed shows, clustered by (bucket, id): a page is one short range
    # per bucket over a handful of adjacent b-tree pages, whatever the store's size.
    # Triggers keep it equal to its definition (the SELECT below) on every write it reads:
    # a change inserted, amended or deleted; a site's name, hash or state; a document's site
    # or kind (foreign keys keep a document or site from going while changes hang off it).
    # Each of those writes also moves read_generation (m011), so cached pages never outlive
    # it. The public states are spelled out as of this step (db.rows.CHECKED_SITE_STATES; a
    # test holds them equal).
    public = "('tracked')"
    entry = (
        "SELECT substr(s.site_hash, 1, 2), c.id, c.document_id, c.detected_at,"
        " c.from_captured_at, c.to_captured_at, c.origin, c.material, c.categories,"
        " c.summary, d.kind, s.site, s.site_hash"
        " FROM changes c JOIN documents d ON d.id = c.document_id JOIN sites s ON s.id = d.site_id"
        f" WHERE s.state IN {public}"
    )
    db.executescript(
        f"""
        CREATE TABLE feed (
            bucket TEXT NOT NULL,               -- first 2 hex of the site's hash
            id INTEGER NOT NULL,                -- the change's id: the feed cursor
            document_id INTEGER NOT NULL,
            detected_at TEXT NOT NULL,
            from_captured_at TEXT NOT NULL,
            to_captured_at TEXT NOT NULL,
            origin TEXT NOT NULL,
            material INTEGER NOT NULL,
            categories TEXT NOT NULL,
            summary TEXT,
            document_kind TEXT NOT NULL,
            site TEXT NOT NULL,
            site_hash TEXT NOT NULL,
            PRIMARY KEY (bucket, id)
        ) WITHOUT ROWID;
        -- The unbucketed feed, and the triggers' deletes by change id.
        CREATE INDEX feed_by_id ON feed(id);
        CREATE TRIGGER feed_on_change_insert AFTER INSERT ON changes BEGIN
            INSERT INTO feed {entry} AND c.id = NEW.id;
        END;
        CREATE TRIGGER feed_on_change_update AFTER UPDATE OF id, document_id, detected_at,
            from_captured_at, to_captured_at, origin, material, categories, summary ON changes
        BEGIN
            DELETE FROM feed WHERE id = OLD.id;
            INSERT INTO feed {entry} AND c.id = NEW.id;
        END;
        CREATE TRIGGER feed_on_change_delete AFTER DELETE ON changes BEGIN
            DELETE FROM feed WHERE id = OLD.id;
        END;
        CREATE TRIGGER feed_on_site_update AFTER UPDATE OF site, site_hash, state ON sites
        WHEN OLD.site IS NOT NEW.site OR OLD.site_hash IS NOT NEW.site_hash
            OR (OLD.state IN {public}) IS NOT (NEW.state IN {public})
        BEGIN
            DELETE FROM feed WHERE id IN (
                SELECT c.id FROM changes c JOIN documents d ON d.id = c.document_id
                WHERE d.site_id = NEW.id
            );
            INSERT INTO feed {entry} AND d.site_id = NEW.id;
        END;
        CREATE TRIGGER feed_on_document_update AFTER UPDATE OF site_id, kind ON documents
        WHEN OLD.site_id IS NOT NEW.site_id OR OLD.kind IS NOT NEW.kind BEGIN
            DELETE FROM feed WHERE id IN (SELECT id FROM changes WHERE document_id = NEW.id);
            INSERT INTO feed {entry} AND c.document_id = NEW.id;
        END;
        """
    )
    # Filled in (bucket, id) order, so the b-tree is written front to back; the change rows
    # are read in id order (NOT INDEXED: a full scan, not a seek per row through an index).
    db.execute(
        f"INSERT INTO feed {entry.replace('FROM changes c', 'FROM changes c NOT INDEXED')}"
        " ORDER BY 1, 2"
    )


@migrations()
def m015_drop_unread_feed_keys(db: Database) -> None:
    # Since m014 the feed reads its own table; the keys the old feed chose its ids by are read
    # by nothing: `changes.bucket` (m007) and `changes.hidden` (m009), their index and the
    # triggers that kept them. Those triggers cost every change insert two more writes of the
    # change row, its comparison included, and a site's change of state a write of each of
    # its changes. The columns stay, no longer kept (stale, never to be read): dropping a
    # column rewrites the whole table, 27 GB at a million documents.
    db.executescript(
        """
        DROP TRIGGER IF EXISTS changes_bucket_on_insert;
        DROP TRIGGER IF EXISTS changes_hidden_on_insert;
        DROP TRIGGER IF EXISTS changes_hidden_on_site_state;
        DROP TRIGGER IF EXISTS changes_hidden_on_document_site;
        DROP INDEX IF EXISTS changes_feed;
        DROP INDEX IF EXISTS changes_bucket;
        """
    )
