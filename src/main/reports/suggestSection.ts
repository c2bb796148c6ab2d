/**
 * The report section on suggested failure tags: how many failures are confirmed and with which tags, the
 * share still unreviewed, the agreement matrix of proposed × confirmed tags (so the rules can be trusted,
 * or tuned, with numbers) and the thresholds the proposals were made with. Proposals are brought up to
 * date first, as opening the run in the app does.
 */
import { escapeXml as h } from '../../shared/charts/svg'
import { DEFAULT_FAILURE_THRESHOLDS, type FailureThresholds } from '../../shared/domain/failureRules'
import type { Db } from '../store/project'
import { computeProposals } from '../suggest/proposals'
import { reviewSummary, type ReviewSummary } from '../suggest/review'

const pct = (v: number) => `${(v * 100).toFixed(1)}%`

export function suggestSection(db: Db, runId: number): string {
  computeProposals(db, runId)
  return renderSuggestSection(reviewSummary(db, runId))
}

export function renderSuggestSection(s: ReviewSummary): string {
  const head =
    '<section class="page" id="suggested-tags"><h2>Suggested failure tags</h2>' +
    `<p class="sub">Rules v${s.rulesVersion} propose a tag for each failure (IoU &lt; ${s.thresholds.failureIou}) from its masks, boxes and oracle run; ` +
    `the review confirms or corrects them. <span data-suggest-counts>${s.failures} failures: ${s.confirmed} confirmed, ${s.skipped} skipped, ` +
    `<b>${s.unreviewed} unreviewed (${pct(s.unreviewedShare)})</b>.</span></p>`
  const proposed =
    '<table data-suggest-proposed><tr><th>proposed tag</th><th class="num">failures</th></tr>' +
    s.proposed.map((r) => `<tr><td>${h(r.tag)}</td><td class="num">${r.n}</td></tr>`).join('') +
    '</table>'
  const confirmed = s.byConfirmedTag.length
    ? '<table data-suggest-confirmed><tr><th>confirmed tag</th><th class="num">samples</th></tr>' +
      s.byConfirmedTag.map((r) => `<tr><td>${h(r.tag)}</td><td class="num">${r.n}</td></tr>`).join('') +
      '</table>'
    : '<p class="sub">No proposal confirmed yet (Review tab of the app).</p>'
  const m = s.matrix
  const matrix =
    m.confirmed.length > 0
      ? `<h3>Agreement: proposed (rows) × confirmed (columns)${s.agreement != null ? ` — ${pct(s.agreement)} of confirmed samples kept the proposed tag` : ''}</h3>` +
        '<table data-suggest-matrix><tr><th></th>' +
        m.confirmed.map((c) => `<th class="num">${h(c)}</th>`).join('') +
        '</tr>' +
        m.proposed
          .map(
            (p, i) =>
              `<tr><th>${h(p)}</th>${m.counts[i]
                .map(
                  (n, j) =>
                    `<td class="num"${p === m.confirmed[j] ? ' style="font-weight:700"' : ''}>${n}</td>`,
                )
                .join('')}</tr>`,
          )
          .join('') +
        '</table>'
      : ''
  const thresholds =
    '<h3>Thresholds</h3><table data-suggest-thresholds><tr><th>threshold</th><th class="num">value</th><th class="num">default</th></tr>' +
    Object.entries(s.thresholds)
      .map(([k, v]) => {
        const d = DEFAULT_FAILURE_THRESHOLDS[k as keyof FailureThresholds]
        return `<tr><td>${h(k)}</td><td class="num">${v}${v !== d ? ' *' : ''}</td><td class="num">${d}</td></tr>`
      })
      .join('') +
    '</table>'
  return `${head}<div class="charts">${proposed}${confirmed}</div>${matrix}${thresholds}</section>`
}
