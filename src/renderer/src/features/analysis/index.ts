/** The analysis feature's public face: the view the app mounts in its analysis slot. */
export { AnalysisView } from './AnalysisView'
