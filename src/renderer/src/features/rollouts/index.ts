export { RolloutStrip } from './RolloutStrip'
export { useRolloutView, type RolloutView } from './useRolloutView'
export { RolloutAnalysis } from './RolloutAnalysis'
