/** File names for exported samples, derived from dataset ids that may hold any character. */

/** `image_id` as a portable file stem: path separators and other unsafe characters become `_`. */
export function safeFileStem(id: string): string {
  const stem = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')
  return stem.length > 0 ? stem.slice(0, 150) : '_'
}
