/**
 * Which ground truth an export writes: the imported original, or the corrected revision where a sample
 * has one; and which samples `--exclude-flagged` leaves out.
 */
import type { Rle } from '../../../shared/domain/rle'
import { fromCoco } from '../../../shared/domain/rle'
import type { Db } from '../../store/project'

export const GT_VERSIONS = ['original', 'corrected'] as const
export type GtVersion = (typeof GT_VERSIONS)[number]

export interface ExportGt {
  mask: Rle
  ignore: Rle | null
}

export interface GtSampleRow {
  id: number
  width: number
  height: number
  gt_rle: string
  ignore_rle: string | null
}

export interface GtSource {
  read(row: GtSampleRow): ExportGt
  isExcluded(sampleId: number): boolean
}

export function gtSource(_db: Db, which: GtVersion, excludeFlagged: boolean): GtSource {
  if (which === 'corrected' || excludeFlagged) {
    throw new Error(
      `${which === 'corrected' ? '--gt corrected' : '--exclude-flagged'} needs ground-truth revisions, which this project version does not store yet`,
    )
  }
  const size = (r: GtSampleRow): [number, number] => [r.height, r.width]
  return {
    read: (r) => ({
      mask: fromCoco({ size: size(r), counts: r.gt_rle }),
      ignore: r.ignore_rle === null ? null : fromCoco({ size: size(r), counts: r.ignore_rle }),
    }),
    isExcluded: () => false,
  }
}
