import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EmbeddingCache, type Embedding } from '../../../../../src/main/engine/cache/embeddingCache'

const root = mkdtempSync(join(tmpdir(), 'reseg-emb-cache-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** An embedding of `floats` values (4 bytes each) whose contents identify it. */
function emb(tag: number, floats = 256): Embedding {
  const data = Float32Array.from({ length: floats }, (_, i) => tag * 1000 + i)
  return {
    tensors: {
      image_embeddings: { dims: [1, floats], data },
      extra: { dims: [3], data: Float32Array.from([tag, -tag, 0.5]) },
    },
    width: 10 + tag,
    height: 20,
  }
}

describe('EmbeddingCache', () => {
  it('evicts the least recently used entry when over the byte budget', async () => {
    // Each embedding is 256 * 4 + 12 = 1036 bytes; budget holds two.
    const c = new EmbeddingCache({ budgetBytes: 2100 })
    await c.put('m', 'a', emb(1))
    await c.put('m', 'b', emb(2))
    await c.get('m', 'a') // a becomes most recent
    await c.put('m', 'c', emb(3))
    expect(c.has('m', 'a')).toBe(true)
    expect(c.has('m', 'b')).toBe(false)
    expect(c.has('m', 'c')).toBe(true)
    expect(c.stats()).toMatchObject({ memoryHits: 1, entriesInMemory: 2, bytesInMemory: 2072 })
  })

  it('keys by model and image', async () => {
    const c = new EmbeddingCache({ budgetBytes: 1e6 })
    await c.put('m1', 'x', emb(1))
    expect(await c.get('m2', 'x')).toBeUndefined()
    expect((await c.get('m1', 'x'))?.width).toBe(11)
  })

  it('round-trips through disk bit for bit, written atomically (no temp files left)', async () => {
    const dir = join(root, 'disk')
    const a = new EmbeddingCache({ budgetBytes: 1e6, dir, fingerprint: 'f1' })
    const e = emb(7, 1001)
    await a.put('sam/vit b', 'media-hash', e)
    const files = readdirSync(join(dir, 'sam_vit_b'))
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.bin$/)
    const b = new EmbeddingCache({ budgetBytes: 1e6, dir, fingerprint: 'f1' })
    const back = await b.get('sam/vit b', 'media-hash')
    expect(back?.width).toBe(17)
    expect(back?.tensors.image_embeddings.dims).toEqual([1, 1001])
    expect(Array.from(back!.tensors.image_embeddings.data)).toEqual(
      Array.from(e.tensors.image_embeddings.data),
    )
    expect(Array.from(back!.tensors.extra.data)).toEqual([7, -7, 0.5])
    expect(b.stats().diskHits).toBe(1)
  })

  it('treats another fingerprint or a damaged file as a miss', async () => {
    const dir = join(root, 'disk2')
    const a = new EmbeddingCache({ budgetBytes: 1e6, dir, fingerprint: 'f1' })
    await a.put('m', 'k', emb(1))
    const other = new EmbeddingCache({ budgetBytes: 1e6, dir, fingerprint: 'f2' })
    // `has` (what precompute skips on) must agree with `get`.
    expect(other.has('m', 'k')).toBe(false)
    expect(await other.get('m', 'k')).toBeUndefined()
    expect(new EmbeddingCache({ budgetBytes: 1e6, dir, fingerprint: 'f1' }).has('m', 'k')).toBe(true)
    writeFileSync(a.filePath('m', 'k')!, Buffer.from('RSEMB1\n\xff\xff'))
    const again = new EmbeddingCache({ budgetBytes: 1e6, dir, fingerprint: 'f1' })
    expect(again.has('m', 'k')).toBe(false)
    expect(await again.get('m', 'k')).toBeUndefined()
    expect(again.stats().misses).toBe(1)
  })
})
