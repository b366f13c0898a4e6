/** The Graph transport's rows of the bench's table (bench/graph.ts, bench/graph-delivery.ts). */
import type { GraphBenchResult, GraphExact, GraphShapedResult } from './graph';
import type { GraphDeliveryResult } from './graph-delivery';
import type { ShapedLinkResult } from './shaped-link';
import { mb, sec } from './stats';
import { deliveryRows } from './watch-report';

export function graphRows(result: {
  graph?: GraphBenchResult;
  graphShaped?: GraphShapedResult;
  graphDelivery?: GraphDeliveryResult;
  shapedLink?: ShapedLinkResult;
}): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const g = result.graph;
  if (g)
    rows.push(
      [
        'graph mailbox (application access)',
        `${g.mailbox.count} messages`,
        `${mb(g.mailbox.bytes)}, loopback, no shaping`,
      ],
      [
        '  graph first sync',
        `min ${sec(g.firstSync.minMs)} / median ${sec(g.firstSync.medianMs)}`,
        `${g.firstSync.msgPerSec.toFixed(0)} msg/s, ${g.firstSync.mbPerSec.toFixed(1)} MB/s; ${once(g.exact)}`,
      ],
      [
        '  graph incremental +100',
        `${g.incremental.ms.toFixed(0)} ms runSync`,
        `account ${g.incremental.accountMs} ms, fetched ${g.incremental.fetched}, fresh process; ${once(g.incremental.exact)}`,
      ],
      [
        '  graph idle (nothing new)',
        `${g.idle.ms.toFixed(0)} ms runSync`,
        `account ${g.idle.accountMs} ms, fetched ${g.idle.fetched}; ${once(g.idle.exact)}`,
      ],
    );
  const s = result.graphShaped;
  if (s) {
    const imap = result.shapedLink?.product;
    const versus = imap
      ? `${(s.firstSync.msgPerSec / imap.msgPerSec).toFixed(2)}× the IMAP shaped product row (${imap.msgPerSec.toFixed(0)} msg/s)`
      : 'IMAP shaped row not in this run';
    rows.push(
      [
        `graph shaped link (${s.link.roundTripMs} ms, ${(s.link.bytesPerSecond / 1024 / 1024).toFixed(0)} MB/s per connection)`,
        `${s.mailbox.count} messages`,
        `${mb(s.mailbox.bytes)}, from empty, fresh database per run; shaper in front of the Graph stand-in`,
      ],
      [
        '  graph first sync (shaped)',
        `min ${sec(s.firstSync.minMs)} / median ${sec(s.firstSync.medianMs)}`,
        `${s.firstSync.msgPerSec.toFixed(0)} msg/s, ${s.firstSync.mbPerSec.toFixed(1)} MB/s; ${versus}; ${s.connections} connection(s); ${once(s.exact)}`,
      ],
    );
  }
  const d = result.graphDelivery;
  if (d) {
    const n = d.notifications;
    rows.push(
      ...deliveryRows(
        `graph delivery latency (${d.mailboxes} subscribed)`,
        d,
        'Graph change notifications to /api/v1/graph/notifications (next start)',
        `${d.subscribed}/${d.mailboxes} subscribed in ${sec(d.subscribeMs)}; ${n.posted} notifications, ${n.retried} retried, ${n.refused} never taken`,
      ),
    );
  }
  return rows;
}

function once(e: GraphExact): string {
  return `exactly once ${e.ok ? 'ok' : 'MISMATCH'} (${e.rows} rows, ${e.graphIds} Graph ids, ${e.sources} sources, expected ${e.expected})`;
}
