export { ReasonPanel } from './ReasonPanel'
