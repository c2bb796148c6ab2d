/**
 * COCO run-length encoding, byte-compatible with pycocotools (maskApi.c).
 *
 * Runs are column-major (Fortran order: y varies fastest) and always start with a run of zeros,
 * which may be empty. The compressed string form packs each count into 5-bit groups + a
 * continuation bit, offset by 48, storing counts after the second as a delta to the count two
 * places back. Pure module: runs in Node, the renderer and workers alike.
 */

/** A mask as pycocotools' Python API returns it: `{ size: [h, w], counts }`. */
export interface CocoRle {
  size: [number, number]
  counts: string
}

/** Decoded run lengths; `counts[0]` is the (possibly empty) leading run of zeros. */
export interface Rle {
  h: number
  w: number
  counts: Uint32Array
}

/** Encodes a row-major mask (`mask[y * w + x]`, non-zero = foreground) as column-major runs. */
export function encodeRowMajor(mask: ArrayLike<number | boolean>, h: number, w: number): Rle {
  assertSize(mask.length, h, w)
  const runs: number[] = []
  let current = 0
  let run = 0
  for (let x = 0; x < w; x++) {
    for (let y = 0, i = x; y < h; y++, i += w) {
      const v = mask[i] ? 1 : 0
      if (v !== current) {
        runs.push(run)
        run = 0
        current = v
      }
      run++
    }
  }
  runs.push(run)
  return { h, w, counts: Uint32Array.from(runs) }
}

/** Encodes a column-major mask (`mask[x * h + y]`), the layout pycocotools takes natively. */
export function encodeColumnMajor(mask: ArrayLike<number | boolean>, h: number, w: number): Rle {
  assertSize(mask.length, h, w)
  const runs: number[] = []
  let current = 0
  let run = 0
  for (let i = 0; i < mask.length; i++) {
    const v = mask[i] ? 1 : 0
    if (v !== current) {
      runs.push(run)
      run = 0
      current = v
    }
    run++
  }
  runs.push(run)
  return { h, w, counts: Uint32Array.from(runs) }
}

/** Decodes to a row-major 0/1 mask of `h * w` bytes. */
export function decodeRowMajor(rle: Rle): Uint8Array {
  const { h, w, counts } = rle
  const out = new Uint8Array(h * w)
  let p = 0
  for (let k = 0; k < counts.length; k++) {
    const n = counts[k]
    if (k % 2 === 1) {
      for (let j = p; j < p + n; j++) {
        const x = (j / h) | 0
        const y = j - x * h
        out[y * w + x] = 1
      }
    }
    p += n
  }
  return out
}

/** pycocotools `rleToString`. */
export function countsToString(counts: ArrayLike<number>): string {
  let s = ''
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]
    if (i > 2) x -= counts[i - 2]
    let more = true
    while (more) {
      let c = x & 0x1f
      x = Math.floor(x / 32)
      more = c & 0x10 ? x !== -1 : x !== 0
      if (more) c |= 0x20
      s += String.fromCharCode(c + 48)
    }
  }
  return s
}

/** pycocotools `rleFrString`. Throws on a malformed string instead of reading past its end. */
export function countsFromString(s: string): Uint32Array {
  // At most one count per character; arithmetic instead of shifts because counts reach 2^32.
  const out = new Uint32Array(s.length)
  const n = s.length
  let m = 0
  let p = 0
  while (p < n) {
    let x = 0
    let mult = 1
    let c: number
    do {
      if (p >= n) throw new Error(`RLE string ends inside a count (at character ${p})`)
      c = s.charCodeAt(p) - 48
      if (c < 0 || c > 63) throw new Error(`RLE string has an invalid character at ${p}`)
      x += (c & 0x1f) * mult
      mult *= 32
      p++
    } while (c & 0x20)
    if (c & 0x10) x -= mult
    if (m > 2) x += out[m - 2]
    if (x < 0) throw new Error(`RLE string decodes to a negative run at count ${m}`)
    if (x > 0xffffffff) throw new Error(`RLE string decodes to a run over 2^32 at count ${m}`)
    out[m++] = x
  }
  return out.slice(0, m)
}

