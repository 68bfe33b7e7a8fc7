// The dashboard's pages: every figure comes from the JSON API (/api/v1/...), which calls the library. This file only
// reads the filter state from the URL, asks the API, and draws charts (echarts, served by the service itself) and
// tables. Filters live in the URL's query, so a view can be shared by its address.

const FILTERS = ['from', 'to', 'segment', 'campaign', 'campaignType'];
const PAGES = [
  ['overview', 'Overview'],
  ['behaviour', 'Click behaviour'],
  ['adspend', 'Ad spend'],
  ['segments', 'Segmentation & trends'],
];
const page = document.body.dataset.page;
const charts = [];

const params = () => new URLSearchParams(location.search);

function filterQuery(extra = {}) {
  const query = new URLSearchParams();
  const current = params();
  for (const name of FILTERS) {
    const value = current.get(name);
    if (value) query.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, value);
  }
  return query;
}

async function api(path, extra) {
  const query = filterQuery(extra).toString();
  const response = await fetch(`/api/v1/${path}${query ? '?' + query : ''}`);
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || `${path}: HTTP ${response.status}`);
  return body;
}

// ---- formatting -------------------------------------------------------------------------------------------------
const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const fmt = {
  int: (v) => (v === null || v === undefined ? '–' : integer.format(v)),
  num: (v) => (v === null || v === undefined ? '–' : decimal.format(v)),
  pct: (v) => (v === null || v === undefined ? '–' : `${decimal.format(100 * v)}%`),
  pct100: (v) => (v === null || v === undefined ? '–' : `${decimal.format(v)}%`),
  text: (v) => (v === null || v === undefined ? '' : String(v)),
};

function element(tag, attributes = {}, text) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, value);
  if (text !== undefined) e.textContent = text;
  return e;
}

// ---- building blocks --------------------------------------------------------------------------------------------
function kpis(containerId, items) {
  const container = document.getElementById(containerId);
  container.replaceChildren();
  for (const [key, label, value, format] of items) {
    const card = element('div', { class: 'kpi', 'data-kpi': key, 'data-value': value === null || value === undefined ? '' : String(value) });
    card.append(element('span', { class: 'label' }, label), element('span', { class: 'value' }, format(value)));
    container.append(card);
  }
}

