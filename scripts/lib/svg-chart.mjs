// A small line chart as SVG text: numeric x and y axes with ticks, one
// polyline per series (points marked and labelled), dashed horizontal target
// lines (their value marked on the y axis), a legend below the plot. White
// background; sized by viewBox so it scales.

/** Chart size in SVG user units (px at 1:1). */
const W = 800;
const H = 520;
/** Margins; the bottom one holds the x-axis title and the legend below it. */
const M = { left: 70, right: 40, top: 40, bottom: 110 };
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A white outline behind text, so labels stay legible where they cross lines. */
const HALO = 'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"';
const fmt = (v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toFixed(2))));

/** Tick step of about `max / count` rounded to 1, 2 or 5 times a power of ten. */
function niceStep(max, count) {
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

/**
 * @param o.title   text above the plot
 * @param o.xLabel  o.yLabel axis titles
 * @param o.series  [{ label, color, points: [[x, y], ...] }]
 * @param o.targets [{ label, color, y }] drawn dashed across the plot
 */
export function lineChart({ title, xLabel, yLabel, series, targets = [] }) {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = [...series.flatMap((s) => s.points.map(([, y]) => y)), ...targets.map((t) => t.y)];
  const xStep = niceStep(Math.max(1, ...xs), 5);
  const xMax = Math.ceil(Math.max(1, ...xs) / xStep) * xStep;
  // 10% headroom above the highest point or target, so labels stay inside.
  const yStep = niceStep(Math.max(1, ...ys) * 1.1, 6);
  const yMax = Math.ceil((Math.max(1, ...ys) * 1.1) / yStep) * yStep;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (x) => M.left + (x / xMax) * pw;
  const py = (y) => M.top + ph - (y / yMax) * ph;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ${FONT}>`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="17" font-weight="bold" fill="#222">${esc(title)}</text>`,
  );
  // Grid and ticks.
  for (let y = 0; y <= yMax + yStep / 1e6; y += yStep) {
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${py(y)}" y2="${py(y)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${M.left - 8}" y="${py(y) + 4}" text-anchor="end" font-size="12" fill="#333">${fmt(y)}</text>`);
  }
  for (let x = 0; x <= xMax + xStep / 1e6; x += xStep) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#333"/>`);
    out.push(
      `<text x="${px(x)}" y="${M.top + ph + 20}" text-anchor="middle" font-size="12" fill="#333">${fmt(x)}</text>`,
    );
  }
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(
    `<text x="${M.left + pw / 2}" y="${M.top + ph + 42}" text-anchor="middle" font-size="14" fill="#222">${esc(xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="14" fill="#222">${esc(yLabel)}</text>`,
  );
  for (const t of targets) {
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${py(t.y)}" y2="${py(t.y)}" stroke="${t.color}" stroke-width="1.5" stroke-dasharray="7 5"/>`,
    );
    out.push(
      `<text x="${M.left - 8}" y="${py(t.y) + 4}" text-anchor="end" font-size="12" font-weight="bold" fill="${t.color}" ${HALO}>${fmt(t.y)}</text>`,
    );
  }
  for (const s of series) {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2.5" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const [x, y] of pts) {
      // Labels go right of their point, or left of it near the right edge.
      const left = px(x) > M.left + pw - 60;
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="4" fill="${s.color}"/>`);
      out.push(
        `<text x="${(px(x) + (left ? -8 : 8)).toFixed(1)}" y="${(py(y) - 8).toFixed(1)}" text-anchor="${left ? 'end' : 'start'}" font-size="12" fill="${s.color}" ${HALO}>${fmt(y)} s</text>`,
      );
    }
  }
  // Legend below the x-axis title, two entries a row.
  const entries = [...series.map((x) => ({ ...x, dashed: false })), ...targets.map((t) => ({ ...t, dashed: true }))];
  entries.forEach((e, i) => {
    const lx = M.left + (i % 2) * (pw / 2);
    const ly = M.top + ph + 66 + Math.floor(i / 2) * 20;
    out.push(
      `<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${e.color}" stroke-width="${e.dashed ? 1.5 : 2.5}"${e.dashed ? ' stroke-dasharray="7 5"' : ''}/>`,
    );
    out.push(`<text x="${lx + 36}" y="${ly + 4}" font-size="12" fill="#222">${esc(e.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
