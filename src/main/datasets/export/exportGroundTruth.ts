/**
 * Which ground truth an export writes: the imported original, or the corrected revision where a sample
 * has one (gt-core's `readGroundTruth`); and which samples `--exclude-flagged` leaves out.
 */
import type { GtWhich } from '../../../shared/contract/gt'
import type { Rle } from '../../../shared/domain/rle'
import { flaggedSampleIds, readGroundTruth } from '../../store/groundTruth'
import type { Db } from '../../store/project'

export interface ExportGt {
  /** The sample mask: the union of its objects. */
  mask: Rle
  ignore: Rle | null
  revised: boolean
}

export interface GtSource {
  read(sampleId: number): ExportGt
  isExcluded(sampleId: number): boolean
}

export function gtSource(db: Db, datasetId: number, which: GtWhich, excludeFlagged: boolean): GtSource {
  const flagged = excludeFlagged ? flaggedSampleIds(db, datasetId) : new Set<number>()
  return {
    read: (sampleId) => {
      const g = readGroundTruth(db, sampleId, which)
      return { mask: g.mask, ignore: g.ignore, revised: g.revised }
    },
    isExcluded: (sampleId) => flagged.has(sampleId),
  }
}
