/** Cost against fleet size, both designs, as SVG (log-log) and an HTML page around it. */
export interface SeriesPoint {
  pcs: number;
  oplake: number;
  legacy: number;
}

const W = 760;
const H = 420;
const M = { left: 80, right: 170, top: 40, bottom: 50 };

export function costChartSvg(points: readonly SeriesPoint[], title: string): string {
  const xs = points.map((p) => p.pcs);
  const ys = points.flatMap((p) => [p.oplake, p.legacy]).filter((y) => y > 0);
  const [x0, x1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs))];
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  const px = (x: number) => M.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const path = (key: 'oplake' | 'legacy') =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.pcs).toFixed(1)},${py(p[key]).toFixed(1)}`).join(' ');
  const grid: string[] = [];
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    grid.push(
      `<line x1="${M.left}" y1="${y}" x2="${W - M.right}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end">$${(10 ** e).toLocaleString('en-US')}</text>`,
    );
  }
  for (const x of xs) {
    grid.push(
      `<text x="${px(x)}" y="${H - M.bottom + 18}" text-anchor="middle">${x >= 1000 ? `${x / 1000}k` : x}</text>`,
    );
  }
  const last = points[points.length - 1];
  const label = (key: 'oplake' | 'legacy', text: string, color: string) =>
    last ? `<text x="${px(last.pcs) + 8}" y="${py(last[key]) + 4}" fill="${color}">${text}</text>` : '';
  const dots = (key: 'oplake' | 'legacy', color: string) =>
    points.map((p) => `<circle cx="${px(p.pcs)}" cy="${py(p[key])}" r="3" fill="${color}"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<text x="${M.left}" y="22" font-weight="bold" font-size="14">${escapeXml(title)}</text>
${grid.join('\n')}
<path d="${path('legacy')}" fill="none" stroke="#d9534f" stroke-width="2"/>${dots('legacy', '#d9534f')}
<path d="${path('oplake')}" fill="none" stroke="#2f7ed8" stroke-width="2"/>${dots('oplake', '#2f7ed8')}
${label('legacy', '2020 design', '#d9534f')}
${label('oplake', 'oplake', '#2f7ed8')}
<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">PCs (log scale)</text>
<text x="16" y="${(H - M.bottom + M.top) / 2}" transform="rotate(-90 16 ${(H - M.bottom + M.top) / 2})" text-anchor="middle">USD a month (log scale)</text>
</svg>
`;
}

export function costPageHtml(svg: string, tables: readonly string[], title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
</head><body><h1>${escapeXml(title)}</h1>
${svg}
${tables.map((t) => `<pre>${escapeXml(t)}</pre>`).join('\n')}
</body></html>
`;
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
