/** View preferences kept in localStorage under `reseg.<key>`; a convenience only, so failures are ignored. */
export function loadPref<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(`reseg.${key}`)
    return v == null ? fallback : (JSON.parse(v) as T)
  } catch {
    return fallback
  }
}

export function savePref(key: string, v: unknown): void {
  try {
    localStorage.setItem(`reseg.${key}`, JSON.stringify(v))
  } catch {
    // Storage can be full or disabled; preferences are a convenience only.
  }
}
