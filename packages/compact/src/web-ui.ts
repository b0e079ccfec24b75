// The bucket UI: one self-contained HTML page (inline SVG, CSS and a few lines of script,
// nothing fetched from elsewhere) with a timeline of blocks per group and resolution.
import type { FastifyInstance } from 'fastify';
import type { BlockView, BucketView, GroupView } from './bucket-view';
import { formatLabelSet } from './groups';

const WIDTH = 1200;
const LEFT = 10;
const PLOT_WIDTH = WIDTH - 2 * LEFT;
const LANE_HEIGHT = 18;
const LANE_GAP = 4;
const HEADER_HEIGHT = 34;
const AXIS_HEIGHT = 28;
/** Bar colours by compaction level (1, 2, 3, 4, 5+). */
const LEVEL_COLOURS = ['#7fb3d5', '#2e86c1', '#1e8449', '#b7950b', '#6c3483'];
const QUARANTINE_COLOUR = '#c0392b';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function resolutionName(res: number): string {
  return res === 0 ? 'raw' : res % 3_600_000 === 0 ? `${res / 3_600_000}h` : `${res / 60_000}m`;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Lanes so that overlapping blocks of one group are drawn one under the other. */
function assignLanes(blocks: readonly BlockView[]): number[] {
  const laneEnds: number[] = [];
  return blocks.map((b) => {
    let lane = laneEnds.findIndex((end) => end <= b.minTime);
    if (lane < 0) lane = laneEnds.push(b.maxTime) - 1;
    else laneEnds[lane] = b.maxTime;
    return lane;
  });
}

function levelColour(level: number): string {
  return LEVEL_COLOURS[Math.min(Math.max(level, 1), LEVEL_COLOURS.length) - 1];
}

function blockTooltip(b: BlockView): string {
  const lines = [
    `ULID: ${b.ulid}`,
    `${isoTime(b.minTime)} – ${isoTime(b.maxTime)}`,
    `level ${b.level}, source ${b.source || '-'}`,
    `${b.numSeries} series, ${b.numSamples} samples, ${b.numChunks} chunks`,
    `labels ${formatLabelSet(b.labels)}`,
  ];
  if (b.deletionTime !== undefined) lines.push(`marked for deletion at ${isoTime(b.deletionTime * 1000)}`);
  if (b.noCompactReason) lines.push(`no-compact: ${b.noCompactReason}`);
  return lines.join('\n');
}

function groupSvg(g: GroupView, x: (t: number) => number): string {
  const lanes = assignLanes(g.blocks);
  const laneCount = Math.max(1, ...lanes.map((l) => l + 1));
  const height = laneCount * (LANE_HEIGHT + LANE_GAP) + LANE_GAP;
  const bars = g.blocks
    .map((b, i) => {
      const x0 = x(b.minTime);
      const w = Math.max(2, x(b.maxTime) - x0);
      const y = LANE_GAP + lanes[i] * (LANE_HEIGHT + LANE_GAP);
      const fill = g.quarantine !== undefined ? QUARANTINE_COLOUR : levelColour(b.level);
      const faded = b.deletionTime !== undefined ? ' opacity="0.35"' : '';
      return (
        `<rect class="block" data-ulid="${b.ulid}" data-level="${b.level}" data-tip="${esc(blockTooltip(b))}" ` +
        `x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${LANE_HEIGHT}" rx="2" fill="${fill}" stroke="#222" stroke-width="0.5"${faded}>` +
        `<title>${esc(blockTooltip(b))}</title></rect>`
      );
    })
    .join('');
  return `<svg class="timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">${bars}</svg>`;
}

function axisSvg(mint: number, maxt: number, x: (t: number) => number): string {
  const ticks: string[] = [];
  const n = 6;
  for (let i = 0; i <= n; i++) {
    const t = mint + ((maxt - mint) * i) / n;
    const px = x(t);
    const anchor = i === 0 ? 'start' : i === n ? 'end' : 'middle';
    ticks.push(
      `<line x1="${px}" y1="0" x2="${px}" y2="6" stroke="#555"/>` +
        `<text x="${px}" y="20" font-size="11" text-anchor="${anchor}" fill="#333">${esc(isoTime(Math.round(t)).slice(0, 16).replace('T', ' '))}</text>`,
    );
  }
  return `<svg class="axis" width="${WIDTH}" height="${AXIS_HEIGHT}"><line x1="${LEFT}" y1="0" x2="${WIDTH - LEFT}" y2="0" stroke="#555"/>${ticks.join('')}</svg>`;
}

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:16px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 8px}
.meta{color:#555;font-size:13px;margin-bottom:12px}
.group{background:#fff;border:1px solid #ddd;border-radius:4px;margin:10px 0;padding:6px 0}
.group.quarantined{border:2px solid ${QUARANTINE_COLOUR};background:#fdecea}
.group h2{font-size:14px;margin:0 ${LEFT}px 4px;font-weight:600;min-height:${HEADER_HEIGHT - 14}px}
.group .err{color:${QUARANTINE_COLOUR};font-weight:700;font-size:13px;margin:0 ${LEFT}px 4px}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:3px;color:#fff;font-size:12px}
.problems{color:${QUARANTINE_COLOUR};font-size:13px}
#tip{position:fixed;display:none;background:#222;color:#fff;padding:6px 8px;border-radius:4px;font:12px monospace;white-space:pre;pointer-events:none;z-index:10}
rect.block:hover{stroke-width:2}
`;

const SCRIPT = `
const tip=document.getElementById('tip');
document.addEventListener('mousemove',e=>{const t=e.target;if(t instanceof SVGRectElement&&t.dataset.tip){tip.textContent=t.dataset.tip;tip.style.display='block';tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px';}else{tip.style.display='none';}});
`;

/** The complete bucket page. */
export function renderBucketPage(view: BucketView, title = 'thanos-ts bucket'): string {
  const all = view.groups.flatMap((g) => g.blocks);
  const mint = all.length ? Math.min(...all.map((b) => b.minTime)) : 0;
  const maxt = all.length ? Math.max(...all.map((b) => b.maxTime)) : 1;
  const span = Math.max(1, maxt - mint);
  const x = (t: number) => LEFT + ((t - mint) / span) * PLOT_WIDTH;
  const legend =
    LEVEL_COLOURS.map(
      (c, i) => `<span style="background:${c}">level ${i + 1}${i === LEVEL_COLOURS.length - 1 ? '+' : ''}</span>`,
    ).join('') +
    `<span style="background:${QUARANTINE_COLOUR}">quarantined group</span><span style="background:#999;opacity:.5">marked for deletion</span>`;
  const groups = view.groups
    .map((g) => {
      const q = g.quarantine !== undefined;
      return (
        `<section class="group${q ? ' quarantined' : ''}" data-group="${esc(g.key)}">` +
        `<h2>${esc(formatLabelSet(g.labels))} · resolution ${resolutionName(g.resolution)} · ${g.blocks.length} blocks · <code>${esc(g.key)}</code></h2>` +
        (q ? `<div class="err">QUARANTINED (compaction stopped for this group): ${esc(g.quarantine!)}</div>` : '') +
        groupSvg(g, x) +
        `</section>`
      );
    })
    .join('\n');
  const problems = [
    ...(view.halted ? [`Compactor halted: ${view.halted}`] : []),
    ...view.partial.map((id) => `Block ${id} has no meta.json (partial upload or deletion in progress)`),
    ...view.corrupted.map((c) => `Block ${c.id} skipped: ${c.error}`),
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<div class="meta">${all.length} blocks in ${view.groups.length} groups · ${all.length ? `${esc(isoTime(mint))} – ${esc(isoTime(maxt))}` : 'empty bucket'} · generated ${esc(isoTime(view.generatedAt))}</div>
<div class="legend">${legend}</div>
${problems.length ? `<ul class="problems">${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''}
${all.length ? axisSvg(mint, maxt, x) : ''}
${groups}
<div id="tip"></div>
<script>${SCRIPT}</script>
</body></html>
`;
}

/** Registers `/` (the page) and `/api/v1/blocks` (the same data as JSON). */
export function registerBucketUi(app: FastifyInstance, view: () => Promise<BucketView>, title?: string): void {
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(renderBucketPage(await view(), title)),
  );
  app.get('/api/v1/blocks', async (_req, reply) => reply.send({ status: 'success', data: await view() }));
}
