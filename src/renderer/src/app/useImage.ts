/** Loads stored images by media hash, keeping recent ones so samples that share an image switch instantly. */
import { useEffect, useState } from 'react'

const cache = new Map<string, Promise<HTMLImageElement>>()
const MAX = 48

export function loadImage(url: string): Promise<HTMLImageElement> {
  let p = cache.get(url)
  if (!p) {
    p = new Promise((resolve, reject) => {
      const img = new Image()
      img.decoding = 'async'
      img.onload = () => resolve(img)
      img.onerror = () => reject(new Error(`could not load image ${url}`))
      img.src = url
    })
    cache.set(url, p)
    p.catch(() => cache.delete(url))
    while (cache.size > MAX) cache.delete(cache.keys().next().value as string)
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
  return state.url === url ? { image: state.image, error: state.error } : { image: null, error: null }
}
