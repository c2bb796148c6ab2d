/** Ground-truth editing: the mode's state, its canvas tools and panels, and the original | corrected switch. */
import './gt.css'
export { GtBanner, GtPanel } from './GtPanel'
export { GtSwitch } from './GtSwitch'
export { useGtCanvas } from './useGtCanvas'
export { useGtEditing } from './useGtEditing'
export { useGtView } from './useGtView'
