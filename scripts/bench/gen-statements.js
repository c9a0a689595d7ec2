#!/usr/bin/env node
// Deterministic generator of realistic xAPI statements for LrsApi's ingest benchmark: staff of Swedish
// municipal elderly care (HR account actors, one homePage per employer) doing e-learning, webinars,
// on-site sessions and practical demonstrations (see docs: domain.md, "Statements the LRS will see").
//
// usage: node gen-statements.js [--out DIR] [--single N] [--batches N] [--batch-size N] [--seed N]
// writes DIR/single.jsonl (one statement per line) and DIR/batch<size>.jsonl (one JSON array per line).
// Statements carry no "id" (the LRS assigns one), so the files can be replayed any number of times.
'use strict';
const fs = require('fs');
const path = require('path');

const args = {};
for (let i = 2; i < process.argv.length; i++)
  if (process.argv[i].startsWith('--')) args[process.argv[i].slice(2)] = process.argv[++i];
const OUT = args.out || path.join(process.env.TMPDIR || '/tmp', 'lrs-bench-data');
const N_SINGLE = Number(args.single || 20000);
const N_BATCHES = Number(args.batches || 300);
const BATCH = Number(args['batch-size'] || 100);
let seed = Number(args.seed || 4711) >>> 0;

function rnd() { // mulberry32
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
function uuid4() {
  const h = [];
  for (let i = 0; i < 16; i++) h.push(int(256));
  h[6] = (h[6] & 0x0f) | 0x40; h[8] = (h[8] & 0x3f) | 0x80;
  const s = h.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const NS = 'https://lrs.example.se/xapi';
const KOMMUNER = ['vasteras', 'orebro', 'linkoping', 'jonkoping', 'norrkoping', 'lund', 'umea', 'gavle', 'boras', 'sodertalje',
  'eskilstuna', 'halmstad', 'vaxjo', 'karlstad', 'sundsvall', 'ostersund', 'trollhattan', 'kalmar', 'falun', 'skovde'];
const EMPLOYERS = [...KOMMUNER.map((k) => `https://hr.${k}.se`), 'https://hr.attendo.se', 'https://hr.vardaga.se', 'https://hr.humana.se'];
const FIRST = ['Anna', 'Eva', 'Maria', 'Karin', 'Sara', 'Lena', 'Åsa', 'Ingrid', 'Fatima', 'Amina', 'Elin', 'Sofia', 'Märta', 'Björn',
  'Erik', 'Lars', 'Ahmed', 'Johan', 'Mikael', 'Göran', 'Zeynep', 'Hanna', 'Linnéa', 'Ebba', 'Jörgen', 'Tove', 'Ali', 'Nadia'];
const LAST = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson',
  'Pettersson', 'Jönsson', 'Hassan', 'Mohammed', 'Lindström', 'Åberg', 'Öberg', 'Bäckström', 'Sjögren', 'Ekström', 'Holmgren', 'Yilmaz'];
const COURSES = [
  ['intro-vard-omsorg', 'Introduktion inom vård och omsorg', 'Introduction to health and social care'],
  ['vardegrund', 'Äldreomsorgens nationella värdegrund', 'National value base for elderly care'],
  ['basal-hygien', 'Basala hygienrutiner och klädregler', 'Basic hygiene routines'],
  ['lex-sarah', 'Lex Sarah – rapporteringsskyldighet', 'Duty to report mistreatment'],
  ['demens-abc', 'Demens ABC', 'Dementia ABC'],
  ['palliativ-vard', 'Palliativ vård', 'Palliative care'],
  ['fallprevention', 'Fallprevention', 'Fall prevention'],
  ['nutrition', 'Förebygga undernäring', 'Malnutrition prevention'],
  ['deleg-lakemedel', 'Delegering: läkemedelshantering', 'Delegation: medication handling'],
  ['brandskydd', 'Brandskydd och utrymning', 'Fire safety and evacuation'],
];
const ONSITE = [['forflyttning', 'Förflyttningsteknik', 'Patient transfer technique'], ['hlr', 'Hjärt-lungräddning', 'CPR']];
const CENTRES = ['metodikum', 'metodrum', 'larcentrum-norr', 'larcentrum-syd'];
const N_ACTORS = 8000;
const actors = Array.from({ length: N_ACTORS }, (_, i) => ({
  objectType: 'Agent',
  name: `${pick(FIRST)} ${pick(LAST)}`,
  account: { homePage: EMPLOYERS[i % EMPLOYERS.length], name: `E${String(10000 + i * 7 % 90000).padStart(5, '0')}` },
}));
const instructors = Array.from({ length: 40 }, (_, i) => ({
  objectType: 'Agent',
  name: `${pick(FIRST)} ${pick(LAST)}`,
  account: { homePage: EMPLOYERS[i % EMPLOYERS.length], name: `E${90000 + i}` },
}));
const registrations = Array.from({ length: 4000 }, uuid4);
const BASE_TS = Date.parse('2026-09-01T06:00:00Z');
const langs = (sv, en) => ({ 'sv-SE': sv, 'en-US': en });
const act = (id, type, sv, en, desc) => ({
  objectType: 'Activity', id,
  definition: { name: langs(sv, en), ...(desc ? { description: langs(desc[0], desc[1]) } : {}), type },
});
function isoDuration(secs) {
  const h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60), s = secs % 60;
  return `PT${h ? h + 'H' : ''}${m ? m + 'M' : ''}${s}S`;
}
function timestamp() { // Swedish offset, as a browser in Sweden sends it
  const d = new Date(BASE_TS + int(60 * 24 * 3600 * 1000));
  return new Date(d.getTime() + 2 * 3600 * 1000).toISOString().replace('Z', '+02:00');
}

