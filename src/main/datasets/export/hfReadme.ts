/**
 * The dataset card of an hf-parquet export: the same YAML `dataset_info` features block as ReasonSeg's
 * card (so `datasets.load_dataset(folder)` types the columns identically), the split's size and the
 * `data/<split>-*` file pattern.
 */
import fs from 'node:fs'
import path from 'node:path'

export function hfReadme(name: string, split: string, rows: number, dir: string): string {
  const dataDir = path.join(dir, 'data')
  const bytes = fs
    .readdirSync(dataDir)
    .filter((f) => f.startsWith(`${split}-`) && f.endsWith('.parquet'))
    .reduce((s, f) => s + fs.statSync(path.join(dataDir, f)).size, 0)
  return `---
dataset_info:
  features:
  - name: image
    dtype: image
  - name: text
    dtype: string
  - name: mask
    sequence:
      sequence: bool
  - name: image_id
    dtype: string
  - name: ann_id
    dtype: string
  - name: img_height
    dtype: int64
  - name: img_width
    dtype: int64
  splits:
  - name: ${split}
    num_bytes: ${bytes}
    num_examples: ${rows}
  download_size: ${bytes}
  dataset_size: ${bytes}
configs:
- config_name: default
  data_files:
  - split: ${split}
    path: data/${split}-*
---

# ${name}

Exported by ReSeg Inspector in ReasonSeg's layout: \`image\` ({bytes, path}), \`text\` (the query), \`mask\`
(\`mask[y][x]\`, list of image rows of booleans), \`image_id\`, \`ann_id\`, \`img_height\`, \`img_width\`.
${rows} rows in split \`${split}\`, row groups of 100 rows.
`
}
