/** Loads stored images by media hash, keeping recent ones so samples that share an image switch instantly. */
import { useEffect, useState } from 'react'

const cache = new Map<string, Promise<HTMLImageElement>>()
/** The same images once decoded, so a prefetched one is shown in the very render that asks for it. */
const ready = new Map<string, HTMLImageElement>()
const MAX = 48

export function loadImage(url: string): Promise<HTMLImageElement> {
  let p = cache.get(url)
  if (!p) {
    p = new Promise((resolve, reject) => {
      const img = new Image()
      img.decoding = 'async'
      // Decoded before it counts as loaded, so the first draw of a prefetched image does not decode it.
      img.onload = () => {
        const done = () => {
          ready.set(url, img)
          resolve(img)
        }
        img.decode().then(done, done)
      }
      img.onerror = () => reject(new Error(`could not load image ${url}`))
      img.src = url
    })
    cache.set(url, p)
    p.catch(() => cache.delete(url))
    while (cache.size > MAX) {
      const oldest = cache.keys().next().value as string
      cache.delete(oldest)
      ready.delete(oldest)
    }
  }
  return p
}

export function useImage(url: string | null): { image: HTMLImageElement | null; error: string | null } {
  const [state, setState] = useState<{
    url: string | null
    image: HTMLImageElement | null
    error: string | null
  }>({
    url: null,
    image: null,
    error: null,
  })
  useEffect(() => {
    if (!url) return
    let live = true
    loadImage(url).then(
      (image) => live && setState({ url, image, error: null }),
      (err: Error) => live && setState({ url, image: null, error: err.message }),
    )
    return () => {
      live = false
    }
  }, [url])
  if (state.url === url) return { image: state.image, error: state.error }
  return { image: (url && ready.get(url)) || null, error: null }
}
