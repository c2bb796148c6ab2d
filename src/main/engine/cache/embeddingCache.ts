/**
 * Image-embedding cache per (model id, image key): an in-memory LRU bounded by bytes, backed by files
 * under the project (`<project>/cache/embeddings/<model>/<sha256(image key)>.bin`, written to a temp
 * file then renamed, so a crash never leaves a half file under the final name). A revisit of an image
 * then costs only the decoder. Each file records the model fingerprint (encoder file size + mtime), so
 * replacing a model's files invalidates its old embeddings instead of silently reusing them.
 *
 * File layout: "RSEMB1\n", uint32 LE header length, JSON header, zero padding to 4 bytes, then the
 * float32 tensors back to back in header order.
 */
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync, readSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface EmbeddingTensor {
  dims: number[]
  data: Float32Array
}

export interface Embedding {
  /** Tensors by decoder input name. */
  tensors: Record<string, EmbeddingTensor>
  /** Original image size the embedding was computed for. */
  width: number
  height: number
}

export interface CacheStats {
  memoryHits: number
  diskHits: number
  misses: number
  bytesInMemory: number
  entriesInMemory: number
}

const MAGIC = Buffer.from('RSEMB1\n')

export function embeddingBytes(e: Embedding): number {
  let n = 0
  for (const t of Object.values(e.tensors)) n += t.data.byteLength
  return n
}

export class EmbeddingCache {
  private lru = new Map<string, { embedding: Embedding; bytes: number }>()
  private bytes = 0
  private counters = { memoryHits: 0, diskHits: 0, misses: 0 }

  constructor(
    private readonly opts: {
      /** Byte budget of the in-memory LRU. */
      budgetBytes: number
      /** `<project>/cache/embeddings`; no disk layer when omitted. */
      dir?: string
      /** Identifies the model files; a disk entry with another fingerprint is a miss. */
      fingerprint?: string
    },
  ) {}

  stats(): CacheStats {
    return { ...this.counters, bytesInMemory: this.bytes, entriesInMemory: this.lru.size }
  }

  /** Path of the disk entry (exported for tests and tooling). */
  filePath(modelId: string, imageKey: string): string | undefined {
    if (!this.opts.dir) return undefined
    const hash = createHash('sha256').update(imageKey).digest('hex')
    return join(this.opts.dir, safeSegment(modelId), `${hash}.bin`)
  }

  /** True when an entry is in memory or on disk for the current model files (reads only the header). */
  has(modelId: string, imageKey: string): boolean {
    if (this.lru.has(key(modelId, imageKey))) return true
    const p = this.filePath(modelId, imageKey)
    if (p === undefined || !existsSync(p)) return false
    // A file left by replaced model files is a miss for `get`; precompute must not skip it as cached.
    const header = readHeaderSync(p)
    return header !== undefined && this.matches(header, modelId, imageKey)
  }

  private matches(header: DiskHeader, modelId: string, imageKey: string): boolean {
    return (
      header.modelId === modelId &&
      header.imageKey === imageKey &&
      (header.fingerprint ?? '') === (this.opts.fingerprint ?? '')
    )
  }

  async get(modelId: string, imageKey: string): Promise<Embedding | undefined> {
    const k = key(modelId, imageKey)
    const hit = this.lru.get(k)
    if (hit) {
      this.lru.delete(k)
      this.lru.set(k, hit)
      this.counters.memoryHits++
      return hit.embedding
    }
    const p = this.filePath(modelId, imageKey)
    if (p && existsSync(p)) {
      const e = await this.readFile(p, modelId, imageKey)
      if (e) {
        this.counters.diskHits++
        this.remember(k, e)
        return e
      }
    }
    this.counters.misses++
    return undefined
  }

  async put(modelId: string, imageKey: string, embedding: Embedding): Promise<void> {
    this.remember(key(modelId, imageKey), embedding)
    const p = this.filePath(modelId, imageKey)
    if (p) await this.writeFile(p, modelId, imageKey, embedding)
  }

  private remember(k: string, embedding: Embedding): void {
    const bytes = embeddingBytes(embedding)
    const old = this.lru.get(k)
    if (old) {
      this.lru.delete(k)
      this.bytes -= old.bytes
    }
    if (bytes > this.opts.budgetBytes) return
    this.lru.set(k, { embedding, bytes })
    this.bytes += bytes
    for (const [victim, v] of this.lru) {
      if (this.bytes <= this.opts.budgetBytes) break
      this.lru.delete(victim)
      this.bytes -= v.bytes
    }
  }

  private async readFile(path: string, modelId: string, imageKey: string): Promise<Embedding | undefined> {
    try {
      const buf = await readFile(path)
      if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined
      const headerLen = buf.readUInt32LE(MAGIC.length)
      const headerStart = MAGIC.length + 4
      const header = JSON.parse(
        buf.subarray(headerStart, headerStart + headerLen).toString('utf8'),
      ) as DiskHeader
      if (!this.matches(header, modelId, imageKey)) return undefined
      let offset = align4(headerStart + headerLen)
      const tensors: Record<string, EmbeddingTensor> = {}
      for (const t of header.tensors) {
        const count = t.dims.reduce((a, b) => a * b, 1)
        if (offset + count * 4 > buf.length) return undefined
        // Copy into a fresh, aligned buffer: the file buffer's offset may not be 4-aligned.
        tensors[t.name] = {
          dims: t.dims,
          data: new Float32Array(
            buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + count * 4),
          ),
        }
        offset += count * 4
      }
      return { tensors, width: header.width, height: header.height }
    } catch {
      // An unreadable or truncated entry is a miss; it is rewritten after the next encode.
      return undefined
    }
  }

  private async writeFile(path: string, modelId: string, imageKey: string, e: Embedding): Promise<void> {
    const names = Object.keys(e.tensors)
    const header: DiskHeader = {
      modelId,
      imageKey,
      fingerprint: this.opts.fingerprint,
      width: e.width,
      height: e.height,
      tensors: names.map((name) => ({ name, dims: e.tensors[name].dims })),
    }
    const json = Buffer.from(JSON.stringify(header), 'utf8')
    const len = Buffer.alloc(4)
    len.writeUInt32LE(json.length)
    const headEnd = MAGIC.length + 4 + json.length
    const parts: Buffer[] = [MAGIC, len, json, Buffer.alloc(align4(headEnd) - headEnd)]
    for (const n of names) {
      const d = e.tensors[n].data
      parts.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength))
    }
    const dir = join(path, '..')
    await mkdir(dir, { recursive: true })
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    try {
      await writeFile(tmp, Buffer.concat(parts))
      await rename(tmp, path)
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
  }
}

interface DiskHeader {
  modelId: string
  imageKey: string
  fingerprint?: string
  width: number
  height: number
  tensors: { name: string; dims: number[] }[]
}

function readHeaderSync(path: string): DiskHeader | undefined {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const head = Buffer.alloc(MAGIC.length + 4)
    if (readSync(fd, head, 0, head.length, 0) !== head.length) return undefined
    if (!head.subarray(0, MAGIC.length).equals(MAGIC)) return undefined
    const json = Buffer.alloc(head.readUInt32LE(MAGIC.length))
    if (readSync(fd, json, 0, json.length, head.length) !== json.length) return undefined
    return JSON.parse(json.toString('utf8')) as DiskHeader
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function key(modelId: string, imageKey: string): string {
  return `${modelId}\u0000${imageKey}`
}

function align4(n: number): number {
  return (n + 3) & ~3
}

/** Model ids become folder names; anything outside [A-Za-z0-9._-] is replaced. */
function safeSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_')
}
