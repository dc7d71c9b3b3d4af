/**
 * Colours of the metric charts from the page's CSS variables (styles.css), so a canvas follows the
 * light and dark themes like the rest of the page, and a hook that changes whenever the theme
 * does (the user's choice on <html data-theme>, or the system's scheme).
 */
import { useEffect, useState } from "preact/hooks";

/** Resolved colours (rgb() strings) and the font of a chart. */
export interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  series: string;
  warning: string;
  critical: string;
  /** CSS font-family of the page. */
  font: string;
}

/**
 * Reads the colours under `host`. The variables hold `light-dark(…)` pairs, which
 * getPropertyValue returns unresolved; a probe element's computed `color` resolves them for the
 * current scheme. The probe's style is set through the CSSOM, which the page's CSP allows.
 */
export function readChartColors(host: HTMLElement): ChartColors {
  const probe = document.createElement("span");
  probe.hidden = true;
  host.appendChild(probe);
  const read = (variable: string) => {
    probe.style.color = `var(${variable})`;
    return getComputedStyle(probe).color;
  };
  try {
    return {
      text: read("--text"),
      muted: read("--muted"),
      grid: read("--border"),
      series: read("--accent"),
      warning: read("--muted"),
      critical: read("--danger"),
      font: getComputedStyle(host).fontFamily || "sans-serif",
    };
  } finally {
    probe.remove();
  }
}

/** A number that changes whenever the colour scheme of the page may have changed. */
export function useColorSchemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const media = matchMedia("(prefers-color-scheme: dark)");
    media.addEventListener("change", bump);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    return () => {
      media.removeEventListener("change", bump);
      observer.disconnect();
    };
  }, []);
  return version;
}
