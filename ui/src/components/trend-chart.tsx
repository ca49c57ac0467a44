/**
 * Reports per day as bars (uPlot draws on a canvas and styles through the CSSOM, so a strict
 * CSP holds). Days without reports are filled in as zeros; short histories get a 14-day axis.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

const DAY_S = 86_400;
const MIN_DAYS = 14;
const HEIGHT = 220;

/** `perDay` as uPlot's aligned columns: one x (seconds) per calendar day, UTC */
export function dailySeries(perDay: ReadonlyArray<{ day: string; count: number }>) {
  const counts = new Map(perDay.map((p) => [Date.parse(`${p.day}T00:00:00Z`) / 1000, p.count]));
  const days = [...counts.keys()].sort((a, b) => a - b);
  const last = days.at(-1) ?? Math.floor(Date.now() / 1000 / DAY_S) * DAY_S;
  const first = Math.min(days[0] ?? last, last - (MIN_DAYS - 1) * DAY_S);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let t = first; t <= last; t += DAY_S) {
    xs.push(t);
    ys.push(counts.get(t) ?? 0);
  }
  return { xs, ys };
}

function describe(perDay: ReadonlyArray<{ day: string; count: number }>): string {
  if (perDay.length === 0) return "No reports per day to show.";
  const peak = perDay.reduce((best, p) => (p.count > best.count ? p : best));
  const total = perDay.reduce((sum, p) => sum + p.count, 0);
  return `${total} reports on ${perDay.length} days from ${perDay[0]?.day} to ${perDay.at(-1)?.day}; at most ${peak.count} on ${peak.day}.`;
}

const ink = { axis: "#5b6474", grid: "#e7eaf0", bar: "#3461c1", fill: "rgba(52, 97, 193, 0.78)" };

export function TrendChart({ perDay }: { perDay: ReadonlyArray<{ day: string; count: number }> }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const { xs, ys } = dailySeries(perDay);
    const axis = {
      stroke: ink.axis,
      grid: { stroke: ink.grid, width: 1 },
      ticks: { stroke: ink.grid, width: 1 },
      font: "12px system-ui, sans-serif",
    };
    const plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: {
          x: { time: true, range: (_u, lo, hi) => [lo - DAY_S / 2, hi + DAY_S / 2] },
          y: { range: (_u, _lo, hi) => [0, Math.max(4, Math.ceil(hi * 1.15))] },
        },
        axes: [
          { ...axis, space: 60 },
          {
            ...axis,
            size: 44,
            // whole reports only
            incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000],
            values: (_u, splits) => splits.map((v) => v.toLocaleString("en-US")),
          },
        ],
        series: [
          {},
          {
            label: "reports",
            stroke: ink.bar,
            fill: ink.fill,
            width: 1,
            paths: uPlot.paths.bars?.({ size: [0.7, 28], align: 0 }),
            points: { show: false },
          },
        ],
      },
      [xs, ys],
      element,
    );
    const resize = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [perDay]);
  return (
    <figure class="trend">
      <div ref={box} class="chart" role="img" aria-label={describe(perDay)} data-chart />
      <figcaption class="muted small">{describe(perDay)}</figcaption>
    </figure>
  );
}
