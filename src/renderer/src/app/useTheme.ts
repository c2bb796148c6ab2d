/** Dark / light theme: set on the document root and remembered between launches. */
import { useCallback, useEffect, useState } from 'react'
import { loadPref, savePref } from './prefs'

export type Theme = 'dark' | 'light'

export function useTheme(): { theme: Theme; toggleTheme(): void } {
  const [theme, setTheme] = useState<Theme>(() => loadPref('theme', 'dark'))
  useEffect(() => {
    document.documentElement.dataset.theme = theme
    savePref('theme', theme)
  }, [theme])
  const toggleTheme = useCallback(() => setTheme((t) => (t === 'dark' ? 'light' : 'dark')), [])
  return { theme, toggleTheme }
}
