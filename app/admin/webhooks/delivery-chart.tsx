import { DELIVERY_OUTCOMES, type DeliveryOutcome, type HourlyDeliveries } from '@/lib/admin/get-delivery-chart';
import styles from './delivery-chart.module.css';

// Drawn on the server as plain SVG: no script, readable with JavaScript off, and a table for the numbers.
const WIDTH = 760;
const HEIGHT = 250;
const MARGIN = { top: 12, right: 12, bottom: 46, left: 52 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;

const hourLabel = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
const dayLabel = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const number = new Intl.NumberFormat('en-US');

const total = (hour: HourlyDeliveries) => DELIVERY_OUTCOMES.reduce((sum, outcome) => sum + hour[outcome], 0);
const when = (date: Date) => `${dayLabel.format(date)}, ${hourLabel.format(date)}`;

/** A round axis maximum and step (1, 2 or 5 times a power of ten) for about four grid lines. */
function axisSteps(max: number): { top: number; step: number } {
  if (max <= 4) return { top: 4, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  return { top: Math.ceil(max / step) * step, step };
}

/** Which hours get a tick label: every third hour over a day, each midnight (UTC) over a week. */
function tickLabel(hour: Date, span: number): string | null {
  if (span <= 48) return hour.getUTCHours() % 3 === 0 ? hourLabel.format(hour) : null;
  return hour.getUTCHours() === 0 ? dayLabel.format(hour) : null;
}

export function DeliveryChart({ id, title, hours }: { id: string; title: string; hours: HourlyDeliveries[] }) {
  const sumOf = (outcome: DeliveryOutcome) => hours.reduce((sum, hour) => sum + hour[outcome], 0);
  const busiest = hours.reduce<HourlyDeliveries | null>((best, hour) => (total(hour) > (best ? total(best) : 0) ? hour : best), null);
  const { top, step } = axisSteps(busiest ? total(busiest) : 0);
  const slot = PLOT_WIDTH / Math.max(hours.length, 1);
  const barWidth = Math.max(slot * 0.78, 1);
  const y = (value: number) => MARGIN.top + PLOT_HEIGHT - (value / top) * PLOT_HEIGHT;
  const ticks = Array.from({ length: top / step + 1 }, (_, i) => i * step);
  const first = hours[0];
  const last = hours.at(-1);
  const span = first && last ? `from ${when(first.hour)} to ${when(last.hour)} UTC` : '';
  const summary = DELIVERY_OUTCOMES.map((outcome) => `${number.format(sumOf(outcome))} ${outcome}`).join(', ');
  const description = busiest
    ? `Stacked bars, one per hour, ${span}. In all: ${summary}. Busiest hour: ${when(busiest.hour)} UTC with ${number.format(total(busiest))} deliveries.`
    : `No deliveries ${span}.`;

  return (
    <section className={styles.chart} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      <svg className={styles.svg} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{`${title}, by outcome`}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line className={styles.grid} x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
            <text x={MARGIN.left - 6} y={y(tick) + 4} textAnchor="end">
              {number.format(tick)}
            </text>
          </g>
        ))}
        {hours.map((hour, index) => {
          const x = MARGIN.left + index * slot + (slot - barWidth) / 2;
          let base = 0;
          const label = tickLabel(hour.hour, hours.length);
          return (
            <g key={hour.hour.toISOString()}>
              <title>{`${when(hour.hour)} UTC: ${DELIVERY_OUTCOMES.map((outcome) => `${hour[outcome]} ${outcome}`).join(', ')}`}</title>
              {DELIVERY_OUTCOMES.map((outcome) => {
                const value = hour[outcome];
                if (!value) return null;
                const rect = (
                  <rect
                    key={outcome}
                    className={styles[outcome]}
                    x={x}
                    width={barWidth}
                    y={y(base + value)}
                    height={y(base) - y(base + value)}
                  />
                );
                base += value;
                return rect;
              })}
              {label ? (
                <>
                  <line
                    className={styles.axis}
                    x1={x + barWidth / 2}
                    x2={x + barWidth / 2}
                    y1={MARGIN.top + PLOT_HEIGHT}
                    y2={MARGIN.top + PLOT_HEIGHT + 4}
                  />
                  <text x={x + barWidth / 2} y={MARGIN.top + PLOT_HEIGHT + 16} textAnchor="middle">
                    {label}
                  </text>
                </>
              ) : null}
            </g>
          );
        })}
        <line
          className={styles.axis}
          x1={MARGIN.left}
          x2={WIDTH - MARGIN.right}
          y1={MARGIN.top + PLOT_HEIGHT}
          y2={MARGIN.top + PLOT_HEIGHT}
        />
        <line className={styles.axis} x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={MARGIN.top + PLOT_HEIGHT} />
        <text className={styles.axisTitle} x={MARGIN.left + PLOT_WIDTH / 2} y={HEIGHT - 6} textAnchor="middle">
          Hour (UTC)
        </text>
        <text className={styles.axisTitle} transform={`translate(14 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)`} textAnchor="middle">
          Deliveries per hour
        </text>
      </svg>
      <ul className={styles.legend} aria-label={`Legend, ${title.toLowerCase()}`}>
        {DELIVERY_OUTCOMES.map((outcome) => (
          <li key={outcome}>
            <span className={`${styles.swatch} ${styles[outcome]}`} aria-hidden="true" />
            {outcome} <strong data-testid={`${id}-total-${outcome}`}>{number.format(sumOf(outcome))}</strong>
          </li>
        ))}
      </ul>
      <details className={styles.details}>
        <summary>{`Table: ${title.toLowerCase()}`}</summary>
        <table>
          <caption>{`${title}, by outcome (hours in UTC)`}</caption>
          <thead>
            <tr>
              <th scope="col">Hour (UTC)</th>
              {DELIVERY_OUTCOMES.map((outcome) => (
                <th key={outcome} scope="col">
                  {outcome}
                </th>
              ))}
              <th scope="col">total</th>
            </tr>
          </thead>
          <tbody>
            {hours.map((hour) => (
              <tr key={hour.hour.toISOString()}>
                <th scope="row">
                  <time dateTime={hour.hour.toISOString()}>{when(hour.hour)}</time>
                </th>
                {DELIVERY_OUTCOMES.map((outcome) => (
                  <td key={outcome}>{number.format(hour[outcome])}</td>
                ))}
                <td>{number.format(total(hour))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
