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
    name: 'ground-truth annotation',
    sql: `
      -- Corrected ground truth. The imported samples.gt_rle / ignore_rle are never modified: they are the
      -- "original" GT. gt_revisions holds a sample's current corrected state (union of its objects, the
      -- ignore mask) so metrics read one row per sample; it is rewritten by every command, in the same
      -- transaction as gt_objects and gt_commands. revised = 0 when the state equals the original again.
      -- cursor = number of gt_commands applied (undo/redo survive a reload).
      CREATE TABLE gt_revisions (
        sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
        mask_rle TEXT NOT NULL,
        mask_area INTEGER NOT NULL,
        ignore_rle TEXT,
        revised INTEGER NOT NULL,
        cursor INTEGER NOT NULL,
        author TEXT NOT NULL,
        reason TEXT,
        tag_id INTEGER REFERENCES tags(id) ON DELETE SET NULL,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE INDEX gt_revisions_revised ON gt_revisions(revised, sample_id);

      -- The corrected GT's objects (each its own mask); obj_id is stable within the sample.
      CREATE TABLE gt_objects (
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        obj_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        label TEXT NOT NULL,
        mask_rle TEXT NOT NULL,
        area INTEGER NOT NULL,
        PRIMARY KEY (sample_id, obj_id)
      );

      -- The command log per sample, seq = 1, 2, ...; commands past the cursor are the redo branch and are
      -- dropped when a new command is applied. before/after are the full state (objects + ignore) as JSON.
      CREATE TABLE gt_commands (
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        op_json TEXT NOT NULL,
        author TEXT NOT NULL,
        before_json TEXT NOT NULL,
        after_json TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (sample_id, seq)
      );

      CREATE TABLE sample_flags (
        sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('ambiguous', 'invalid', 'duplicate')),
        reason TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );

      -- Authoring: images added to a dataset by hand (queries then make samples of them), and the samples
      -- authored in the app. An authored sample has no imported GT to preserve: its drawn GT is its
      -- original, so GT commands on it also rewrite samples.gt_rle / ignore_rle.
      CREATE TABLE dataset_images (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        image_id TEXT NOT NULL,
        media_hash TEXT NOT NULL REFERENCES media(hash),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        source TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (dataset_id, image_id)
      );
      CREATE TABLE authored_samples (
        sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );

      -- Which GT a stored stage attribution was computed against.
      ALTER TABLE stage_attribution ADD COLUMN gt TEXT NOT NULL DEFAULT 'original';
      ALTER TABLE stage_attribution ADD COLUMN exclude_flagged INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 7,
    name: 'suggested failure tags and their review',
    sql: `
      -- What the failure rules (src/shared/domain/failureRules.ts) propose per (run, sample), kept apart from
      -- the user's sample_tags: the rules never write there. tag is NULL for a success or a failure no rule
      -- explains; alternatives_json lists the other rules that fired; evidence_key fingerprints the inputs
      -- (prediction or current prompt edit, GT, oracle IoU, rule version, thresholds) so a change of any of
      -- them is noticed and the row recomputed.
      CREATE TABLE tag_proposals (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        failure INTEGER NOT NULL,
        iou REAL NOT NULL,
        tag TEXT,
        confidence REAL,
        evidence_json TEXT,
        alternatives_json TEXT NOT NULL,
        rules_version INTEGER NOT NULL,
        thresholds_json TEXT NOT NULL,
        evidence_key TEXT NOT NULL,
        computed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (run_id, sample_id)
      );
      CREATE INDEX tag_proposals_queue ON tag_proposals(run_id, failure, iou, sample_id);

      -- The review of a proposal: confirmed with a tag (also put on the sample in sample_tags) or skipped.
      -- proposed_tag is the proposal at review time, for the agreement matrix. Deleting the tag sends the
      -- sample back to the queue.
      CREATE TABLE tag_reviews (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        state TEXT NOT NULL CHECK (state IN ('confirmed', 'skipped')),
        tag_id INTEGER REFERENCES tags(id) ON DELETE CASCADE,
        proposed_tag TEXT,
        reviewed_by TEXT,
        reviewed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (run_id, sample_id)
      );

      -- Undo log of review actions, newest last: the review row before the action (JSON, NULL = none) and
      -- the tag the action put on the sample (NULL when it was already there), so undo removes only that.
      CREATE TABLE tag_review_log (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        prev_json TEXT,
        added_tag_id INTEGER,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE INDEX tag_review_log_run ON tag_review_log(run_id, id);
    `,
  },
  {
    version: 8,
    name: 'GRPO rollouts',
    sql: `
      -- One group per (run, sample): K sampled answers scored with a Seg-Zero reward. gt_solution is the
      -- exact ground-truth string the reward compared against; gt_source says whether it came from the
      -- dataset's solution column or was derived from the mask. reward_mean / reward_std (unbiased, as
      -- torch.std) are NULL until the group is complete.
      CREATE TABLE rollout_groups (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        k INTEGER NOT NULL,
        reward_kind TEXT NOT NULL,
        gt_source TEXT NOT NULL,
        gt_solution TEXT NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0,
        reward_mean REAL,
        reward_std REAL,
        PRIMARY KEY (run_id, sample_id)
      );
      -- One row per rollout. A request that produced no answer has error set, raw_text and reward NULL;
      -- it is asked again on resume. terms_json holds every reward term by name; advantage is
      -- (reward - mean) / (std + 1e-6) over the complete group, as verl's GRPO. mask_rle is a COCO string;
      -- tokens are NULL where the server did not report them per answer; trainer_reward is what an imported
      -- training dump logged.
      CREATE TABLE rollouts (
        run_id INTEGER NOT NULL,
        sample_id INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        raw_text TEXT,
        error TEXT,
        objects_json TEXT NOT NULL DEFAULT '[]',
        parse_error TEXT,
        terms_json TEXT,
        reward REAL,
        advantage REAL,
        format_ok INTEGER,
        think_chars INTEGER,
        mask_rle TEXT,
        intersection INTEGER,
        union_px INTEGER,
        iou REAL,
        latency_ms REAL,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        endpoint TEXT,
        finish_reason TEXT,
        trainer_reward REAL,
        PRIMARY KEY (run_id, sample_id, idx),
        FOREIGN KEY (run_id, sample_id) REFERENCES rollout_groups(run_id, sample_id) ON DELETE CASCADE
      );
    `,
  },
  {
    version: 9,
    name: 'lab users and audit log',
    sql: `
      -- People a served project knows (reseg users): only a salted scrypt hash of each personal token.
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'annotator', 'admin')),
        token_salt BLOB NOT NULL,
        token_hash BLOB NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        revoked_at TEXT
      );

      -- Every successful write through the API: who, when, which method on which run/sample, and a compact
      -- summary of the input (secrets redacted). No foreign keys: the log outlives what it describes.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        method TEXT NOT NULL,
        run_id INTEGER,
        sample_id INTEGER,
        summary TEXT NOT NULL,
        remote TEXT
      );
      CREATE INDEX audit_log_sample ON audit_log(sample_id, run_id, id);
      CREATE INDEX audit_log_user ON audit_log(user_name, method);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      -- Earlier texts of notes, kept whenever a save replaces or deletes a different text.
      CREATE TABLE notes_history (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        sample_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        author TEXT,
        written_at TEXT,
        replaced_by TEXT NOT NULL,
        replaced_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      );
      CREATE INDEX notes_history_sample ON notes_history(sample_id, run_id, id);
    `,
  },
  {
    version: 10,
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
  {
    version: 11,
    name: 'precomputed list columns of predictions',
    sql: `
      -- What the sample list filters and sorts on, one narrow row per prediction, so a 100k-sample query
      -- reads an index instead of every prediction row (whose RLE and prompt texts spill onto overflow
      -- pages). iou is NULL for a not-segmented prediction (prompts but no mask: it has no IoU yet, see
      -- notSegmentedSql); parse_error is 1 when the model output did not parse. Triggers keep it in step
      -- with predictions inside the writing statement's own transaction, whatever code path writes
      -- (imports, segment jobs, prompt-edit variants, cascaded deletes). No index on iou: it would make
      -- bulk imports about 3x slower, while a probe per sample on this table is already cheap.
      CREATE TABLE prediction_list (
        run_id INTEGER NOT NULL,
        sample_id INTEGER NOT NULL,
        iou REAL,
        parse_error INTEGER NOT NULL,
        PRIMARY KEY (run_id, sample_id)
      ) WITHOUT ROWID;
      INSERT INTO prediction_list (run_id, sample_id, iou, parse_error)
        SELECT run_id, sample_id,
          CASE WHEN mask_rle IS NULL AND prompts_json IS NOT NULL AND prompts_json <> '[]' THEN NULL ELSE iou END,
          parse_error IS NOT NULL
        FROM predictions;
      -- INSERT OR REPLACE INTO predictions replaces without firing the delete trigger (recursive_triggers
      -- is off), so the insert trigger replaces too.
      CREATE TRIGGER prediction_list_insert AFTER INSERT ON predictions BEGIN
        INSERT OR REPLACE INTO prediction_list (run_id, sample_id, iou, parse_error) VALUES (
          NEW.run_id, NEW.sample_id,
          CASE WHEN NEW.mask_rle IS NULL AND NEW.prompts_json IS NOT NULL AND NEW.prompts_json <> '[]'
            THEN NULL ELSE NEW.iou END,
          NEW.parse_error IS NOT NULL);
      END;
      CREATE TRIGGER prediction_list_update AFTER UPDATE ON predictions BEGIN
        DELETE FROM prediction_list WHERE run_id = OLD.run_id AND sample_id = OLD.sample_id;
        INSERT OR REPLACE INTO prediction_list (run_id, sample_id, iou, parse_error) VALUES (
          NEW.run_id, NEW.sample_id,
          CASE WHEN NEW.mask_rle IS NULL AND NEW.prompts_json IS NOT NULL AND NEW.prompts_json <> '[]'
            THEN NULL ELSE NEW.iou END,
          NEW.parse_error IS NOT NULL);
      END;
      CREATE TRIGGER prediction_list_delete AFTER DELETE ON predictions BEGIN
        DELETE FROM prediction_list WHERE run_id = OLD.run_id AND sample_id = OLD.sample_id;
      END;
    `,
  },
]