export function toCoco(rle: Rle): CocoRle {
  return { size: [rle.h, rle.w], counts: countsToString(rle.counts) }
}

/** Accepts compressed (`counts` string) or uncompressed (`counts` list) COCO RLE and checks the total. */
export function fromCoco(coco: { size: [number, number] | number[]; counts: string | number[] }): Rle {
  const [h, w] = coco.size
  if (typeof coco.counts !== 'string') {
    // Checked before the Uint32 conversion, which would silently wrap 2^32 + k or 1e308 to a small run;
    // once every run fits, the conversion is exact and the total is checked below for both forms.
    for (const c of coco.counts) {
      if (!Number.isSafeInteger(c) || c < 0 || c > 0xffffffff) {
        throw new Error(`RLE run ${c} is not a pixel count (a non-negative integer below 2^32)`)
      }
    }
  }
  const counts =
    typeof coco.counts === 'string' ? countsFromString(coco.counts) : Uint32Array.from(coco.counts)
  const total = sum(counts)
  if (total !== h * w) throw new Error(`RLE runs cover ${total} pixels but size ${h}x${w} has ${h * w}`)
  return { h, w, counts }
}

/** An all-background mask. */
export function emptyRle(h: number, w: number): Rle {
  return { h, w, counts: Uint32Array.of(h * w) }
}

/** Foreground pixel count (pycocotools `area`). */
export function area(rle: Rle): number {
  let a = 0
  for (let i = 1; i < rle.counts.length; i += 2) a += rle.counts[i]
  return a
}

/** Intersection and union of two same-size masks, merged run by run without decoding. */
export function intersectionUnion(a: Rle, b: Rle): { intersection: number; union: number } {
  if (a.h !== b.h || a.w !== b.w) {
    throw new Error(`mask sizes differ: ${a.h}x${a.w} vs ${b.h}x${b.w}`)
  }
  const ca = a.counts
  const cb = b.counts
  const na = ca.length
  const nb = cb.length
  // Walk the foreground intervals [s, e) of both with two pointers; U = |A| + |B| - I. Only half the
  // runs are visited, with no per-run state toggling.
  let ia = 1
  let ib = 1
  let as = na > 0 ? ca[0] : 0
  let ae = na > 1 ? as + ca[1] : as
  let bs = nb > 0 ? cb[0] : 0
  let be = nb > 1 ? bs + cb[1] : bs
  let inter = 0
  while (ia < na && ib < nb) {
    const lo = as > bs ? as : bs
    const hi = ae < be ? ae : be
    if (hi > lo) inter += hi - lo
    if (ae <= be) {
      ia += 2
      if (ia < na) {
        as = ae + ca[ia - 1]
        ae = as + ca[ia]
      }
    } else {
      ib += 2
      if (ib < nb) {
        bs = be + cb[ib - 1]
        be = bs + cb[ib]
      }
    }
  }
  return { intersection: inter, union: area(a) + area(b) - inter }
}

/** pycocotools `toBbox`: [x, y, w, h] of the foreground, zeros for an empty mask. A port of maskApi.c
 * `rleToBbox`, quirks included (a run spanning columns widens y to the full height). */
export function toBbox(rle: Rle): [number, number, number, number] {
  const { h, w, counts } = rle
  const m = Math.floor(counts.length / 2) * 2
  if (m === 0) return [0, 0, 0, 0]
  let xs = w
  let ys = h
  let xe = 0
  let ye = 0
  let cc = 0
  let xp = 0
  for (let j = 0; j < m; j++) {
    cc += counts[j]
    const t = cc - (j % 2)
    const y = t % h
    const x = (t - y) / h
    if (j % 2 === 0) xp = x
    else if (xp < x) {
      ys = 0
      ye = h - 1
    }
    xs = Math.min(xs, x)
    xe = Math.max(xe, x)
    ys = Math.min(ys, y)
    ye = Math.max(ye, y)
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1]
}

function sum(a: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]
  return s
}

function assertSize(len: number, h: number, w: number): void {
  if (len !== h * w) throw new Error(`mask has ${len} pixels, expected ${h}x${w} = ${h * w}`)
}
