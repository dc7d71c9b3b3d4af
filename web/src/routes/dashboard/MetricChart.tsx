/**
 * One metric over a timeframe as a uPlot line chart (a point per completed run) with the alert
 * rules' warning and critical thresholds as dashed horizontal lines, each labelled on the canvas.
 * uPlot and its CSS are loaded on first use (a chunk of their own, only on the metrics page).
 * Colours come from the page's CSS variables and follow the theme; the width follows the
 * container. The chart is an image with an accessible name; MetricTable gives the same points as
 * a table. `data-thresholds` on the chart lists the lines drawn (level, value, y in CSS pixels).
 */
import type uPlot from "uplot";
import { useEffect, useRef, useState } from "preact/hooks";
import { readChartColors, useColorSchemeVersion, type ChartColors } from "./chartTheme";
import { formatTick } from "./format";
import { errorText } from "./LoadState";
import { METRICS, type MetricName, type TrendPoint } from "./metricsApi";

/** Height of a chart, CSS pixels. */
export const CHART_HEIGHT = 200;

/** A threshold line. */
export interface ThresholdLine {
  level: "warning" | "critical";
  value: number;
  /** The rule's operator ("<", ">=", …). */
  operator: string;
  /** Label drawn beside the line, e.g. "critical < 0.75". */
  text: string;
}

/** Props of {@link MetricChart}. */
export interface MetricChartProps {
  metric: MetricName;
  points: readonly TrendPoint[];
  lines: readonly ThresholdLine[];
  /** The window, epoch ms. */
  from: number;
  to: number;
  /** Accessible name of the chart (what it shows and its latest value). */
  label: string;
}

type UPlotClass = typeof uPlot;
let uplotModule: Promise<UPlotClass> | undefined;

/** uPlot and its stylesheet, loaded once. */
function loadUplot(): Promise<UPlotClass> {
  uplotModule ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([m]) => m.default);
  uplotModule.catch(() => (uplotModule = undefined));
  return uplotModule;
}

function toData(points: readonly TrendPoint[]): uPlot.AlignedData {
  const timed = points.filter((p) => p.at !== null);
  return [timed.map((p) => Date.parse(p.at!) / 1000), timed.map((p) => (p.value === null || !Number.isFinite(p.value) ? null : p.value))];
}

/** The y range: 0..1 for a ratio, else 0 to a bit above the largest value or threshold. */
function yRange(metric: MetricName, points: readonly TrendPoint[], lines: readonly ThresholdLine[]): [number, number] {
  const def = METRICS[metric];
  if (def.unit === "ratio") return [0, 1];
  const values = [...points.map((p) => p.value ?? 0), ...lines.map((l) => l.value)].filter((v) => Number.isFinite(v));
  const top = Math.max(1, ...values);
  return [0, top * 1.1];
}

/** Draws the threshold lines over the plot; returns what was drawn (y in CSS pixels from the canvas top). */
function drawLines(u: uPlot, lines: readonly ThresholdLine[], colors: ChartColors): { level: string; value: number; y: number }[] {
  const ctx = u.ctx;
  const ratio = devicePixelRatio || 1;
  const { left, top, width, height } = u.bbox;
  const drawn: { level: string; value: number; y: number }[] = [];
  ctx.save();
  ctx.font = `${Math.round(12 * ratio)}px ${colors.font}`;
  // uPlot leaves the axes' text baseline on the context.
  ctx.textBaseline = "alphabetic";
  for (const line of lines) {
    const y = Math.round(u.valToPos(line.value, "y", true));
    if (y < top - 1 || y > top + height + 1) continue;
    const color = line.level === "critical" ? colors.critical : colors.warning;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2 * ratio;
    ctx.setLineDash(line.level === "critical" ? [10 * ratio, 4 * ratio] : [4 * ratio, 4 * ratio]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    // Warning labels on the left, critical ones on the right: close thresholds do not overprint.
    const textY = y - top < 16 * ratio ? y + 14 * ratio : y - 5 * ratio;
    const atRight = line.level === "critical";
    ctx.textAlign = atRight ? "right" : "left";
    ctx.fillText(line.text, atRight ? left + width - 6 * ratio : left + 6 * ratio, textY);
    drawn.push({ level: line.level, value: line.value, y: y / ratio });
  }
  ctx.restore();
  return drawn;
}

function options(metric: MetricName, width: number, colors: ChartColors, current: { current: MetricChartProps }, host: HTMLElement): uPlot.Options {
  const font = `12px ${colors.font}`;
  const axis = { stroke: colors.muted, font, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
  return {
    width,
    height: CHART_HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: () => [current.current.from / 1000, current.current.to / 1000] },
      y: { range: () => yRange(metric, current.current.points, current.current.lines) },
    },
    axes: [axis, { ...axis, size: 56, values: (_u, splits) => splits.map((v) => formatTick(metric, v)) }],
    series: [{}, { label: metric, stroke: colors.series, width: 2, points: { show: true, size: 7, fill: colors.series, stroke: colors.series } }],
    hooks: {
      draw: [
        (u) => {
          host.dataset.thresholds = JSON.stringify(drawLines(u, current.current.lines, colors));
        },
      ],
    },
  };
}

/** The chart, or a message when uPlot could not be loaded. */
export function MetricChart(props: MetricChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const current = useRef(props);
  current.current = props;
  const scheme = useColorSchemeVersion();
  const [failure, setFailure] = useState<string | null>(null);

  // Created on mount and again when the theme changes (the colours are part of the options).
  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    loadUplot().then(
      (UPlot) => {
        const el = host.current;
        if (cancelled || !el) return;
        setFailure(null);
        const u = new UPlot(options(props.metric, el.clientWidth, readChartColors(el), current, el), toData(current.current.points), el);
        chart.current = u;
        observer = new ResizeObserver(() => {
          const w = el.clientWidth;
          if (w > 0 && w !== u.width) u.setSize({ width: w, height: CHART_HEIGHT });
        });
        observer.observe(el);
      },
      (e) => !cancelled && setFailure(errorText(e)),
    );
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [props.metric, scheme]);

  // New data (a refresh): redraw in place, no flicker.
  useEffect(() => {
    chart.current?.setData(toData(props.points));
  }, [props.points, props.lines, props.from, props.to]);

  return (
    <>
      <div class="metric-chart" ref={host} role="img" aria-label={props.label} data-metric={props.metric} />
      {failure && (
        <p class="alert" role="alert">
          The chart could not be drawn: {failure}. The table below has the same points.
        </p>
      )}
    </>
  );
}
