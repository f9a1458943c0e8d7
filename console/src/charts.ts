/**
 * Charts of the console, drawn by Chart.js (bundled by esbuild; nothing is loaded at run time).
 * One chart per canvas: drawing again destroys the previous one.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

const charts = new WeakMap<HTMLCanvasElement, Chart>();

export interface Series {
  labels: string[];
  values: number[];
  /** Shown in the tooltip. */
  label: string;
  kind: 'bar' | 'hbar' | 'line';
  /** Formats an axis value or tooltip value (durations as h:mm:ss). */
  formatValue?: (value: number) => string;
}

export function drawChart(canvas: HTMLCanvasElement, series: Series): Chart {
  charts.get(canvas)?.destroy();
  const horizontal = series.kind === 'hbar';
  const valueAxis = horizontal ? 'x' : 'y';
  const format = series.formatValue ?? ((v: number) => String(v));
  const chart = new Chart(canvas, {
    type: series.kind === 'line' ? 'line' : 'bar',
    data: {
      labels: series.labels,
      datasets: [
        {
          label: series.label,
          data: series.values,
          backgroundColor: '#2f6fb3',
          borderColor: '#2f6fb3',
          pointRadius: 2,
        },
      ],
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => `${series.label}: ${format(Number(item.raw))}` } },
      },
      scales: {
        [valueAxis]: { beginAtZero: true, ticks: { callback: (value) => format(Number(value)) } },
      },
    },
  });
  charts.set(canvas, chart);
  return chart;
}