function elearning() {
  const [cid, sv, en] = pick(COURSES);
  const mod = 1 + int(6);
  const raw = int(101);
  const kind = int(10);
  const verb = kind < 4 ? ['http://adlnet.gov/expapi/verbs/completed', 'slutförde', 'completed']
    : kind < 8 ? (raw >= 60 ? ['http://adlnet.gov/expapi/verbs/passed', 'godkänd', 'passed'] : ['http://adlnet.gov/expapi/verbs/failed', 'underkänd', 'failed'])
      : ['https://w3id.org/xapi/adl/verbs/satisfied', 'uppfyllde', 'satisfied'];
  const isTest = kind >= 4 && kind < 8;
  const object = isTest
    ? act(`${NS}/activities/${cid}/test`, 'http://adlnet.gov/expapi/activities/assessment', `${sv} – kunskapstest`, `${en} – test`,
      [`Avslutande test i ${sv}. Godkänt från 60 %.`, `Final test of ${en}. Pass mark 60 %.`])
    : act(`${NS}/activities/${cid}/modul-${mod}`, 'http://adlnet.gov/expapi/activities/module', `${sv}, modul ${mod}`, `${en}, module ${mod}`,
      [`Modul ${mod} av e-utbildningen ${sv}.`, `Module ${mod} of the e-learning course ${en}.`]);
  const result = { completion: true, duration: isoDuration(120 + int(2400)) };
  if (isTest) Object.assign(result, { success: raw >= 60, score: { scaled: raw / 100, raw, min: 0, max: 100 } });
  return {
    verb: { id: verb[0], display: langs(verb[1], verb[2]) }, object, result,
    context: {
      registration: pick(registrations),
      contextActivities: {
        parent: [{ objectType: 'Activity', id: `${NS}/activities/${cid}`, definition: { type: 'http://adlnet.gov/expapi/activities/course' } }],
        grouping: [{ objectType: 'Activity', id: `${NS}/competences/${cid}` }],
        category: [{ objectType: 'Activity', id: 'https://w3id.org/xapi/cmi5/context/categories/moveon' }],
      },
      platform: 'Kompetensportalen e-learning', language: 'sv-SE',
    },
  };
}
function webinar() {
  const [cid, sv, en] = pick(COURSES);
  const recorded = rnd() < 0.5;
  const webinarAct = `${NS}/activities/webinar/${cid}-${1 + int(12)}`;
  if (recorded) {
    const progress = int(101);
    return {
      verb: progress >= 90 ? { id: 'https://w3id.org/xapi/video/verbs/completed', display: langs('såg klart', 'completed') }
        : { id: 'https://w3id.org/xapi/video/verbs/played', display: langs('spelade', 'played') },
      object: act(`${webinarAct}/inspelning`, 'https://w3id.org/xapi/video/activity-type/video', `Webbinarium: ${sv} (inspelning)`, `Webinar: ${en} (recording)`),
      result: { duration: isoDuration(60 + int(3000)), extensions: { 'https://w3id.org/xapi/video/extensions/progress': progress / 100 } },
      context: {
        registration: pick(registrations),
        contextActivities: { parent: [{ objectType: 'Activity', id: webinarAct }], grouping: [{ objectType: 'Activity', id: `${NS}/competences/${cid}` }] },
        extensions: { 'https://w3id.org/xapi/video/extensions/session-id': uuid4(), 'https://w3id.org/xapi/video/extensions/length': 3600 },
        language: 'sv-SE',
      },
    };
  }
  return {
    verb: { id: 'http://adlnet.gov/expapi/verbs/attended', display: langs('deltog i', 'attended') },
    object: act(webinarAct, 'http://id.tincanapi.com/activitytype/webinar', `Webbinarium: ${sv}`, `Webinar: ${en}`,
      [`Direktsänt webbinarium om ${sv.toLowerCase()} för personal i äldreomsorgen.`, `Live webinar on ${en.toLowerCase()}.`]),
    result: { duration: isoDuration(1800 + int(1800)), completion: true },
    context: {
      instructor: pick(instructors),
      contextActivities: { grouping: [{ objectType: 'Activity', id: `${NS}/competences/${cid}` }] },
      language: 'sv-SE',
    },
  };
}
function onsite() {
  const [cid, sv, en] = pick(ONSITE);
  const centre = pick(CENTRES);
  const demo = rnd() < 0.4;
  return {
    verb: demo ? { id: 'http://adlnet.gov/expapi/verbs/passed', display: langs('godkänd', 'passed') }
      : { id: 'http://adlnet.gov/expapi/verbs/attended', display: langs('deltog i', 'attended') },
    object: demo
      ? act(`${NS}/activities/${cid}/praktiskt-prov`, 'http://adlnet.gov/expapi/activities/performance', `${sv} – praktisk uppvisning`, `${en} – practical demonstration`)
      : act(`${NS}/activities/${cid}/${centre}/tillfalle-${1 + int(40)}`, 'http://adlnet.gov/expapi/activities/meeting', `${sv}, ${centre}`, `${en}, ${centre}`,
        ['Praktisk övning med simuleringsdocka och kollegor.', 'Practical training with a simulation doll and peers.']),
    result: demo ? { success: true, completion: true } : { completion: true, duration: isoDuration(3600 * (2 + int(5))) },
    context: {
      registration: pick(registrations),
      instructor: pick(instructors),
      contextActivities: {
        parent: [{ objectType: 'Activity', id: `${NS}/activities/${cid}` }],
        grouping: [{ objectType: 'Activity', id: `${NS}/competences/${cid}` }, { objectType: 'Activity', id: `${NS}/learning-centres/${centre}` }],
      },
      ...(demo ? { extensions: { 'https://w3id.org/xapi/comp/contextextensions/expires': new Date(BASE_TS + 365 * 86400000).toISOString() } } : {}),
      language: 'sv-SE',
    },
  };
}

function statement() {
  const r = rnd();
  const s = r < 0.7 ? elearning() : r < 0.85 ? webinar() : onsite();
  return { actor: pick(actors), verb: s.verb, object: s.object, result: s.result, context: s.context, timestamp: timestamp() };
}

fs.mkdirSync(OUT, { recursive: true });
let bytes = 0, n = 0;
const single = [];
for (let i = 0; i < N_SINGLE; i++) { const j = JSON.stringify(statement()); bytes += Buffer.byteLength(j); n++; single.push(j); }
fs.writeFileSync(path.join(OUT, 'single.jsonl'), single.join('\n') + '\n');
const batches = [];
for (let b = 0; b < N_BATCHES; b++) batches.push(JSON.stringify(Array.from({ length: BATCH }, statement)));
fs.writeFileSync(path.join(OUT, `batch${BATCH}.jsonl`), batches.join('\n') + '\n');
console.log(`wrote ${N_SINGLE} single statements (mean ${Math.round(bytes / n)} bytes) and ${N_BATCHES} batches of ${BATCH} to ${OUT}`);
