/**
 * The files of a folder the user dropped (File and Directory Entries API) or chose (`webkitdirectory`),
 * each with its path relative to the folder's parent ("shapes/data/val.parquet"). Only files an importer
 * may read are kept: hidden files (.DS_Store, .git/) and others would be refused by the upload anyway.
 */

export interface FolderFile {
  /** `folder/sub/file.ext`, '/'-separated. */
  rel: string
  file: File
}

const IMPORTABLE = /\.(jsonl|json|parquet|jpe?g|png|webp|bmp|tiff?)$/i

/** Whether a relative path names a file worth uploading: no hidden segment, an importable extension. */
export function importable(rel: string): boolean {
  return IMPORTABLE.test(rel) && !rel.split('/').some((s) => s.startsWith('.'))
}

function sorted(files: FolderFile[]): FolderFile[] {
  return files.filter((f) => importable(f.rel)).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject))
}

async function walk(dir: FileSystemDirectoryEntry, prefix: string, out: FolderFile[]): Promise<void> {
  const reader = dir.createReader()
  // readEntries answers in batches (100 in Chromium) until an empty one.
  for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) {
    for (const e of batch) {
      const rel = `${prefix}/${e.name}`
      if (e.isDirectory) await walk(e as FileSystemDirectoryEntry, rel, out)
      else {
        const file = await new Promise<File>((resolve, reject) =>
          (e as FileSystemFileEntry).file(resolve, reject),
        )
        out.push({ rel, file })
      }
    }
  }
}

export const folderFiles = {
  async fromEntry(dir: FileSystemDirectoryEntry): Promise<FolderFile[]> {
    const out: FolderFile[] = []
    await walk(dir, dir.name, out)
    return sorted(out)
  },
  fromInput(files: FileList): FolderFile[] {
    return sorted([...files].map((file) => ({ rel: file.webkitRelativePath || file.name, file })))
  },
}

/** The backend refused because the target exists (an upload never replaces one). */
export function isConflict(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'conflict'
}