/** A table with a CSV download of exactly the rows shown (raw values, not the formatted ones). */
function table(containerId, columns, rows, name) {
  const container = document.getElementById(containerId);
  container.replaceChildren();
  const t = element('table', { 'data-table': name });
  const head = element('tr');
  for (const [label] of columns) head.append(element('th', {}, label));
  t.append(element('thead'));
  t.tHead.append(head);
  const body = element('tbody');
  for (const row of rows) {
    const tr = element('tr');
    for (const [, value, format] of columns) tr.append(element('td', {}, (format || fmt.text)(value(row))));
    body.append(tr);
  }
  t.append(body);
  const download = element('button', { type: 'button', class: 'csv', 'data-csv': name }, 'Export CSV');
  download.addEventListener('click', () => {
    const quote = (v) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    };
    const lines = [columns.map(([label]) => quote(label)).join(',')];
    for (const row of rows) lines.push(columns.map(([, value]) => quote(value(row))).join(','));
    const link = element('a', { href: URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' })), download: `${name}.csv` });
    link.click();
    URL.revokeObjectURL(link.href);
  });
  container.append(t, download);
}

function chart(id, option) {
  const node = document.getElementById(id);
  const existing = echarts.getInstanceByDom(node);
  const instance = existing || echarts.init(node, null, { renderer: 'canvas' });
  if (!existing) charts.push(instance);
  instance.setOption({ animation: false, tooltip: { trigger: 'axis' }, grid: { left: 60, right: 30, top: 30, bottom: 50 }, ...option }, true);
}

function missing(id, message) {
  const node = document.getElementById(id);
  node.replaceChildren(element('p', { class: 'missing', 'data-missing': id }, message));
}

const bar = (names, values, name) => ({
  xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
  yAxis: { type: 'value' },
  series: [{ type: 'bar', name, data: values }],
});

// ---- pages ------------------------------------------------------------------------------------------------------
async function overview() {
  const o = await api('overview');
  kpis('kpis', [
    ['sessions', 'Sessions', o.sessions, fmt.int],
    ['users', 'Users', o.users, fmt.int],
    ['events', 'Events', o.events, fmt.int],
    ['conversionRate', 'Conversion rate', o.conversionRate, fmt.pct],
    ['dropoffPercent', 'Drop-off', o.dropoffPercent, fmt.pct100],
    ['adClickRate', 'Ad-click rate', o.adClickRate, fmt.pct],
    ['spend', 'Spend', o.spend, fmt.num],
    ['revenue', 'Revenue', o.revenue, fmt.num],
    ['roas', 'ROAS', o.roas, fmt.num],
  ]);
  document.getElementById('filter-note').textContent = o.campaignNote || '';
  const days = o.daily.map((d) => d.day);
  chart('trend-chart', {
    legend: {},
    xAxis: { type: 'category', data: days },
    yAxis: [{ type: 'value', name: 'sessions' }, { type: 'value', name: 'revenue' }],
    series: [
      { type: 'line', name: 'sessions', data: o.daily.map((d) => d.sessions) },
      { type: 'line', name: 'converted', data: o.daily.map((d) => d.convertedSessions) },
      { type: 'bar', name: 'revenue', yAxisIndex: 1, data: o.daily.map((d) => d.revenue) },
    ],
  });
  table('trend-table', [
    ['day', (d) => d.day], ['events', (d) => d.events, fmt.int], ['sessions', (d) => d.sessions, fmt.int],
    ['converted sessions', (d) => d.convertedSessions, fmt.int], ['revenue', (d) => d.revenue, fmt.num],
  ], o.daily, 'daily');
}

async function behaviour(meta) {
  const stagesInput = document.getElementById('stages');
  const stages = params().get('stages') || meta.defaultStages;
  stagesInput.value = stages;
  const fieldSelect = document.getElementById('field');
  if (fieldSelect.options.length === 0) {
    for (const f of meta.breakdownFields) fieldSelect.append(element('option', { value: f }, f));
  }
  const field = params().get('field') || 'category';
  fieldSelect.value = field;
  const [funnel, paths, breakdown] = await Promise.all([
    api('funnel', { stages }),
    api('paths'),
    api('breakdown', { field, stages: stages.split(',').filter((s) => !s.trim().endsWith('?')).join(',') }),
  ]);
  chart('funnel-chart', {
    ...bar(funnel.steps.map((s) => s.action + (s.optional ? ' (optional)' : '')), funnel.steps.map((s) => s.count), 'sessions'),
  });
  table('funnel-table', [
    ['stage', (s) => s.action + (s.optional ? ' (optional)' : '')], ['sessions', (s) => s.count, fmt.int],
    ['from first', (s) => s.conversionFromFirst, fmt.pct], ['from previous', (s) => s.conversionFromPrevious, fmt.pct],
    ['dropped off', (s) => s.droppedOff, fmt.int], ['drop-off %', (s) => s.dropoffPercent, fmt.pct100],
  ], funnel.steps, 'funnel');
  if (paths.data) {
    const columns = [
      ['path', (p) => p.steps.join(' → ')], ['sessions', (p) => p.units, fmt.int], ['conversions', (p) => p.conversions, fmt.int],
      ['abandonments', (p) => p.abandonments, fmt.int], ['conversion rate', (p) => p.conversionRate, fmt.pct],
    ];
    table('converting-table', columns, paths.data.report.topConverting, 'converting-paths');
    table('abandoning-table', columns, paths.data.report.topAbandoning, 'abandoning-paths');
  } else {
    missing('converting-table', paths.missing);
    missing('abandoning-table', paths.missing);
  }
  chart('breakdown-chart', {
    legend: {},
    ...bar(breakdown.rows.map((r) => r.value), breakdown.rows.map((r) => r.efficiency), 'efficiency'),
  });
  table('breakdown-table', [
    [field, (r) => r.value], ['sessions entering', (r) => r.entered, fmt.int], ['converted', (r) => r.converted, fmt.int],
    ['efficiency', (r) => r.efficiency, fmt.pct], ['drop-off %', (r) => r.dropoffPercent, fmt.pct100],
  ], breakdown.rows, 'breakdown');
}

async function adspend() {
  const panel = await api('adspend');
  if (!panel.data) {
    for (const id of ['spend-kpis', 'campaign-table', 'adtype-table', 'placement-table', 'importance-table', 'model-note']) missing(id, panel.missing);
    return;
  }
  const a = panel.data;
  kpis('spend-kpis', [
    ['rows', 'Campaign days', a.rows, fmt.int], ['spend', 'Spend', a.spend, fmt.num], ['revenue', 'Revenue', a.revenue, fmt.num], ['roas', 'ROAS', a.roas, fmt.num],
  ]);
  const spendColumns = (label) => [
    [label, (r) => r.value], ['days', (r) => r.days, fmt.int], ['spend', (r) => r.spend, fmt.num], ['revenue', (r) => r.revenue, fmt.num],
    ['ROAS', (r) => r.roas, fmt.num], ['clicks', (r) => r.clicks, fmt.int], ['conversions', (r) => r.conversions, fmt.int],
  ];
  chart('campaign-chart', bar(a.byCampaign.map((r) => r.value), a.byCampaign.map((r) => r.roas), 'ROAS'));
  table('campaign-table', spendColumns('campaign'), a.byCampaign, 'roas-by-campaign');
  table('adtype-table', spendColumns('ad type'), a.byAdType, 'roas-by-ad-type');
  table('placement-table', spendColumns('placement'), a.byPlacement, 'roas-by-placement');
  if (!a.model.data) {
    missing('importance-table', a.model.missing);
    missing('model-note', a.model.missing);
    return;
  }
  const m = a.model.data;
  chart('importance-chart', bar(m.importance.map((f) => f.feature), m.importance.map((f) => f.gain), 'gain'));
  table('importance-table', [['feature', (f) => f.feature], ['gain', (f) => f.gain, fmt.num]], m.importance, 'roas-importance');
  document.getElementById('model-note').textContent = `${m.model}: ${fmt.int(m.rows)} rows, RMSE ${fmt.num(m.rmse)}, R² ${fmt.num(m.r2)}. ${m.note}`;
  chart('scatter-chart', {
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', name: 'actual ROAS' },
    yAxis: { type: 'value', name: 'predicted ROAS' },
    series: [{ type: 'scatter', symbolSize: 4, data: m.points.map((p) => [p.actual, p.predicted]) }],
  });
}

async function segments() {
  const period = params().get('period') || 'day';
  document.getElementById('period').value = period;
  const [segmentPanel, season, retention] = await Promise.all([api('segments'), api('seasonality'), api('retention', { period })]);
  if (segmentPanel.data) {
    const s = segmentPanel.data.segments;
    chart('segment-chart', bar(s.map((r) => r.segment), s.map((r) => r.users), 'users'));
    table('segment-table', [
      ['segment', (r) => r.segment], ['users', (r) => r.users, fmt.int], ['sessions', (r) => r.sessions, fmt.int], ['events', (r) => r.events, fmt.int],
      ['sessions per user', (r) => r.sessionsPerUser, fmt.num], ['conversion rate', (r) => r.conversionRate, fmt.pct], ['revenue per user', (r) => r.revenuePerUser, fmt.num],
    ], s, 'segments');
  } else {
    missing('segment-table', segmentPanel.missing);
  }
  const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  chart('weekday-chart', { legend: {}, xAxis: { type: 'category', data: weekdays }, yAxis: { type: 'value' },
    series: [{ type: 'bar', name: 'events', data: season.eventsByWeekday }, { type: 'bar', name: 'conversions', data: season.conversionsByWeekday }] });
  chart('hour-chart', { legend: {}, xAxis: { type: 'category', data: [...Array(24).keys()].map(String) }, yAxis: { type: 'value' },
    series: [{ type: 'bar', name: 'events', data: season.eventsByHour }, { type: 'bar', name: 'conversions', data: season.conversionsByHour }] });
  chart('weekly-chart', { legend: {}, xAxis: { type: 'category', data: season.weekly.map((w) => w.weekStart) }, yAxis: { type: 'value' },
    series: [{ type: 'line', name: 'events', data: season.weekly.map((w) => w.events) }, { type: 'line', name: 'conversions', data: season.weekly.map((w) => w.conversions) }] });
  table('weekly-table', [['week from', (w) => w.weekStart], ['events', (w) => w.events, fmt.int], ['conversions', (w) => w.conversions, fmt.int], ['revenue', (w) => w.revenue, fmt.num]],
    season.weekly, 'weekly');
  if (retention.data) {
    const periods = retention.data.rate.length;
    const columns = [['cohort', (c) => new Date(c.start * 1000).toISOString().slice(0, 10)], ['users', (c) => c.users, fmt.int]];
    for (let k = 0; k < periods; k++) columns.push([`${period} ${k}`, (c) => (c.ended[k] ? c.retained[k] / c.users : null), fmt.pct]);
    table('retention-table', columns, retention.data.cohorts, 'retention');
  } else {
    missing('retention-table', retention.missing);
  }
}

// ---- filter bar and navigation ----------------------------------------------------------------------------------
function fillSelect(select, values) {
  for (const v of values) select.append(element('option', { value: v }, v));
}

function setUrl(changes) {
  const query = params();
  for (const [name, value] of Object.entries(changes)) {
    if (value) query.set(name, value);
    else query.delete(name);
  }
  const text = query.toString();
  history.replaceState(null, '', text ? `?${text}` : location.pathname);
}

function renderNav() {
  const nav = document.getElementById('nav');
  nav.replaceChildren();
  const query = filterQuery().toString();
  for (const [name, label] of PAGES) {
    const link = element('a', { href: `${name}.html${query ? '?' + query : ''}` }, label);
    if (name === page) link.setAttribute('aria-current', 'page');
    nav.append(link);
  }
}

async function render(meta) {
  document.body.dataset.state = 'loading';
  renderNav();
  try {
    await { overview, behaviour, adspend, segments }[page](meta);
    document.body.dataset.state = 'ready';
  } catch (error) {
    document.getElementById('missing').replaceChildren(element('p', { class: 'error', role: 'alert' }, error.message));
    document.body.dataset.state = 'error';
  }
}

async function start() {
  const meta = await (await fetch('/api/v1/meta')).json();
  const form = document.getElementById('filters');
  fillSelect(form.elements.segment, meta.segments);
  fillSelect(form.elements.campaign, meta.campaigns);
  fillSelect(form.elements.campaignType, meta.campaignTypes);
  if (meta.firstDay) {
    form.elements.from.min = form.elements.to.min = meta.firstDay;
    form.elements.from.max = form.elements.to.max = meta.lastDay;
  }
  for (const name of FILTERS) form.elements[name].value = params().get(name) || '';
  document.getElementById('missing').replaceChildren(...meta.missing.map((m) => element('p', { class: 'missing' }, m)));
  document.getElementById('footer').textContent = `${meta.store} · ${fmt.int(meta.events)} events · ${meta.firstDay || '–'} to ${meta.lastDay || '–'}`;
  form.addEventListener('change', () => {
    setUrl(Object.fromEntries(FILTERS.map((name) => [name, form.elements[name].value])));
    render(meta);
  });
  form.addEventListener('reset', () => setTimeout(() => {
    setUrl(Object.fromEntries(FILTERS.map((name) => [name, ''])));
    render(meta);
  }));
  form.addEventListener('submit', (e) => e.preventDefault());
  const stagesForm = document.getElementById('stages-form');
  if (stagesForm) {
    stagesForm.addEventListener('submit', (e) => {
      e.preventDefault();
      setUrl({ stages: document.getElementById('stages').value.trim() });
      render(meta);
    });
  }
  for (const id of ['field', 'period']) {
    const select = document.getElementById(id);
    if (select) select.addEventListener('change', () => { setUrl({ [id]: select.value }); render(meta); });
  }
  window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
  await render(meta);
}

start();
