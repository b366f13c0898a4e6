import { getDb } from '@/lib/db';
import { countMessagesPerDay, type DailyCount } from '@/lib/db/queries/messages';
import { fillDailySeries, windowStart } from '@/lib/messages/daily-series';

const DAYS = 30;
const WIDTH = 600;
const HEIGHT = 140;
const BAR_GAP = 4;

function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

function summary(series: DailyCount[]): string {
  const total = series.reduce((sum, entry) => sum + entry.count, 0);
  if (total === 0) return `No messages received in the last ${DAYS} days.`;
  const busiest = series.reduce((best, entry) => (entry.count > best.count ? entry : best));
  return `${total.toLocaleString('en')} messages in the last ${DAYS} days; the busiest day was ${shortDay(busiest.day)} with ${busiest.count.toLocaleString('en')}.`;
}

/** Messages received per UTC day (by IMAP internal date) over the last 30 days: server-rendered SVG, no script. */
export async function MessagesChart({ accountId }: { accountId: string }) {
  const now = new Date();
  const series = fillDailySeries(
    await countMessagesPerDay(await getDb(), accountId, windowStart(now, DAYS)),
    now,
    DAYS,
  );
  const max = Math.max(1, ...series.map((entry) => entry.count));
  const slot = WIDTH / DAYS;
  const id = `messages-chart-${accountId}`;
  return (
    <figure className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT + 20}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="h-auto w-full"
      >
        {/* One string child: React hoists or hydrates a <title> with several children wrongly. */}
        <title id={`${id}-title`}>{`Messages received per day, last ${DAYS} days (UTC)`}</title>
        <desc id={`${id}-desc`}>{summary(series)}</desc>
        <line x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} className="stroke-slate-300" />
        {series.map((entry, index) => {
          const height = (entry.count / max) * (HEIGHT - 10);
          return (
            <rect
              key={entry.day}
              x={index * slot + BAR_GAP / 2}
              y={HEIGHT - height}
              width={slot - BAR_GAP}
              height={height}
              rx={2}
              className="fill-brand-600"
            >
              <title>{`${shortDay(entry.day)}: ${entry.count.toLocaleString('en')}`}</title>
            </rect>
          );
        })}
        <text x={0} y={HEIGHT + 16} className="fill-slate-600 text-[11px]">
          {shortDay(series[0]?.day ?? '')}
        </text>
        <text x={WIDTH} y={HEIGHT + 16} textAnchor="end" className="fill-slate-600 text-[11px]">
          {shortDay(series.at(-1)?.day ?? '')}
        </text>
        <text x={0} y={10} className="fill-slate-600 text-[11px]">
          {max.toLocaleString('en')}
        </text>
      </svg>
      <figcaption className="text-sm text-slate-600">{summary(series)}</figcaption>
      {/* In a hidden box: a table sizes to its content whatever its own width, and would widen a phone's page. */}
      <div className="sr-only">
        <table>
          <caption>{`Messages received per day, last ${DAYS} days (UTC)`}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Messages</th>
            </tr>
          </thead>
          <tbody>
            {series.map((entry) => (
              <tr key={entry.day}>
                <th scope="row">{entry.day}</th>
                <td>{entry.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
