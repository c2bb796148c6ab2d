/**
 * Re-ask bench (`npx tsx bench/reason.bench.ts`):
 * 1. Model input per sample: Pillow-exact bilinear resize of a 1280×720 photo-sized image to 840×840 + PNG +
 *    base64, against libvips' own (not Pillow-exact) resize to the same size as the baseline.
 * 2. Answer parsing throughput (parseSegZeroOutput on a two-object answer; a truncated, single-quoted one),
 *    against a bare regex + JSON.parse of the same answer (what the reference does).
 * 3. Client overhead per request against a loopback server answering at once (non-streamed and streamed),
 *    against a bare fetch of the same request.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { chatCompletion } from '../src/main/reason/client'
import { modelInputDataUrl } from '../src/main/reason/reask'
import { parseSegZeroOutput } from '../src/shared/domain/answer'
import { percentile } from './stats'

async function time(n: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn()
    out.push(performance.now() - t)
  }
  return out
}

const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(2)} ms, p95 ${percentile(xs, 95).toFixed(2)} ms`

const w = 1280
const h = 720
const data = new Uint8Array(w * h * 3)
for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) >>> 24) ^ ((i / 3840) & 255)
const rgb = { width: w, height: h, data }

await time(3, () => modelInputDataUrl(rgb, 840))
const ours = await time(15, () => modelInputDataUrl(rgb, 840))
const vips = await time(15, async () => {
  const png = await sharp(Buffer.from(data), { raw: { width: w, height: h, channels: 3 } })
    .resize(840, 840, { fit: 'fill', kernel: 'linear' })
    .png({ compressionLevel: 3 })
    .toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
})
console.log(`1. model input 1280x720 -> 840x840 PNG data URL: ${fmt(ours)}`)
console.log(`   baseline libvips resize + PNG:                ${fmt(vips)}`)
console.log(`   ratio (ours / baseline, p50): ${(percentile(ours, 50) / percentile(vips, 50)).toFixed(2)}x`)

const answer =
  '<think> The bottle and the cup both hold a drink; the cup is closer. </think><answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, {"bbox_2d": [225,296,706,786], "point_2d": [302,410]}]</answer>'
const messy =
  "<think>x</think><answer>```json\n[{'bbox_2d': [10,100,200,210], 'point_2d': [30,110]}, {'bbox_2d': [225,296,706,"
const N = 20000
const size = { width: 1280, height: 720 }
const tParse = performance.now()
for (let i = 0; i < N; i++) parseSegZeroOutput(answer, size)
const parseUs = ((performance.now() - tParse) / N) * 1000
const tMessy = performance.now()
for (let i = 0; i < N; i++) parseSegZeroOutput(messy, size)
const messyUs = ((performance.now() - tMessy) / N) * 1000
const tBase = performance.now()
for (let i = 0; i < N; i++) {
  const m = /<answer>\s*([\s\S]*?)\s*<\/answer>/.exec(answer)
  const items = JSON.parse(m![1]) as { bbox_2d: number[]; point_2d: number[] }[]
  const mapped = items.map((it) => [
    Math.trunc(it.bbox_2d[0] * (1280 / 840) + 0.5),
    Math.trunc(it.point_2d[1] * (720 / 840) + 0.5),
  ])
  const think = /<think>([^<]+)<\/think>/.exec(answer)
  if (mapped.length === 0 || !think) throw new Error('baseline parse failed')
}
const baseUs = ((performance.now() - tBase) / N) * 1000
console.log(
  `2. parse two-object answer: ${parseUs.toFixed(2)} us; truncated single-quoted fenced answer: ${messyUs.toFixed(2)} us`,
)
console.log(
  `   baseline regex + JSON.parse: ${baseUs.toFixed(2)} us; ratio ${(parseUs / baseUs).toFixed(2)}x`,
)

const server = http.createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    const stream = (JSON.parse(body) as { stream: boolean }).stream
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      for (const c of ['<think>a</think>', '<answer>[]', '</answer>']) {
        res.write(
          `data: ${JSON.stringify({ choices: [{ delta: { content: c }, finish_reason: null }] })}\n\n`,
        )
      }
      res.end('data: [DONE]\n\n')
    } else {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ choices: [{ message: { content: answer }, finish_reason: 'stop' }] }))
    }
  })
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const ep = { name: 'b', baseUrl: base, model: 'm', temperature: 0, maxTokens: 16, timeoutMs: 5000 }
const msgs = [{ role: 'user' as const, content: 'hi' }]
await time(20, () => chatCompletion(ep, msgs))
const plain = await time(200, () => chatCompletion(ep, msgs))
const streamed = await time(200, () => chatCompletion(ep, msgs, { stream: true }))
const bare = await time(200, async () => {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: msgs, temperature: 0, max_tokens: 16, stream: false }),
  })
  await r.json()
})
server.close()
console.log(`3. client request, loopback: plain ${fmt(plain)}; streamed ${fmt(streamed)}`)
console.log(
  `   baseline bare fetch: ${fmt(bare)}; ratio (plain / bare, p50) ${(percentile(plain, 50) / percentile(bare, 50)).toFixed(2)}x`,
)
