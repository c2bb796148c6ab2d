import './segmentRun.css'
export { SegmentRunButton } from './SegmentRunButton'
export { usePrepareSample, useSegmentRun } from './useSegmentRun'
