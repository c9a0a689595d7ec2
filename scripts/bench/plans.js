#!/usr/bin/env node
// Plans for the competence benchmark, over HTTP as a client makes them: a development plan in every unit of UNITS, begun on
// the first day of the month MONTHS_BACK months ago (so its progress has that many monthly points and more), and a
// training plan for every person of PEOPLE (lines "personId"), drafted by POST /api/people/{id}/training-plan/draft and
// stored with PUT as a manager would, after agreeing it. People whose draft is empty (they hold everything) get no plan.
//
//   node plans.js BASE UNITS_FILE PEOPLE_FILE PLAN_ID MONTHS_BACK     env: AUTH="Basic ...", CONCURRENCY (4)
//
// Prints one JSON line: {"unitPlans":N,"trainingPlans":N,"emptyDrafts":N,"seconds":S}.
'use strict';
const fs = require('fs');

const [base, unitsFile, peopleFile, planId, monthsBack] = process.argv.slice(2);
if (!base || !unitsFile || !peopleFile || !planId || !/^[0-9]+$/.test(monthsBack || '')) {
  console.error('usage: plans.js BASE UNITS_FILE PEOPLE_FILE PLAN_ID MONTHS_BACK');
  process.exit(2);
}
const auth = process.env.AUTH;
const concurrency = +(process.env.CONCURRENCY || 4);
const lines = (file) => fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
const day = (d) => d.toISOString().slice(0, 10);

async function call(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { Authorization: auth, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 400)}`);
  return JSON.parse(text);
}

// Runs work(item) for every item, CONCURRENCY at a time.
async function each(items, work) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

(async () => {
  const started = Date.now();
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - +monthsBack, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear() + 2, start.getUTCMonth(), 0));
  const plan = {
    vision: 'Varje förflyttning är trygg för den boende och för personalen.',
    goal: 'Alla undersköterskor behärskar förflyttningsteknik och ingen delegering för läkemedel hinner gå ut.',
    startsOn: day(start),
    endsOn: day(end),
    measurableGoals: [
      { id: 'usk-forflyttning', kind: 'share-valid', competence: 'forflyttning', role: 'underskoterska', target: 0.95 },
      { id: 'delegering-utan-lucka', kind: 'no-lapse', competence: 'deleg-lakemedel' },
    ],
    analysis: [{ problem: 'Fallolyckor vid förflyttning.', causes: ['Nyanställda utan praktisk utbildning'], actions: ['r1'] }],
    activities: [
      { id: 'r1', aspect: 'competence', responsible: 'Enhetschef', activity: 'Förflyttningsteknik på lärcentrum', deadline: day(end), costSek: 36000, hours: 192, status: 'ongoing' },
    ],
  };
  const units = lines(unitsFile);
  await each(units, (unit) => call('PUT', `/api/units/${encodeURIComponent(unit)}/plans/${encodeURIComponent(planId)}`, plan));

  let trainingPlans = 0, emptyDrafts = 0;
  await each(lines(peopleFile), async (person) => {
    const path = `/api/people/${encodeURIComponent(person)}/training-plan`;
    const draft = await call('POST', `${path}/draft`);
    if (draft.items.length === 0) { emptyDrafts++; return; }
    await call('PUT', path, { items: draft.items.map((item) => ({ ...item, agreedBy: 'Enhetschef' })) });
    trainingPlans++;
  });
  console.log(JSON.stringify({ unitPlans: units.length, trainingPlans, emptyDrafts, seconds: (Date.now() - started) / 1000 }));
})().catch((e) => { console.error(e.message); process.exit(1); });
