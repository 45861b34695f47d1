import { h } from '../../ui/dom.ts';

/** The product page's "Recommended Configurations", condensed. */
const RECOMMENDATIONS = [
  ['Early-stage startup / MVP', 'On', '30–60 days'],
  ['Established SaaS product', 'On', '90–120 days'],
  ['Desktop / on-premises software', 'On, with opt-out', '180–365 days'],
  ['Enterprise B2B software', 'On, with customer consent', '365 days'],
  ['Regulated industry (healthcare, finance)', 'Off, or On with strict controls', '30–60 days'],
  ['Internal / trial products', 'Off internal, On for trials', '30 days'],
] as const;

export function recommendedConfigurations(): HTMLElement {
  return h(
    'section',
    { className: 'card', 'aria-labelledby': 'recommended-title' },
    h('h2', { id: 'recommended-title' }, 'Recommended configurations'),
    h(
      'table',
      { className: 'data-table compact' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'Telemetry'), h('th', { scope: 'col' }, 'Storage'))),
      h(
        'tbody',
        null,
        RECOMMENDATIONS.map(([product, telemetry, storage]) => h('tr', null, h('th', { scope: 'row' }, product), h('td', null, telemetry), h('td', { className: 'nowrap' }, storage))),
      ),
    ),
    h('p', { className: 'hint' }, 'Start with 90 days and extend only with a clear analytical need. Shorter retention lowers storage cost and privacy risk (GDPR data minimization).'),
  );
}
