/**
 * Forward-only schema migrations. `PRAGMA user_version` holds the number of migrations applied; each
 * migration runs in its own transaction, so a crash mid-upgrade leaves the previous version intact.
 * Never edit a migration that has shipped: append a new one.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE project_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- Content-addressed images in media/<hash>.<ext>; several samples share one image.
      CREATE TABLE media (
        hash TEXT PRIMARY KEY,
        ext TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      );

      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,
        source TEXT,
        split TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );

      -- One row per (image, query). gt_rle is a COCO compressed RLE string of size height x width;
      -- ignore_rle marks pixels excluded from I and U (LISA's ignore label).
      CREATE TABLE samples (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        image_id TEXT NOT NULL,
        ann_id TEXT NOT NULL,
        media_hash TEXT NOT NULL REFERENCES media(hash),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        query TEXT NOT NULL,
        is_sentence INTEGER,
        gt_rle TEXT NOT NULL,
        gt_area INTEGER NOT NULL,
        ignore_rle TEXT,
        UNIQUE (dataset_id, image_id, ann_id)
      );
      CREATE INDEX samples_dataset ON samples(dataset_id, id);

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        name TEXT NOT NULL UNIQUE,
        -- imported | segmented | reasoned | variant | demo
        kind TEXT NOT NULL,
        source TEXT,
        model TEXT,
        parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        meta_json TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );

      -- prompts_json: [{ "box": [x1,y1,x2,y2] | null, "points": [{ "x", "y", "label" }] }] in original pixels.
      -- mask_rle is NULL when the run has prompts but no mask yet (raw model outputs before segmentation)
      -- or no masks at all (Seg-Zero evaluation output, which stores only I and U).
      CREATE TABLE predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        raw_output TEXT,
        reasoning TEXT,
        answer TEXT,
        parse_error TEXT,
        prompts_json TEXT,
        mask_rle TEXT,
        score REAL,
        intersection INTEGER NOT NULL,
        union_px INTEGER NOT NULL,
        iou REAL NOT NULL,
        bbox_iou REAL,
        PRIMARY KEY (run_id, sample_id)
      );
      CREATE INDEX predictions_run_iou ON predictions(run_id, iou);

      CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        color TEXT NOT NULL,
        position INTEGER NOT NULL,
        description TEXT
      );

      -- Failure tags describe why a run failed on a sample, so they belong to (run, sample).
      CREATE TABLE sample_tags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (run_id, sample_id, tag_id)
      );
      CREATE INDEX sample_tags_tag ON sample_tags(tag_id, run_id);

      CREATE TABLE notes (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (run_id, sample_id)
      );

      -- Every prompt edit in the inspector, in order; the newest row per (run, sample) is the current edit.
      CREATE TABLE prompt_edits (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        prompts_json TEXT NOT NULL,
        model TEXT,
        mask_rle TEXT,
        score REAL,
        intersection INTEGER,
        union_px INTEGER,
        iou REAL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE INDEX prompt_edits_sample ON prompt_edits(run_id, sample_id, id);
    `,
  },
  {
    version: 2,
    name: 'prompt-edit undo cursor',
    sql: `
      -- The inspector's undo stack per (run, sample): stack_json is a list of prompt_edits ids (null = the
      -- model's own prompts), pos the entry shown; seen_max is the newest edit id already pushed, so edits
      -- inserted by the engine are appended on the next read.
      CREATE TABLE prompt_edit_cursor (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        stack_json TEXT NOT NULL,
        pos INTEGER NOT NULL,
        seen_max INTEGER NOT NULL,
        PRIMARY KEY (run_id, sample_id)
      );
    `,
  },
  {
    version: 3,
    name: 'stage attribution',
    sql: `
      -- Stage attribution of a run against an oracle run (the same model prompted from the GT mask):
      -- thresholds used, and per sample both IoUs, the predicted-box IoU and the resulting label
      -- (success | localization | segmentation).
      CREATE TABLE stage_attribution (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        oracle_run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        success_iou REAL NOT NULL,
        oracle_iou REAL NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE TABLE stage_labels (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        run_iou REAL NOT NULL,
        oracle_iou REAL NOT NULL,
        bbox_iou REAL,
        PRIMARY KEY (run_id, sample_id)
      );
    `,
  },
  {
    version: 4,
    name: 'reasoning-model re-ask',
    sql: `
      -- Instruction templates, versioned: an edit inserts version n + 1, so every answer names the exact
      -- text it was asked with. text holds the model-visible instruction with {Question} as placeholder;
      -- query_strip is what str.strip removes from the lower-cased query.
      CREATE TABLE reason_templates (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        text TEXT NOT NULL,
        query_strip TEXT NOT NULL,
        input_size INTEGER NOT NULL DEFAULT 840,
        description TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (name, version)
      );

      -- OpenAI-compatible chat-completions servers. There is deliberately no API key column: keys live in
      -- the environment or the user's credentials file, never in a project (projects get shared).
      CREATE TABLE reason_endpoints (
        name TEXT PRIMARY KEY,
        base_url TEXT NOT NULL,
        model TEXT NOT NULL,
        temperature REAL NOT NULL DEFAULT 0,
        max_tokens INTEGER NOT NULL DEFAULT 2048,
        timeout_ms INTEGER NOT NULL DEFAULT 300000,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );

      -- One row per re-ask of a sample from the inspector: what was asked, what came back, how it scored.
      -- run_id is the run the user was looking at (NULL once that run is deleted); mask_rle and the counts
      -- are NULL when no segmentation engine was available.
      CREATE TABLE reason_variants (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        query TEXT NOT NULL,
        template_name TEXT NOT NULL,
        template_version INTEGER NOT NULL,
        endpoint_name TEXT NOT NULL,
        model TEXT NOT NULL,
        raw_output TEXT NOT NULL,
        reasoning TEXT,
        answer TEXT,
        parse_error TEXT,
        prompts_json TEXT NOT NULL,
        mask_rle TEXT,
        segmenter TEXT,
        intersection INTEGER,
        union_px INTEGER,
        iou REAL,
        latency_ms INTEGER NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE INDEX reason_variants_sample ON reason_variants(sample_id, run_id, id);
    `,
  },
  {
    version: 5,
    name: 'thumbnail cache',
    sql: `
      -- Grid thumbnails (image + overlay), generated once per (sample, run) and stored as media; a NULL
      -- run_id is the thumbnail with GT only.
      CREATE TABLE thumbnails (
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        media_hash TEXT NOT NULL REFERENCES media(hash)
      );
      CREATE UNIQUE INDEX thumbnails_key ON thumbnails(sample_id, IFNULL(run_id, 0));
    `,
  },
  {
    version: 6,
    name: 'object-level edits and predictions, refinement flag, thumbnail source',
    sql: `
      -- Whether an interactive edit fed the previous low-resolution logits back as SAM's mask_input
      -- (1 on, 0 off; NULL for edits made before this was recorded).
      ALTER TABLE prompt_edits ADD COLUMN refine INTEGER;
      -- Per-object results of an edit or a prediction, a JSON list in prompt order:
      -- [{"id", "mask" (COCO counts), "score", "refined", "gtIndex", "intersection", "union", "iou"}].
      ALTER TABLE prompt_edits ADD COLUMN objects_json TEXT;
      ALTER TABLE predictions ADD COLUMN objects_json TEXT;
      -- What a thumbnail's overlay shows ('' the run's own prediction, 'edit:<id>' a prompt edit), so a
      -- newer edit makes the cached thumbnail stale.
      ALTER TABLE thumbnails ADD COLUMN source_key TEXT NOT NULL DEFAULT '';
    `,
  },
]
